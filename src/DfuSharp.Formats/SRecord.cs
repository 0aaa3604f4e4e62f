using System.Buffers;
using System.Collections.Immutable;

namespace DfuSharp.Formats;

/// <summary>
/// Reads and writes Motorola S-record files (Motorola M68000 Family Programmer's Reference Manual, Appendix C;
/// srec(5)): header S0, data S1/S2/S3 (16/24/32-bit addresses, mixed freely), count S5/S6 and termination S7/S8/S9.
/// </summary>
public static class SRecord
{
    private const int MaxRecordBytes = 256; // byte count + up to 255 counted bytes
    private const ulong AddressSpaceEnd = 0x1_0000_0000;

    /// <summary>Address bytes of S0 to S9 (S4 is reserved).</summary>
    private static ReadOnlySpan<byte> AddressLengths => [2, 2, 3, 4, 0, 2, 3, 4, 3, 2];

    /// <summary>Reads an S-record file.</summary>
    /// <param name="text">
    /// The file's bytes (ASCII). LF and CR LF line endings, blank lines and surrounding white space are accepted; the
    /// termination record is optional (srec_cat leaves it out when there is no start address).
    /// </param>
    /// <returns>The file's memory image, header, start address and record facts.</returns>
    /// <exception cref="DfuFormatException">
    /// The file is malformed; <see cref="DfuFormatException.LineNumber"/> says where. A record's syntax
    /// (<see cref="DfuFormatError.RecordSyntax"/>, including S4 and records after the termination record), byte count
    /// (<see cref="DfuFormatError.RecordLengthMismatch"/>) or checksum (<see cref="DfuFormatError.RecordChecksumMismatch"/>)
    /// is wrong; an S5/S6 count disagrees with the data records before it (<see cref="DfuFormatError.CountRecordMismatch"/>);
    /// two records give one address different bytes (<see cref="DfuFormatError.OverlappingData"/>); or data runs past
    /// 0xFFFF_FFFF (<see cref="DfuFormatError.AddressOverflow"/>).
    /// </exception>
    public static SRecordFile Read(ReadOnlySpan<byte> text)
    {
        (SRecordFile file, MemoryImage image) = RecordDataSink.Read<SRecordFile>(text, Parse);
        return file with { Image = image };
    }

