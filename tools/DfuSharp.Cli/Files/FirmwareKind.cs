namespace DfuSharp.Cli.Files;

/// <summary>The kinds of firmware file the CLI reads and writes; their JSON names are lower case.</summary>
internal enum FirmwareKind
{
    /// <summary>A plain DFU file: firmware, optional dfu-util prefix, DFU suffix (DFU 1.1 Appendix B).</summary>
    Dfu,

    /// <summary>An ST DfuSe file (UM0391).</summary>
    DfuSe,

    /// <summary>Intel HEX.</summary>
    Hex,

    /// <summary>Motorola S-records.</summary>
    Srec,

    /// <summary>Raw binary at a base address.</summary>
    Bin,
}

/// <summary>Chooses how to read a file: by its content first, with the extension as a hint where content is silent.</summary>
internal static class FirmwareKindDetector
{
    // DFU 1.1 Appendix B: the suffix ends with ucDfuSignature "UFD" (stored reversed), bLength and dwCRC.
    private const int SuffixSignatureFromEnd = 8;

    /// <summary>The JSON and human name of a kind.</summary>
    public static string Name(FirmwareKind kind) => kind switch
    {
        FirmwareKind.Dfu => "dfu",
        FirmwareKind.DfuSe => "dfuse",
        FirmwareKind.Hex => "hex",
        FirmwareKind.Srec => "srec",
        _ => "bin",
    };

    /// <summary>
    /// Detects the kind of a file to be read. A DFU suffix signature or the "DfuSe" signature marks a DFU file (whether
    /// it is DfuSe is decided when its body is parsed); a first line that is an Intel HEX or S-record record marks a
    /// text file; otherwise the extension decides, and anything unknown is raw binary.
    /// </summary>
    /// <returns><see cref="FirmwareKind.Dfu"/> for every DFU-family file, plain or DfuSe.</returns>
    public static FirmwareKind Detect(ReadOnlySpan<byte> content, string path)
    {
        if (HasSuffixSignature(content) || content.StartsWith("DfuSe"u8))
        {
            return FirmwareKind.Dfu;
        }

        if (LooksLikeText(content, out byte first))
        {
            if (first == (byte)':')
            {
                return FirmwareKind.Hex;
            }

            if (first is (byte)'S' or (byte)'s')
            {
                return FirmwareKind.Srec;
            }
        }

        return FromExtension(path) ?? FirmwareKind.Bin;
    }

    /// <summary>
    /// The kind an output file's extension names: .dfu/.dfuse (written as DfuSe), .hex/.ihx/.ihex, .srec/.s19/.s28/.s37/.mot,
    /// and .bin; <see langword="null"/> for anything else.
    /// </summary>
    public static FirmwareKind? FromExtension(string path)
    {
        string extension = Path.GetExtension(path).ToUpperInvariant();
        return extension switch
        {
            ".DFU" or ".DFUSE" => FirmwareKind.Dfu,
            ".HEX" or ".IHX" or ".IHEX" or ".H86" => FirmwareKind.Hex,
            ".SREC" or ".S19" or ".S28" or ".S37" or ".MOT" or ".S" or ".SX" => FirmwareKind.Srec,
            ".BIN" or ".RAW" or ".IMG" => FirmwareKind.Bin,
            _ => null,
        };
    }

    /// <summary>Tells whether the last 16 bytes carry the DFU suffix signature "UFD".</summary>
    public static bool HasSuffixSignature(ReadOnlySpan<byte> content)
        => content.Length >= 16 && content[^SuffixSignatureFromEnd..].StartsWith("UFD"u8);

    // A text record file starts (after blank lines) with ':' or 'S' followed by hex digits, and its first line is printable ASCII.
    private static bool LooksLikeText(ReadOnlySpan<byte> content, out byte first)
    {
        first = 0;
        int start = 0;
        while (start < content.Length && content[start] is (byte)'\r' or (byte)'\n' or (byte)' ' or (byte)'\t')
        {
            start++;
        }

        ReadOnlySpan<byte> rest = content[start..];
        int end = rest.IndexOfAny((byte)'\r', (byte)'\n');
        ReadOnlySpan<byte> line = end < 0 ? rest : rest[..end];
        if (line.Length < 3)
        {
            return false;
        }

        foreach (byte b in line[1..])
        {
            if (!char.IsAsciiHexDigit((char)b) && b is not ((byte)' ' or (byte)'\t'))
            {
                return false;
            }
        }

        first = line[0];
        return true;
    }
}
