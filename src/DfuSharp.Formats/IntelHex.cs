using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Text;

namespace DfuSharp.Formats;

/// <summary>
/// Reads and writes Intel HEX files (Intel, "Hexadecimal Object File Format Specification", rev. A, 1988): data (00),
/// end of file (01), extended segment address (02), start segment address (03), extended linear address (04) and
/// start linear address (05) records.
/// </summary>
public static class IntelHex
{
    // A record after its ':' start code, decoded from hexadecimal: byte count, 16-bit address offset (big-endian),
    // record type, the data, and a checksum that makes all of its bytes sum to zero (Intel HEX rev. A, "General Record Format").
    private const int ByteCountIndex = 0;
    private const int OffsetIndex = 1;
    private const int TypeIndex = 3;
    private const int RecordHeaderLength = 4;
    private const int MaxRecordBytes = RecordHeaderLength + 255 + 1;
    private const int MaxRecordLength = 255;
    private const byte DataRecord = 0x00;
    private const byte EndOfFileRecord = 0x01;
    private const byte ExtendedSegmentAddressRecord = 0x02;
    private const byte StartSegmentAddressRecord = 0x03;
    private const byte ExtendedLinearAddressRecord = 0x04;
    private const byte StartLinearAddressRecord = 0x05;
    private const ulong AddressSpaceEnd = 0x1_0000_0000;

    /// <summary>Reads an Intel HEX file.</summary>
    /// <param name="text">The file's bytes (ASCII). LF and CR LF line endings, blank lines and surrounding white space are accepted.</param>
    /// <returns>The file's memory image, start address and record facts.</returns>
    /// <exception cref="DfuFormatException">
    /// The file is malformed; <see cref="DfuFormatException.LineNumber"/> says where. A record's syntax
    /// (<see cref="DfuFormatError.RecordSyntax"/>), byte count (<see cref="DfuFormatError.RecordLengthMismatch"/>) or
    /// checksum (<see cref="DfuFormatError.RecordChecksumMismatch"/>) is wrong; the end-of-file record is missing
    /// (<see cref="DfuFormatError.MissingEofRecord"/>) or followed by more records; two records give one address
    /// different bytes (<see cref="DfuFormatError.OverlappingData"/>); or data runs past 0xFFFF_FFFF
    /// (<see cref="DfuFormatError.AddressOverflow"/>).
    /// </exception>
    public static IntelHexFile Read(ReadOnlySpan<byte> text)
    {
        (IntelHexFile file, MemoryImage image) = RecordDataSink.Read<IntelHexFile>(text, Parse);
        return file with { Image = image };
    }