    private static SRecordFile Parse(ReadOnlySpan<byte> text, RecordDataSink sink)
    {
        var lines = new TextLineReader(text);
        int[] counts = new int[10];
        Span<byte> record = stackalloc byte[MaxRecordBytes];
        int dataRecords = 0;
        int maxLength = 0;
        byte[]? header = null;
        uint? start = null;
        int? countRecord = null;
        bool terminated = false;

        while (lines.TryReadLine(out ReadOnlySpan<byte> line))
        {
            if (terminated)
            {
                throw lines.Error(DfuFormatError.RecordSyntax, "Expected nothing after the termination record (S7, S8 or S9)");
            }

            if (line.Length < 2 || (line[0] | 0x20) != (byte)'s' || line[1] is < (byte)'0' or > (byte)'9')
            {
                throw lines.Error(DfuFormatError.RecordSyntax, "Expected a record starting with 'S' and a type digit 0 to 9");
            }

            int type = line[1] - '0';
            ReadOnlySpan<byte> digits = line[2..];
            int bad = HexDigits.IndexOfNonDigit(digits);
            if (bad >= 0)
            {
                throw lines.Error(DfuFormatError.RecordSyntax, $"Expected a hexadecimal digit at column {bad + 3}");
            }

            if (digits.Length % 2 != 0 || digits.Length < 4 || digits.Length > 2 * MaxRecordBytes)
            {
                throw lines.Error(DfuFormatError.RecordLengthMismatch, $"A record holds 2 to {MaxRecordBytes} whole bytes after its type; this line has {digits.Length} hexadecimal digits");
            }

            Span<byte> bytes = record[..(digits.Length / 2)];
            HexDigits.Decode(digits, bytes);
            int count = bytes[0];
            if (count != bytes.Length - 1)
            {
                throw lines.Error(DfuFormatError.RecordLengthMismatch, $"The byte count says {count} bytes follow; the line holds {bytes.Length - 1}");
            }

            // The checksum is the one's complement of the sum of the count, address and data bytes (srec(5)).
            RecordChecksum.Verify(bytes, (byte)~RecordChecksum.Sum(bytes[..^1]), in lines);

            if (type == 4)
            {
                throw lines.Error(DfuFormatError.RecordSyntax, "S4 is a reserved record type");
            }

            int addressLength = AddressLengths[type];
            if (count < addressLength + 1)
            {
                throw lines.Error(DfuFormatError.RecordLengthMismatch, $"An S{type} record holds at least {addressLength + 1} bytes after its byte count; this one {count}");
            }

            uint address = 0;
            foreach (byte b in bytes.Slice(1, addressLength))
            {
                address = (address << 8) | b;
            }

            ReadOnlySpan<byte> data = bytes[(1 + addressLength)..^1];
            counts[type]++;
            switch (type)
            {
                case 0:
                    header ??= data.ToArray();
                    break;
                case 1 or 2 or 3:
                    dataRecords++;
                    maxLength = Math.Max(maxLength, data.Length);
                    if ((ulong)address + (ulong)data.Length > AddressSpaceEnd)
                    {
                        throw lines.Error(DfuFormatError.AddressOverflow, $"{data.Length} data bytes at 0x{address:X8} run past 0xFFFFFFFF");
                    }

                    sink.Write(address, data, in lines);
                    break;
                case 5 or 6:
                    // The count field is 16 (S5) or 24 (S6) bits wide; compare modulo its width.
                    uint mask = type == 5 ? 0xFFFFu : 0xFF_FFFFu;
                    if (address != ((uint)dataRecords & mask))
                    {
                        throw lines.Error(DfuFormatError.CountRecordMismatch, $"The S{type} count record says {address} data records; {dataRecords} precede it");
                    }

                    countRecord = (int)address;
                    break;
                default:
                    start = address;
                    terminated = true;
                    break;
            }
        }

        return new SRecordFile(MemoryImage.Empty, header is null ? (ReadOnlyMemory<byte>?)null : header, start)
        {
            CountRecord = countRecord,
            RecordCounts = ImmutableArray.Create(counts),
            MaxRecordDataLength = maxLength,
            LineEndings = lines.LineEndings,
        };
    }

    /// <summary>Reads an S-record file from a stream (to its end).</summary>
    /// <param name="stream">The stream.</param>
    /// <returns>The file's memory image, header, start address and record facts.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is <see langword="null"/>.</exception>
    /// <exception cref="DfuFormatException">The file is malformed; see <see cref="Read(ReadOnlySpan{byte})"/>.</exception>
    public static SRecordFile Read(Stream stream) => Read(TextInput.ReadAll(stream));

    /// <summary>Reads an S-record file from a text reader (to its end).</summary>
    /// <param name="reader">The reader.</param>
    /// <returns>The file's memory image, header, start address and record facts.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="reader"/> is <see langword="null"/>.</exception>
    /// <exception cref="DfuFormatException">The file is malformed; see <see cref="Read(ReadOnlySpan{byte})"/>.</exception>
    public static SRecordFile Read(TextReader reader) => Read(TextInput.ReadAll(reader));

