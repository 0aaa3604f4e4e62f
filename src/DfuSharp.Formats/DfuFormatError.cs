namespace DfuSharp.Formats;

/// <summary>The kinds of defect a firmware file can have; carried by <see cref="DfuFormatException.Error"/>.</summary>
public enum DfuFormatError
{
    /// <summary>A defect with no more specific kind.</summary>
    Malformed = 0,

    /// <summary>The file has no bytes at all.</summary>
    EmptyFile,

    /// <summary>The file is shorter than the 16-byte DFU suffix.</summary>
    FileTooShortForSuffix,

    /// <summary>The last bytes are not a DFU suffix (no "UFD" signature) and a suffix is required.</summary>
    BadSuffixSignature,

    /// <summary>The suffix's bLength is below 16.</summary>
    SuffixLengthTooSmall,

    /// <summary>The suffix's bLength is larger than the file.</summary>
    SuffixLengthExceedsFile,

    /// <summary>The stored dwCRC differs from the CRC computed over the file (DFU 1.1 Appendix B).</summary>
    CrcMismatch,

    /// <summary>A dfu-util prefix (NXP LPC or TI Stellaris) is truncated or inconsistent.</summary>
    BadPrefix,

    /// <summary>The DfuSe prefix's bVersion is not 1.</summary>
    DfuSeVersionUnsupported,

    /// <summary>The DfuSe DFUImageSize matches neither the file size nor the file size without the suffix.</summary>
    DfuSeImageSizeMismatch,

    /// <summary>The file ends inside a DfuSe target prefix: bTargets promises more targets than there are.</summary>
    DfuSeTargetPrefixTruncated,

    /// <summary>A DfuSe target does not start with the "Target" signature.</summary>
    DfuSeBadTargetSignature,

    /// <summary>A DfuSe target's dwTargetSize differs from the sum of its elements.</summary>
    DfuSeTargetSizeMismatch,

    /// <summary>The file ends inside a DfuSe element header: dwNbElements promises more elements than there are.</summary>
    DfuSeElementHeaderTruncated,

    /// <summary>A DfuSe element's dwElementSize runs past the end of the image.</summary>
    DfuSeElementExceedsFile,

    /// <summary>Bytes remain between the last DfuSe target and the suffix.</summary>
    DfuSeTrailingBytes,

    /// <summary>A text record does not have the expected syntax (start code, hex digits, type).</summary>
    RecordSyntax,

    /// <summary>A text record's byte count does not match its length.</summary>
    RecordLengthMismatch,

    /// <summary>A text record's checksum is wrong.</summary>
    RecordChecksumMismatch,

    /// <summary>An Intel HEX file has no end-of-file record.</summary>
    MissingEofRecord,

    /// <summary>An S-record count record (S5/S6) disagrees with the number of data records.</summary>
    CountRecordMismatch,

    /// <summary>The same address is given two different byte values.</summary>
    OverlappingData,

    /// <summary>An address or a range runs past the 32-bit address space.</summary>
    AddressOverflow,

    /// <summary>The input is larger than the reader allows.</summary>
    TooLarge,

    /// <summary>The body starts with "DfuSe" but ends before the 11-byte DfuSe prefix does.</summary>
    DfuSePrefixTruncated,
}