    private static IntelHexFile Parse(ReadOnlySpan<byte> text, RecordDataSink sink)
    {
        var lines = new TextLineReader(text);
        int[] counts = new int[6];
        Span<byte> record = stackalloc byte[MaxRecordBytes];
        uint baseAddress = 0;
        bool segmentAddressing = false;
        bool endOfFile = false;
        int maxLength = 0;
        IntelHexStartAddress? start = null;

        while (lines.TryReadLine(out ReadOnlySpan<byte> line))
        {
            if (endOfFile)
            {
                throw lines.Error(DfuFormatError.RecordSyntax, "Expected nothing after the end-of-file record (01)");
            }

            if (line[0] != (byte)':')
            {
                throw lines.Error(DfuFormatError.RecordSyntax, $"Expected a record starting with ':', found '{Printable(line[0])}'");
            }

            ReadOnlySpan<byte> digits = line[1..];
            int bad = HexDigits.IndexOfNonDigit(digits);
            if (bad >= 0)
            {
                throw lines.Error(DfuFormatError.RecordSyntax, $"Expected a hexadecimal digit at column {bad + 2}, found '{Printable(digits[bad])}'");
            }

            if (digits.Length % 2 != 0 || digits.Length < 2 * (RecordHeaderLength + 1) || digits.Length > 2 * MaxRecordBytes)
            {
                throw lines.Error(DfuFormatError.RecordLengthMismatch, $"A record holds 5 to {MaxRecordBytes} whole bytes; this line has {digits.Length} hexadecimal digits");
            }

            Span<byte> bytes = record[..(digits.Length / 2)];
            HexDigits.Decode(digits, bytes);
            int count = bytes[ByteCountIndex];
            if (bytes.Length != count + RecordHeaderLength + 1)
            {
                throw lines.Error(DfuFormatError.RecordLengthMismatch, $"The byte count says {count} data bytes; the line holds {bytes.Length - RecordHeaderLength - 1}");
            }

            // The checksum makes all of the record's bytes sum to zero (two's complement).
            RecordChecksum.Verify(bytes, (byte)-RecordChecksum.Sum(bytes[..^1]), in lines);

            ushort offset = BinaryPrimitives.ReadUInt16BigEndian(bytes[OffsetIndex..]);
            byte type = bytes[TypeIndex];
            ReadOnlySpan<byte> data = bytes.Slice(RecordHeaderLength, count);
            if (type > StartLinearAddressRecord)
            {
                throw lines.Error(DfuFormatError.RecordSyntax, $"Unknown record type 0x{type:X2} (expected 00 to 05)");
            }

            counts[type]++;
            switch (type)
            {
                case DataRecord:
                    maxLength = Math.Max(maxLength, count);
                    if (segmentAddressing && offset + count > 0x1_0000)
                    {
                        // Intel HEX rev. A: with 02 addressing the offset wraps inside the 64 KiB segment.
                        int first = 0x1_0000 - offset;
                        sink.Write(baseAddress + offset, data[..first], in lines);
                        sink.Write(baseAddress, data[first..], in lines);
                    }
                    else
                    {
                        // With 04 (or no) extended addressing the address continues linearly past the 64 KiB
                        // boundary, as srec_cat and python-intelhex read it (srec_cat writes such records).
                        ulong address = (ulong)baseAddress + offset;
                        if (address + (ulong)count > AddressSpaceEnd)
                        {
                            throw lines.Error(DfuFormatError.AddressOverflow, $"{count} data bytes at 0x{address:X8} run past 0xFFFFFFFF");
                        }

                        sink.Write((uint)address, data, in lines);
                    }

                    break;
                case EndOfFileRecord:
                    RequireLength(count, 0, type, in lines);
                    endOfFile = true;
                    break;
                case ExtendedSegmentAddressRecord:
                    RequireLength(count, 2, type, in lines);
                    baseAddress = (uint)BinaryPrimitives.ReadUInt16BigEndian(data) << 4;
                    segmentAddressing = true;
                    break;
                case ExtendedLinearAddressRecord:
                    RequireLength(count, 2, type, in lines);
                    baseAddress = (uint)BinaryPrimitives.ReadUInt16BigEndian(data) << 16;
                    segmentAddressing = false;
                    break;
                case StartSegmentAddressRecord:
                    RequireLength(count, 4, type, in lines);
                    start = IntelHexStartAddress.Segment(
                        BinaryPrimitives.ReadUInt16BigEndian(data), BinaryPrimitives.ReadUInt16BigEndian(data[2..]));
                    break;
                default:
                    RequireLength(count, 4, type, in lines);
                    start = IntelHexStartAddress.Linear(BinaryPrimitives.ReadUInt32BigEndian(data));
                    break;
            }
        }

        if (!endOfFile)
        {
            throw new DfuFormatException(
                DfuFormatError.MissingEofRecord,
                "Expected an end-of-file record (:00000001FF) before the end of the file",
                lines.LineAfterEnd,
                text.Length);
        }

        IntelHexAddressing addressing = (counts[ExtendedSegmentAddressRecord] > 0, counts[ExtendedLinearAddressRecord] > 0) switch
        {
            (true, true) => IntelHexAddressing.Mixed,
            (true, false) => IntelHexAddressing.Segment,
            (false, true) => IntelHexAddressing.Linear,
            _ => IntelHexAddressing.Bits16,
        };

        return new IntelHexFile(MemoryImage.Empty, start)
        {
            Addressing = addressing,
            RecordCounts = ImmutableArray.Create(counts),
            MaxRecordDataLength = maxLength,
            LineEndings = lines.LineEndings,
        };
    }

