using System.Buffers;

namespace DfuSharp.Formats;

/// <summary>Splits a text firmware file into lines without allocating, counting lines and noting line endings.</summary>
internal ref struct TextLineReader
{
    private readonly ReadOnlySpan<byte> _text;
    private int _position;

    public TextLineReader(ReadOnlySpan<byte> text) => _text = text;

    /// <summary>Gets the 1-based number of the line last returned.</summary>
    public int LineNumber { get; private set; }

    /// <summary>Gets the byte offset of the start of the line last returned.</summary>
    public int LineOffset { get; private set; }

    /// <summary>Gets the line terminators seen so far.</summary>
    public LineEndings LineEndings { get; private set; }

    /// <summary>Gets the number of the line after the last one: where a missing record would have been.</summary>
    public readonly int LineAfterEnd => LineNumber + 1;

    /// <summary>Creates the error for the line last returned, with its number and offset.</summary>
    public readonly DfuFormatException Error(DfuFormatError error, string message) => new(error, message, LineNumber, LineOffset);

    /// <summary>Gets the next line that is not blank, without its terminator and surrounding white space.</summary>
    public bool TryReadLine(out ReadOnlySpan<byte> line)
    {
        while (_position < _text.Length)
        {
            LineOffset = _position;
            LineNumber++;
            ReadOnlySpan<byte> rest = _text[_position..];
            int newline = rest.IndexOf((byte)'\n');
            ReadOnlySpan<byte> raw;
            if (newline < 0)
            {
                raw = rest;
                _position = _text.Length;
            }
            else
            {
                raw = rest[..newline];
                _position += newline + 1;
                LineEndings |= newline > 0 && raw[^1] == (byte)'\r' ? LineEndings.CrLf : LineEndings.Lf;
            }

            // Ctrl-Z (0x1A) is the CP/M end-of-file mark some old tools still append.
            line = raw.Trim(" \t\r\x1A"u8);
            if (!line.IsEmpty)
            {
                return true;
            }
        }

        line = default;
        return false;
    }
}

/// <summary>Hexadecimal digits as text records use them: two per byte, most significant first.</summary>
internal static class HexDigits
{
    private static readonly SearchValues<byte> s_hexDigits = SearchValues.Create("0123456789ABCDEFabcdef"u8);

    private static ReadOnlySpan<byte> Upper => "0123456789ABCDEF"u8;

    /// <summary>The index of the first byte that is not a hexadecimal digit, or -1.</summary>
    public static int IndexOfNonDigit(ReadOnlySpan<byte> text) => text.IndexOfAnyExcept(s_hexDigits);

    /// <summary>Decodes pairs of digits already known to be valid.</summary>
    public static void Decode(ReadOnlySpan<byte> digits, Span<byte> destination)
    {
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = (byte)((Value(digits[2 * i]) << 4) | Value(digits[(2 * i) + 1]));
        }
    }

    /// <summary>Writes a byte as two upper-case digits.</summary>
    public static void Write(Span<byte> destination, byte value)
    {
        destination[0] = Upper[value >> 4];
        destination[1] = Upper[value & 0xF];
    }

    private static int Value(byte digit) => digit <= '9' ? digit - '0' : (digit | 0x20) - 'a' + 10;
}

/// <summary>The one-byte checksum that ends every Intel HEX record and S-record.</summary>
internal static class RecordChecksum
{
    /// <summary>The sum of <paramref name="bytes"/>, modulo 256; each format complements it its own way.</summary>
    public static byte Sum(ReadOnlySpan<byte> bytes)
    {
        byte sum = 0;
        foreach (byte b in bytes)
        {
            sum += b;
        }

        return sum;
    }

    /// <summary>Checks the record's last byte against <paramref name="expected"/>.</summary>
    /// <exception cref="DfuFormatException">The checksum differs (<see cref="DfuFormatError.RecordChecksumMismatch"/>).</exception>
    public static void Verify(ReadOnlySpan<byte> record, byte expected, in TextLineReader lines)
    {
        if (expected != record[^1])
        {
            throw lines.Error(DfuFormatError.RecordChecksumMismatch, $"Record checksum is 0x{record[^1]:X2}, expected 0x{expected:X2}");
        }
    }
}

/// <summary>How the writers cut a segment into data records.</summary>
internal static class RecordLayout
{
    /// <summary>
    /// srec_cat (srecord 1.64) keeps memory in chunks of 7 × 256 bytes and starts a new record at every chunk
    /// boundary; cutting there too makes our output byte-identical to srec_cat's.
    /// </summary>
    private const uint ChunkSize = 7 * 256;

    /// <summary>The length of the next record at <paramref name="address"/> with <paramref name="remaining"/> bytes left in the segment.</summary>
    public static int NextLength(uint address, int remaining, int recordLength)
    {
        int toChunkEnd = (int)(ChunkSize - (address % ChunkSize));
        return Math.Min(Math.Min(recordLength, remaining), toChunkEnd);
    }
}

/// <summary>
/// Where a text reader puts record data: the image builder on the first pass; on a second pass, after the builder found
/// two different bytes for one address, a probe that finds the line that gave the second one.
/// </summary>
/// <remarks>Tracking lines only when a conflict is known keeps the common, valid case free of per-record bookkeeping.</remarks>
internal sealed class RecordDataSink
{
    private readonly MemoryImageBuilder? _builder;
    private readonly uint _conflictAddress;
    private byte? _firstValue;
    private int _firstLine;

    private RecordDataSink(MemoryImageBuilder? builder, uint conflictAddress)
    {
        _builder = builder;
        _conflictAddress = conflictAddress;
    }

    /// <summary>Parses a text file's records with <paramref name="parse"/> and builds its image.</summary>
    /// <exception cref="DfuFormatException">
    /// <paramref name="parse"/> rejected the text, or two records give one address different bytes
    /// (<see cref="DfuFormatError.OverlappingData"/>, at the line of the second one).
    /// </exception>
    public static (TFile File, MemoryImage Image) Read<TFile>(ReadOnlySpan<byte> text, RecordParser<TFile> parse)
    {
        var builder = new MemoryImageBuilder();
        TFile file = parse(text, new RecordDataSink(builder, 0));
        if (builder.TryToImage(out MemoryImage? image, out uint conflict, out _, out _))
        {
            return (file, image);
        }

        // Read again to name the line that gave the address its second value.
        var probe = new RecordDataSink(null, conflict);
        parse(text, probe);

        // The probe pass always finds the conflict; this is the error should it not.
        throw new DfuFormatException(DfuFormatError.OverlappingData, $"Overlapping data with different bytes at 0x{conflict:X8}");
    }

    public void Write(uint address, ReadOnlySpan<byte> data, in TextLineReader lines)
    {
        if (_builder is not null)
        {
            _builder.Write(address, data);
            return;
        }

        if (_conflictAddress < address || _conflictAddress - address >= (uint)data.Length)
        {
            return;
        }

        byte value = data[(int)(_conflictAddress - address)];
        if (_firstValue is null)
        {
            _firstValue = value;
            _firstLine = lines.LineNumber;
        }
        else if (value != _firstValue)
        {
            throw lines.Error(
                DfuFormatError.OverlappingData,
                $"Overlapping data with different bytes at 0x{_conflictAddress:X8}: line {_firstLine} gives 0x{_firstValue:X2}, this line 0x{value:X2}");
        }
    }
}

/// <summary>Parses the records of a text file, handing their data to <paramref name="sink"/>.</summary>
internal delegate TFile RecordParser<TFile>(ReadOnlySpan<byte> text, RecordDataSink sink);
