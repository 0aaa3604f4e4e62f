using System.Buffers.Binary;
using System.Collections.Immutable;
using Layout = DfuSharp.Formats.DfuLayout;

namespace DfuSharp.Formats.Internal;

/// <summary>Splits a .dfu file into prefix, firmware (or DfuSe body) and suffix.</summary>
internal static class DfuFileReader
{
    /// <summary>Reads a whole file held in memory that the result may share.</summary>
    public static DfuFileInfo Inspect(ReadOnlyMemory<byte> data, DfuReadOptions options)
    {
        ReadOnlySpan<byte> span = data.Span;
        int n = span.Length;
        var warnings = ImmutableArray.CreateBuilder<DfuFileWarning>();
        DfuSuffix? suffix = null;
        uint? storedCrc = null;
        uint? computedCrc = null;
        int? suffixLength = null;
        int bodyEnd = n;

        if (options.SuffixPolicy != DfuSuffixPolicy.None)
        {
            bool present = n >= Layout.Suffix.Length
                && span.Slice(n - Layout.Suffix.Length + Layout.Suffix.Signature, Layout.Suffix.SignatureLength)
                    .SequenceEqual(Layout.Suffix.SignatureBytes);
            if (!present && options.SuffixPolicy == DfuSuffixPolicy.Required)
            {
                throw n switch
                {
                    0 => new DfuFormatException(DfuFormatError.EmptyFile, "The file is empty; a DFU suffix is required.", 0),
                    < Layout.Suffix.Length => new DfuFormatException(
                        DfuFormatError.FileTooShortForSuffix,
                        $"The file has {n} bytes, fewer than the {Layout.Suffix.Length} of a DFU suffix.",
                        0),
                    _ => new DfuFormatException(
                        DfuFormatError.BadSuffixSignature,
                        $"Expected the DFU suffix signature \"UFD\" (55 46 44), found {Convert.ToHexString(span.Slice(n - Layout.Suffix.Length + Layout.Suffix.Signature, Layout.Suffix.SignatureLength))}.",
                        n - Layout.Suffix.Length + Layout.Suffix.Signature),
                };
            }

            if (present)
            {
                ReadOnlySpan<byte> tail = span[(n - Layout.Suffix.Length)..];
                int bLength = tail[Layout.Suffix.BLength];
                int bLengthOffset = n - Layout.Suffix.Length + Layout.Suffix.BLength;
                if (bLength < Layout.Suffix.Length)
                {
                    throw new DfuFormatException(
                        DfuFormatError.SuffixLengthTooSmall,
                        $"The DFU suffix bLength is {bLength}; it must be at least {Layout.Suffix.Length}.",
                        bLengthOffset);
                }

                if (bLength > n)
                {
                    throw new DfuFormatException(
                        DfuFormatError.SuffixLengthExceedsFile,
                        $"The DFU suffix bLength is {bLength}, larger than the {n}-byte file.",
                        bLengthOffset);
                }

                uint stored = BinaryPrimitives.ReadUInt32LittleEndian(tail[Layout.Suffix.DwCrc..]);
                uint computed = DfuCrc32.Compute(span[..(n - Layout.Suffix.CrcLength)]);
                if (stored != computed)
                {
                    if (options.VerifyCrc)
                    {
                        throw new DfuFormatException(
                            DfuFormatError.CrcMismatch,
                            $"The DFU suffix dwCRC is 0x{stored:X8}, but the file's CRC (DFU 1.1 Appendix B) is 0x{computed:X8}.",
                            n - Layout.Suffix.Length + Layout.Suffix.DwCrc);
                    }

                    warnings.Add(new DfuFileWarning(
                        DfuFileWarningCode.CrcMismatch, $"dwCRC is 0x{stored:X8}, computed 0x{computed:X8}."));
                }

                ushort dfuVersion = BinaryPrimitives.ReadUInt16LittleEndian(tail[Layout.Suffix.BcdDfu..]);
                bodyEnd = n - bLength;
                suffix = new DfuSuffix
                {
                    DeviceVersion = BinaryPrimitives.ReadUInt16LittleEndian(tail[Layout.Suffix.BcdDevice..]),
                    ProductId = BinaryPrimitives.ReadUInt16LittleEndian(tail[Layout.Suffix.IdProduct..]),
                    VendorId = BinaryPrimitives.ReadUInt16LittleEndian(tail[Layout.Suffix.IdVendor..]),
                    DfuVersion = dfuVersion,
                    Extra = data.Slice(bodyEnd, bLength - Layout.Suffix.Length),
                };
                storedCrc = stored;
                computedCrc = computed;
                suffixLength = bLength;

                if (bLength > Layout.Suffix.Length)
                {
                    warnings.Add(new DfuFileWarning(
                        DfuFileWarningCode.ExtendedSuffix,
                        $"bLength is {bLength}: {bLength - Layout.Suffix.Length} extra suffix bytes precede bcdDevice."));
                }

                if (dfuVersion is not (DfuSuffix.Dfu10 or DfuSuffix.Dfu11 or DfuSuffix.DfuSe))
                {
                    warnings.Add(new DfuFileWarning(DfuFileWarningCode.UnusualDfuVersion, $"bcdDFU is 0x{dfuVersion:X4}."));
                }
            }
            else
            {
                warnings.Add(new DfuFileWarning(DfuFileWarningCode.MissingSuffix, "The file has no DFU suffix."));
            }
        }

        ReadOnlyMemory<byte> body = data[..bodyEnd];
        DfuPrefix? prefix = null;
        ReadOnlyMemory<byte> firmware = body;
        DfuSeImage? dfuSe = null;
        uint? imageSize = null;
        DfuSeImageSizeConvention? convention = null;

        if (DfuSeCodec.HasSignature(body.Span))
        {
            if (options.ParseDfuSe)
            {
                DfuSeParseResult parsed = DfuSeCodec.Parse(body, suffixLength ?? Layout.Suffix.Length);
                dfuSe = parsed.Image;
                imageSize = parsed.ImageSize;
                convention = parsed.Convention;
                warnings.AddRange(parsed.Warnings);
                if (suffix is not null && suffix.DfuVersion != DfuSuffix.DfuSe)
                {
                    warnings.Add(new DfuFileWarning(
                        DfuFileWarningCode.DfuSeBodyWithoutDfuSeVersion,
                        $"The body is a DfuSe image but bcdDFU is 0x{suffix.DfuVersion:X4}, not 0x011A."));
                }
            }
        }
        else
        {
            if (options.DetectPrefix && DfuPrefixes.DetectType(body.Span) is { } type)
            {
                int length = DfuPrefixes.LengthOf(type);
                prefix = new DfuPrefix(type, body[..length]);
                firmware = body[length..];
            }

            if (suffix?.DfuVersion == DfuSuffix.DfuSe)
            {
                warnings.Add(new DfuFileWarning(
                    DfuFileWarningCode.DfuSeVersionWithoutDfuSeBody,
                    "bcdDFU is 0x011A (DfuSe) but the body has no DfuSe prefix; it is read as plain firmware."));
            }
        }

        return new DfuFileInfo
        {
            File = new DfuFile { Prefix = prefix, Firmware = firmware, Suffix = suffix, DfuSe = dfuSe },
            FileLength = n,
            SuffixLength = suffixLength,
            StoredCrc = storedCrc,
            ComputedCrc = computedCrc,
            DfuSeImageSize = imageSize,
            DfuSeImageSizeConvention = convention,
            Warnings = warnings.ToImmutable(),
        };
    }

    /// <summary>Reads a stream to its end into one array of exactly its length when the length is known.</summary>
    public static ReadOnlyMemory<byte> ReadAll(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (stream.CanSeek)
        {
            long remaining = stream.Length - stream.Position;
            if (remaining > Array.MaxLength)
            {
                throw new DfuFormatException(DfuFormatError.TooLarge, $"The file has {remaining} bytes; at most {Array.MaxLength} can be read.", 0);
            }

            var buffer = new byte[Math.Max(0, remaining)];
            stream.ReadExactly(buffer);
            return buffer;
        }

        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.GetBuffer().AsMemory(0, (int)copy.Length);
    }
}