    /// <summary>Reads an Intel HEX file from a stream (to its end).</summary>
    /// <param name="stream">The stream.</param>
    /// <returns>The file's memory image, start address and record facts.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is <see langword="null"/>.</exception>
    /// <exception cref="DfuFormatException">The file is malformed; see <see cref="Read(ReadOnlySpan{byte})"/>.</exception>
    public static IntelHexFile Read(Stream stream) => Read(TextInput.ReadAll(stream));

    /// <summary>Reads an Intel HEX file from a text reader (to its end).</summary>
    /// <param name="reader">The reader.</param>
    /// <returns>The file's memory image, start address and record facts.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="reader"/> is <see langword="null"/>.</exception>
    /// <exception cref="DfuFormatException">The file is malformed; see <see cref="Read(ReadOnlySpan{byte})"/>.</exception>
    public static IntelHexFile Read(TextReader reader) => Read(TextInput.ReadAll(reader));

    /// <summary>
    /// Writes an image as Intel HEX the way srec_cat (srecord 1.64) does: each segment is cut into records of
    /// <see cref="IntelHexWriteOptions.RecordLength"/> bytes from its first address and from every multiple of 1792
    /// (7 × 256, srec_cat's memory chunk, where srec_cat starts a new record); an extended address record
    /// precedes the first data record and every record whose upper address bits change; then the start address
    /// record, if any, and the end-of-file record. With linear addressing a record may run across a 64 KiB boundary
    /// (the address continues); with segment addressing records are split there.
    /// </summary>
    /// <param name="image">The data.</param>
    /// <param name="destination">Where to write the text.</param>
    /// <param name="options">The layout; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="image"/> or <paramref name="destination"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <exception cref="DfuFormatException">
    /// The data lies above what the chosen addressing reaches (<see cref="DfuFormatError.AddressOverflow"/>): 0xFFFF for
    /// <see cref="IntelHexAddressing.Bits16"/>, 0xFFFFF for <see cref="IntelHexAddressing.Segment"/>. Nothing is written then.
    /// </exception>
    public static void Write(MemoryImage image, IBufferWriter<byte> destination, IntelHexWriteOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(destination);
        options ??= new IntelHexWriteOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.RecordLength, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.RecordLength, MaxRecordLength, nameof(options));
        ReadOnlySpan<byte> newLine = TextInput.NewLine(options.LineEnding, nameof(options));
        IntelHexAddressing addressing = options.Addressing;
        ulong limit = addressing switch
        {
            IntelHexAddressing.Linear => AddressSpaceEnd,
            IntelHexAddressing.Segment => 0x10_0000,
            IntelHexAddressing.Bits16 => 0x1_0000,
            _ => throw new ArgumentOutOfRangeException(nameof(options), addressing, "Addressing must be Linear, Segment or Bits16."),
        };

        if (image.EndAddress > limit)
        {
            throw new DfuFormatException(
                DfuFormatError.AddressOverflow,
                $"Data up to 0x{image.EndAddress - 1:X8} cannot be written with {addressing} Intel HEX addressing (highest address 0x{limit - 1:X8})");
        }

        var writer = new RecordWriter(destination, newLine, addressing);
        foreach (MemorySegment segment in image.Segments)
        {
            ReadOnlySpan<byte> data = segment.Data.Span;
            uint address = segment.Address;
            while (!data.IsEmpty)
            {
                int length = RecordLayout.NextLength(address, data.Length, options.RecordLength);
                int toBoundary = 0x1_0000 - (int)(address & 0xFFFF);
                if (addressing == IntelHexAddressing.Segment && length > toBoundary)
                {
                    // A record crossing a segment boundary would wrap (Intel HEX rev. A); split it, as srec_cat does.
                    writer.Data(address, data[..toBoundary]);
                    writer.Data(address + (uint)toBoundary, data[toBoundary..length]);
                }
                else
                {
                    writer.Data(address, data[..length]);
                }

                data = data[length..];
                address += (uint)length;
            }
        }