    /// <summary>
    /// Writes an image as S-records: the S0 header (empty by default), each segment cut into data records of
    /// <see cref="SRecordWriteOptions.RecordLength"/> bytes from its first address (and, as srec_cat does, from every
    /// multiple of 1792, srec_cat's memory chunk), the S5/S6 count (left out when more than 16,777,215 data records
    /// would overflow it), and the S9, S8 or S7 termination record, which holds the start address or 0. srec_cat reads the default
    /// output without a warning. All data records have one type; with the same address width, header and
    /// record length srec_cat (srecord 1.64, <c>-address-length=</c>) writes the same bytes.
    /// </summary>
    /// <param name="image">The data.</param>
    /// <param name="destination">Where to write the text.</param>
    /// <param name="options">The layout; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="image"/> or <paramref name="destination"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (record length, header length, line ending).</exception>
    /// <exception cref="DfuFormatException">
    /// The data or start address does not fit the forced address width (<see cref="DfuFormatError.AddressOverflow"/>).
    /// Nothing is written then.
    /// </exception>
    public static void Write(MemoryImage image, IBufferWriter<byte> destination, SRecordWriteOptions? options = null)
    {
        const long MaxCountRecord = 0xFF_FFFF;
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(destination);
        options ??= new SRecordWriteOptions();
        ReadOnlySpan<byte> newLine = TextInput.NewLine(options.LineEnding, nameof(options));
        if (options.Header is { Length: > 252 } tooLong)
        {
            throw new ArgumentOutOfRangeException(nameof(options), tooLong.Length, "An S0 header holds at most 252 bytes.");
        }

        ulong highest = Math.Max(image.IsEmpty ? 0 : image.EndAddress - 1, options.StartAddress ?? 0);
        int needed = highest <= 0xFFFF ? 2 : highest <= 0xFF_FFFF ? 3 : 4;
        int width = options.AddressWidth switch
        {
            SRecordAddressWidth.Automatic => needed,
            SRecordAddressWidth.Bits16 or SRecordAddressWidth.Bits24 or SRecordAddressWidth.Bits32 => (int)options.AddressWidth,
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.AddressWidth, "Unknown address width."),
        };
        if (width < needed)
        {
            throw new DfuFormatException(
                DfuFormatError.AddressOverflow,
                $"Address 0x{highest:X8} does not fit S{width - 1} records ({8 * width}-bit addresses)");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(options.RecordLength, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.RecordLength, 254 - width, nameof(options));

        long recordCount = 0;
        foreach (MemorySegment segment in image.Segments)
        {
            uint address = segment.Address;
            for (int remaining = segment.Length; remaining > 0; recordCount++)
            {
                int length = RecordLayout.NextLength(address, remaining, options.RecordLength);
                address += (uint)length;
                remaining -= length;
            }
        }

        if (options.Header is { } header)
        {
            WriteRecord(destination, newLine, 0, 0, 2, header.Span);
        }

        foreach (MemorySegment segment in image.Segments)
        {
            ReadOnlySpan<byte> data = segment.Data.Span;
            uint address = segment.Address;
            while (!data.IsEmpty)
            {
                int length = RecordLayout.NextLength(address, data.Length, options.RecordLength);
                WriteRecord(destination, newLine, width - 1, address, width, data[..length]);
                data = data[length..];
                address += (uint)length;
            }
        }

        // The count record is optional (Motorola's S-record format): with more data records than S6's 24 bits can
        // count, it is left out rather than the file refused.
        if (options.WriteCountRecord && recordCount <= MaxCountRecord)
        {
            bool small = recordCount <= 0xFFFF;
            WriteRecord(destination, newLine, small ? 5 : 6, (uint)recordCount, small ? 2 : 3, []);
        }

        // A file ends with the termination record of its address width (S9, S8 or S7), as srec_cat expects; without a
        // start address it holds 0.
        if (options.WriteTerminationRecord)
        {
            WriteRecord(destination, newLine, 11 - width, options.StartAddress ?? 0, width, []);
        }
    }

    private static void WriteRecord(IBufferWriter<byte> destination, ReadOnlySpan<byte> newLine, int type, uint address, int addressLength, ReadOnlySpan<byte> data)
    {
        int count = addressLength + data.Length + 1;
        int length = 2 + (2 * (count + 1)) + newLine.Length;
        Span<byte> span = destination.GetSpan(length);
        span[0] = (byte)'S';
        span[1] = (byte)('0' + type);
        HexDigits.Write(span[2..], (byte)count);
        byte sum = (byte)count;
        int position = 4;
        for (int shift = 8 * (addressLength - 1); shift >= 0; shift -= 8)
        {
            byte b = (byte)(address >> shift);
            HexDigits.Write(span[position..], b);
            sum += b;
            position += 2;
        }

        foreach (byte b in data)
        {
            HexDigits.Write(span[position..], b);
            sum += b;
            position += 2;
        }

        HexDigits.Write(span[position..], (byte)~sum);
        newLine.CopyTo(span[(position + 2)..]);
        destination.Advance(length);
    }
}