        if (options.StartAddress is { } start)
        {
            Span<byte> value = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(value, start.Value);
            writer.Record(start.Kind == IntelHexStartKind.Linear ? StartLinearAddressRecord : StartSegmentAddressRecord, 0, value);
        }

        writer.Record(EndOfFileRecord, 0, []);
    }

    private static void RequireLength(int count, int expected, byte type, in TextLineReader lines)
    {
        if (count != expected)
        {
            throw lines.Error(DfuFormatError.RecordSyntax, $"A type {type:X2} record holds {expected} data bytes, this one {count}");
        }
    }

    private static string Printable(byte b) => b is >= 0x20 and < 0x7F ? ((char)b).ToString() : $"\\x{b:X2}";

    private ref struct RecordWriter(IBufferWriter<byte> destination, ReadOnlySpan<byte> newLine, IntelHexAddressing addressing)
    {
        private readonly ReadOnlySpan<byte> _newLine = newLine;
        private uint? _upper;

        public void Data(uint address, ReadOnlySpan<byte> data)
        {
            uint upper = address & 0xFFFF_0000;
            if (addressing != IntelHexAddressing.Bits16 && upper != _upper)
            {
                Span<byte> value = stackalloc byte[2];
                if (addressing == IntelHexAddressing.Linear)
                {
                    BinaryPrimitives.WriteUInt16BigEndian(value, (ushort)(upper >> 16));
                    Record(ExtendedLinearAddressRecord, 0, value);
                }
                else
                {
                    BinaryPrimitives.WriteUInt16BigEndian(value, (ushort)(upper >> 4));
                    Record(ExtendedSegmentAddressRecord, 0, value);
                }

                _upper = upper;
            }

            Record(DataRecord, (ushort)address, data);
        }

        public readonly void Record(byte type, ushort offset, ReadOnlySpan<byte> data)
        {
            int length = 1 + (2 * (RecordHeaderLength + data.Length + 1)) + _newLine.Length;
            Span<byte> span = destination.GetSpan(length);
            span[0] = (byte)':';
            byte sum = (byte)(data.Length + (offset >> 8) + offset + type);
            HexDigits.Write(span[1..], (byte)data.Length);
            HexDigits.Write(span[3..], (byte)(offset >> 8));
            HexDigits.Write(span[5..], (byte)offset);
            HexDigits.Write(span[7..], type);
            int position = 9;
            foreach (byte b in data)
            {
                HexDigits.Write(span[position..], b);
                sum += b;
                position += 2;
            }

            HexDigits.Write(span[position..], (byte)-sum);
            _newLine.CopyTo(span[(position + 2)..]);
            destination.Advance(length);
        }
    }
}

/// <summary>Wraps the stream and text-reader overloads of the text readers and their shared option checks.</summary>
internal static class TextInput
{
    public static byte[] ReadAll(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (stream.CanSeek)
        {
            long remaining = stream.Length - stream.Position;
            if (remaining > Array.MaxLength)
            {
                throw new DfuFormatException(DfuFormatError.TooLarge, $"The input is {remaining} bytes, more than one buffer can hold");
            }
        }

        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    public static byte[] ReadAll(TextReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);

        // Latin-1 maps every character below U+0100 to one byte; anything else becomes '?', a syntax error.
        return Encoding.Latin1.GetBytes(reader.ReadToEnd());
    }

    public static ReadOnlySpan<byte> NewLine(LineEndings lineEnding, string parameterName) => lineEnding switch
    {
        LineEndings.Lf => "\n"u8,
        LineEndings.CrLf => "\r\n"u8,
        _ => throw new ArgumentOutOfRangeException(parameterName, lineEnding, "The line ending must be Lf or CrLf."),
    };
}
