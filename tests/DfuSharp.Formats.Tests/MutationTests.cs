using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Text;

using DfuSharp.Formats;

using Xunit.Abstractions;

namespace DfuSharp.Formats.Tests;

/// <summary>
/// Seeded mutation testing of every parser: bit flips, truncations, insertions, deletions and edits of the size fields
/// parsers trust (DfuSe DFUImageSize, bTargets, dwTargetSize, dwNbElements, dwElementAddress, dwElementSize; suffix
/// bLength; Stellaris payload length; HEX and S-record byte counts). The seeds are files made by our own writers (plain,
/// DfuSe and Stellaris-prefixed .dfu, Intel HEX with 04 and 02 addressing, S1, S2 and S3 records) and, when present,
/// every shared vector. Half of the mutated DFU files get their CRC fixed again, and half of the mutated text files
/// their record checksums, so that the mutation reaches the parsers behind those checks. Each case must either parse
/// or raise <see cref="DfuFormatException"/>, and must not allocate more than a small multiple of its input.
/// DFUSHARP_MUTATIONS sets the number of cases (default 4000; the long mode is 1000000) and DFUSHARP_MUTATION_SEED the seed.
/// </summary>
public sealed class MutationTests(ITestOutputHelper output)
{
    private const int DefaultCases = 4000;
    private const int DefaultSeed = 0x00DF_0511;
    private const int SyntheticSeed = 2024;
    private const long AllocationFactor = 16;
    private const long AllocationSlack = 64 * 1024;

    // ST UM0391 §2: the DfuSe prefix is "DfuSe", bVersion, DFUImageSize (u32), bTargets; a target prefix is "Target",
    // bAlternateSetting, bTargetNamed (u32), szTargetName[255], dwTargetSize, dwNbElements; an element header is
    // dwElementAddress, dwElementSize.
    private const int DfuSeImageSizeOffset = 6;
    private const int DfuSeTargetsOffset = 10;
    private const int DfuSePrefixLength = 11;
    private const int TargetPrefixLength = 274;
    private const int TargetSizeOffset = 266;
    private const int TargetElementsOffset = 270;
    private const int ElementHeaderLength = 8;
    private const int ElementSizeOffset = 4;

    // dfu-prefix -s: 01 00, the address in KiB (u16), the payload length (u32).
    private const int StellarisPayloadLengthOffset = 4;

    // DFU 1.1 Appendix B: the suffix's bLength is 5 bytes from the end, dwCRC the last 4.
    private const int SuffixLengthFromEnd = 5;
    private const int CrcLength = 4;

    private static readonly SearchValues<byte> s_hexDigits = SearchValues.Create("0123456789ABCDEFabcdef"u8);

    private static readonly (string Name, Func<byte[], object> Parse)[] s_dfuParsers =
    [
        ("DfuFile.Read", b => DfuFile.Read(b)),
        ("DfuFile.Inspect(no CRC check)", b => DfuFile.Inspect(b, new DfuReadOptions { VerifyCrc = false })),
        ("DfuFile.Read(optional suffix)", b => DfuFile.Read(b, new DfuReadOptions { SuffixPolicy = DfuSuffixPolicy.Optional })),
        ("DfuFile.Read(no suffix)", b => DfuFile.Read(b, new DfuReadOptions { SuffixPolicy = DfuSuffixPolicy.None })),
    ];

    private static readonly (string Name, Func<byte[], object> Parse)[] s_hexParsers = [("IntelHex.Read", b => IntelHex.Read(b))];

    private static readonly (string Name, Func<byte[], object> Parse)[] s_srecParsers = [("SRecord.Read", b => SRecord.Read(b))];

    private enum Mutation
    {
        BitFlips,
        Truncate,
        Insert,
        Delete,
        SizeField,
    }

    private enum SeedFormat
    {
        Dfu,
        IntelHex,
        SRecord,
        Binary,
    }

    [Fact]
    public void Parsers_MutatedSeeds_OnlyRaiseDfuFormatExceptionWithinAllocationBound()
    {
        int cases = ReadSetting("DFUSHARP_MUTATIONS", DefaultCases);
        int seed = ReadSetting("DFUSHARP_MUTATION_SEED", DefaultSeed);
        Seed[] synthetic = SyntheticSeeds();
        Seed[] vectors = VectorSeeds();
        Seed[] seeds = [.. synthetic, .. vectors];
        output.WriteLine(vectors.Length > 0
            ? $"seeds: {synthetic.Length} synthetic, {vectors.Length} shared vectors"
            : $"seeds: {synthetic.Length} synthetic; shared vectors absent ({TestPaths.VectorsSkipReason})");

        var random = new Random(seed);
        var failures = new List<string>();
        var counts = new Dictionary<string, int>();
        double maxAllocationRatio = 0;
        TimeSpan maxCase = TimeSpan.Zero;
        string maxCaseName = string.Empty;
        int accepted = 0, rejected = 0;

        for (int i = 0; i < cases && failures.Count < 10; i++)
        {
            // Round-robin over the seeds so that every seed is mutated, whatever the case count.
            Seed original = seeds[i % seeds.Length];
            var mutation = (Mutation)random.Next(5);
            byte[] input = Mutate(original, mutation, random, out string what);
            bool refix = random.Next(2) == 0;
            if (refix)
            {
                RefixChecks(input);
            }

            string caseName = $"case {i} (seed {seed}) {original.Name}: {what}{(refix ? ", checks re-fixed" : string.Empty)}";
            counts[mutation.ToString()] = counts.GetValueOrDefault(mutation.ToString()) + 1;
            foreach (var (parser, parse) in ParsersFor(original.Format))
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                long started = Stopwatch.GetTimestamp();
                try
                {
                    parse(input);
                    accepted++;
                }
                catch (DfuFormatException)
                {
                    rejected++;
                }
                catch (Exception ex)
                {
                    failures.Add($"{caseName}: {parser} threw {ex.GetType().Name}: {ex.Message}");
                }

                TimeSpan elapsed = Stopwatch.GetElapsedTime(started);
                long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                long bound = (AllocationFactor * input.Length) + AllocationSlack;
                if (allocated > bound)
                {
                    failures.Add($"{caseName}: {parser} allocated {allocated} bytes for a {input.Length}-byte input (bound {bound})");
                }

                maxAllocationRatio = Math.Max(maxAllocationRatio, (double)allocated / (input.Length + AllocationSlack));
                if (elapsed > maxCase)
                {
                    maxCase = elapsed;
                    maxCaseName = $"{caseName} [{parser}, {input.Length} bytes]";
                }
            }
        }

        output.WriteLine($"{cases} cases over {seeds.Length} seeds (seed {seed}): {accepted} parses accepted, {rejected} rejected with DfuFormatException");
        output.WriteLine($"mutations: {string.Join(", ", counts.Select(c => $"{c.Key} {c.Value}"))}");
        output.WriteLine($"largest allocation / (input + 64 KiB): {maxAllocationRatio:F2}");
        output.WriteLine($"slowest parse: {maxCase.TotalMilliseconds:F1} ms, {maxCaseName}");
        failures.Should().BeEmpty();
        rejected.Should().BeGreaterThan(0, "mutations must reach the error paths");
        accepted.Should().BeGreaterThan(0, "some mutations (for example of data bytes with re-fixed checks) must still parse");
    }

    [Fact]
    public void SyntheticSeeds_EveryFormatAndAddressing_ParseUnmutated()
    {
        Seed[] seeds = SyntheticSeeds();

        foreach (Seed seed in seeds)
        {
            foreach (var (parser, parse) in ParsersFor(seed.Format).Take(1))
            {
                FluentActions.Invoking(() => parse(seed.Bytes)).Should().NotThrow("{0} must parse {1}", parser, seed.Name);
            }
        }

        seeds.Select(s => s.Format).Should().Contain([SeedFormat.Dfu, SeedFormat.IntelHex, SeedFormat.SRecord]);
        IntelHex.Read(seeds.Single(s => s.Name == "synthetic 02.hex").Bytes).Addressing.Should().Be(IntelHexAddressing.Segment);
        IntelHex.Read(seeds.Single(s => s.Name == "synthetic 04.hex").Bytes).Addressing.Should().Be(IntelHexAddressing.Linear);
        foreach (int type in new[] { 1, 2, 3 })
        {
            SRecord.Read(seeds.Single(s => s.Name == $"synthetic S{type}.srec").Bytes).RecordCounts[type].Should().BeGreaterThan(0);
        }
    }

    [Fact]
    public void Mutate_SameSeed_SameCases()
    {
        Seed original = SyntheticSeeds().Single(s => s.Name == "synthetic DfuSe.dfu");
        var first = new Random(7);
        var second = new Random(7);
        for (int i = 0; i < 50; i++)
        {
            var mutation = (Mutation)(i % 5);
            byte[] a = Mutate(original, mutation, first, out string whatA);
            byte[] b = Mutate(original, mutation, second, out string whatB);
            a.Should().Equal(b);
            whatA.Should().Be(whatB);
        }
    }

    [Fact]
    public void RefixChecks_MutatedDfuFile_RestoresValidCrc()
    {
        byte[] input = DfuMalformedTests.PlainFile(40);
        input[0] ^= 0x01;
        FluentActions.Invoking(() => DfuFile.Read(input)).Should().Throw<DfuFormatException>()
            .Which.Error.Should().Be(DfuFormatError.CrcMismatch);

        RefixChecks(input);

        DfuFile.Read(input).Firmware.Length.Should().Be(input.Length - 16);
    }

    [Theory]
    [InlineData("hex", 9)]
    [InlineData("srec", 8)]
    public void RefixChecks_MutatedTextRecord_RestoresValidChecksum(string format, int firstDataDigit)
    {
        MemoryImage image = MemoryImage.FromBytes(0x100, [0x12, 0x34, 0x56]);
        Func<byte[], object> read = format == "hex" ? b => IntelHex.Read(b) : b => SRecord.Read(b);
        byte[] input = format == "hex"
            ? TextFormats.IntelHexBytes(image, new IntelHexWriteOptions { Addressing = IntelHexAddressing.Bits16 })
            : TextFormats.SRecordBytes(image, new SRecordWriteOptions { WriteCountRecord = false });
        input[firstDataDigit] = input[firstDataDigit] == (byte)'0' ? (byte)'1' : (byte)'0';
        FluentActions.Invoking(() => read(input)).Should().Throw<DfuFormatException>()
            .Which.Error.Should().Be(DfuFormatError.RecordChecksumMismatch);

        RefixChecks(input);

        read(input).Should().NotBeNull();
    }

    private static Seed[] SyntheticSeeds()
    {
        var random = new Random(SyntheticSeed);
        var seeds = new List<Seed>
        {
            new("synthetic plain.dfu", SeedFormat.Dfu, DfuMalformedTests.PlainFile(40)),
            new("synthetic DfuSe.dfu", SeedFormat.Dfu, DfuMalformedTests.DfuSeFile()),
            new("synthetic two-target DfuSe.dfu", SeedFormat.Dfu, DfuFile.FromDfuSe(new DfuSeImage([
                new DfuSeTarget(0, "Internal Flash", [new DfuSeElement(0x0800_0000, DfuTestHelpers.RandomBytes(3, 64))]),
                new DfuSeTarget(1, string.Empty, [new DfuSeElement(0x1FFF_7800, DfuTestHelpers.RandomBytes(4, 16)), new DfuSeElement(0x1FFF_C000, DfuTestHelpers.RandomBytes(5, 8))]),
            ])).ToArray()),
            new("synthetic Stellaris.dfu", SeedFormat.Dfu, new DfuFile
            {
                Prefix = DfuPrefixes.CreateStellaris(0x2000, 50),
                Firmware = DfuTestHelpers.RandomBytes(6, 50),
                Suffix = new DfuSuffix(),
            }.ToArray()),
        };

        MemoryImage linear = MemoryImageRandom.Image(MemoryImageRandom.Segments(random, (uint)random.Next(), 0x1_0000_0000, 3, 300));
        seeds.Add(new("synthetic 04.hex", SeedFormat.IntelHex, TextFormats.IntelHexBytes(linear, new IntelHexWriteOptions { StartAddress = IntelHexStartAddress.Linear(linear.StartAddress) })));
        MemoryImage segmented = MemoryImageRandom.Image(MemoryImageRandom.Segments(random, (uint)random.Next(0, 0xC_0000), 0x10_0000, 3, 300));
        seeds.Add(new("synthetic 02.hex", SeedFormat.IntelHex, TextFormats.IntelHexBytes(segmented, new IntelHexWriteOptions
        {
            Addressing = IntelHexAddressing.Segment,
            StartAddress = IntelHexStartAddress.Segment(0x1234, 0x0100),
        })));

        (SRecordAddressWidth Width, uint Lowest, ulong Limit)[] widths =
        [
            (SRecordAddressWidth.Bits16, 0, 0x1_0000),
            (SRecordAddressWidth.Bits24, (uint)random.Next(0x1_0000, 0xF0_0000), 0x100_0000),
            (SRecordAddressWidth.Bits32, (uint)random.Next(0x100_0000, 0x7000_0000) * 2, 0x1_0000_0000),
        ];
        foreach (var (width, lowest, limit) in widths)
        {
            MemoryImage image = MemoryImageRandom.Image(MemoryImageRandom.Segments(random, lowest, limit, 3, 300));
            seeds.Add(new($"synthetic S{(int)width - 1}.srec", SeedFormat.SRecord, TextFormats.SRecordBytes(image, new SRecordWriteOptions
            {
                AddressWidth = width,
                Header = "hdr"u8.ToArray(),
                StartAddress = image.StartAddress,
            })));
        }

        return [.. seeds];
    }

    private static Seed[] VectorSeeds()
        => TestPaths.VectorsAvailable
            ? [.. VectorManifest.Entries.Select(e => new Seed(e.Name, FormatOf(e), e.ReadBytes()))]
            : [];

    private static SeedFormat FormatOf(VectorEntry entry) => (entry.Format ?? entry.Kind) switch
    {
        "ihex" or "hex" => SeedFormat.IntelHex,
        "srec" => SeedFormat.SRecord,
        "bin" => SeedFormat.Binary,
        _ => SeedFormat.Dfu,
    };

    private static IEnumerable<(string Name, Func<byte[], object> Parse)> ParsersFor(SeedFormat format) => format switch
    {
        // A text file mutated into something else still goes through the DFU reader, which must reject it cleanly.
        SeedFormat.IntelHex => [.. s_hexParsers, s_dfuParsers[0]],
        SeedFormat.SRecord => [.. s_srecParsers, s_dfuParsers[0]],
        SeedFormat.Binary => [.. s_dfuParsers, .. s_hexParsers, .. s_srecParsers],
        _ => s_dfuParsers,
    };

    private static byte[] Mutate(Seed seed, Mutation mutation, Random random, out string what)
    {
        byte[] original = seed.Bytes;
        switch (mutation)
        {
            case Mutation.BitFlips when original.Length > 0:
            {
                byte[] copy = (byte[])original.Clone();
                int flips = random.Next(1, 9);
                for (int f = 0; f < flips; f++)
                {
                    copy[random.Next(copy.Length)] ^= (byte)(1 << random.Next(8));
                }

                what = $"{flips} bit flip(s)";
                return copy;
            }

            case Mutation.Truncate when original.Length > 0:
            {
                int length = random.Next(original.Length);
                what = $"truncated to {length} bytes";
                return original[..length];
            }

            case Mutation.Delete when original.Length > 0:
            {
                int at = random.Next(original.Length);
                int length = Math.Min(random.Next(1, 17), original.Length - at);
                what = $"{length} byte(s) deleted at {at}";
                return [.. original.AsSpan(0, at), .. original.AsSpan(at + length)];
            }

            case Mutation.SizeField:
            {
                byte[] copy = (byte[])original.Clone();
                if (EditSizeField(copy, seed.Format, random, out what))
                {
                    return copy;
                }

                goto default;
            }

            default:
            {
                int at = random.Next(original.Length + 1);
                byte[] inserted = new byte[random.Next(1, 17)];
                switch (random.Next(3))
                {
                    case 0 when original.Length > 0:
                        // Duplicate existing bytes: structure-looking insertions reach further than noise.
                        int from = random.Next(original.Length);
                        int take = Math.Min(inserted.Length, original.Length - from);
                        inserted = original.AsSpan(from, take).ToArray();
                        break;
                    case 1:
                        // Characters of the record syntax: new digits, start codes and line breaks.
                        for (int k = 0; k < inserted.Length; k++)
                        {
                            inserted[k] = (byte)"0123456789ABCDEF:\nS"[random.Next(19)];
                        }

                        break;
                    default:
                        random.NextBytes(inserted);
                        break;
                }

                what = $"{inserted.Length} byte(s) inserted at {at}";
                return [.. original.AsSpan(0, at), .. inserted, .. original.AsSpan(at)];
            }
        }
    }

    private static bool EditSizeField(byte[] file, SeedFormat format, Random random, out string what)
    {
        if (format is SeedFormat.IntelHex or SeedFormat.SRecord)
        {
            return EditRecordByteCount(file, random, out what);
        }

        var fields = new List<(string Name, int Offset, int Width, long Value)>();
        if (HasSuffix(file))
        {
            fields.Add(("suffix bLength", file.Length - SuffixLengthFromEnd, 1, file[^SuffixLengthFromEnd]));
            if (file.AsSpan().StartsWith((ReadOnlySpan<byte>)[0x01, 0x00]))
            {
                fields.Add(("Stellaris payload length", StellarisPayloadLengthOffset, 4, BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(StellarisPayloadLengthOffset))));
            }
        }

        CollectDfuSeFields(file, fields);
        if (fields.Count == 0)
        {
            what = string.Empty;
            return false;
        }

        var (name, offset, width, value) = fields[random.Next(fields.Count)];
        long max = width == 1 ? byte.MaxValue : uint.MaxValue;
        long[] choices = [0, 1, value - 1, value + 1, value + random.Next(2, 300), max, max / 2, random.NextInt64(max + 1)];
        long edited = Math.Clamp(choices[random.Next(choices.Length)], 0, max);
        if (width == 1)
        {
            file[offset] = (byte)edited;
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(offset), (uint)edited);
        }

        what = $"{name} at {offset} changed from {value} to {edited}";
        return true;
    }

    // Walks a DfuSe body by its own size fields, stopping where they stop making sense, and lists every size field.
    private static void CollectDfuSeFields(byte[] file, List<(string, int, int, long)> fields)
    {
        ReadOnlySpan<byte> span = file;
        if (!span.StartsWith("DfuSe"u8) || span.Length < DfuSePrefixLength)
        {
            return;
        }

        fields.Add(("DFUImageSize", DfuSeImageSizeOffset, 4, BinaryPrimitives.ReadUInt32LittleEndian(span[DfuSeImageSizeOffset..])));
        fields.Add(("bTargets", DfuSeTargetsOffset, 1, span[DfuSeTargetsOffset]));
        int position = DfuSePrefixLength;
        for (int t = 0; t < span[DfuSeTargetsOffset] && position + TargetPrefixLength <= span.Length; t++)
        {
            uint targetSize = BinaryPrimitives.ReadUInt32LittleEndian(span[(position + TargetSizeOffset)..]);
            uint elements = BinaryPrimitives.ReadUInt32LittleEndian(span[(position + TargetElementsOffset)..]);
            fields.Add(($"target {t} dwTargetSize", position + TargetSizeOffset, 4, targetSize));
            fields.Add(($"target {t} dwNbElements", position + TargetElementsOffset, 4, elements));
            int element = position + TargetPrefixLength;
            for (uint e = 0; e < elements && element + ElementHeaderLength <= span.Length; e++)
            {
                uint size = BinaryPrimitives.ReadUInt32LittleEndian(span[(element + ElementSizeOffset)..]);
                fields.Add(($"target {t} element {e} dwElementAddress", element, 4, BinaryPrimitives.ReadUInt32LittleEndian(span[element..])));
                fields.Add(($"target {t} element {e} dwElementSize", element + ElementSizeOffset, 4, size));
                if (size > span.Length - element - ElementHeaderLength)
                {
                    return;
                }

                element += ElementHeaderLength + (int)size;
            }

            position = element;
        }
    }

    // Changes the byte count of one record: the two hex digits after ':' (Intel HEX) or after "Sn" (S-record).
    private static bool EditRecordByteCount(byte[] file, Random random, out string what)
    {
        var starts = new List<int>();
        for (int i = 0; i < file.Length; i++)
        {
            if ((i == 0 || file[i - 1] == (byte)'\n') && i + 4 < file.Length)
            {
                if (file[i] == (byte)':')
                {
                    starts.Add(i + 1);
                }
                else if (file[i] == (byte)'S')
                {
                    starts.Add(i + 2);
                }
            }
        }

        if (starts.Count == 0)
        {
            what = string.Empty;
            return false;
        }

        int at = starts[random.Next(starts.Count)];
        string before = Encoding.ASCII.GetString(file, at, 2);
        byte count = (byte)random.Next(256);
        Encoding.ASCII.GetBytes(count.ToString("X2", CultureInfo.InvariantCulture)).CopyTo(file, at);
        what = $"record byte count at {at} changed from {before} to {count:X2}";
        return true;
    }

    // Makes the integrity checks pass again so that the mutation is seen by the parsers behind them: the suffix CRC of
    // a DFU file, the checksum of every well-formed-looking text record.
    private static void RefixChecks(byte[] file)
    {
        if (HasSuffix(file))
        {
            BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(file.Length - CrcLength), DfuCrc32.Compute(file.AsSpan(0, file.Length - CrcLength)));
            return;
        }

        int lineStart = 0;
        for (int i = 0; i <= file.Length; i++)
        {
            if (i == file.Length || file[i] is (byte)'\n' or (byte)'\r')
            {
                RefixRecord(file.AsSpan(lineStart, i - lineStart));
                lineStart = i + 1;
            }
        }
    }

    private static void RefixRecord(Span<byte> line)
    {
        // Intel HEX: the checksum is the two's complement of the byte sum; S-record: the one's complement of the sum of
        // the count, address and data bytes.
        bool hex = line.Length >= 11 && line[0] == (byte)':';
        bool srec = line.Length >= 8 && line[0] == (byte)'S';
        if (!hex && !srec)
        {
            return;
        }

        Span<byte> digits = line[(hex ? 1 : 2)..];
        if (digits.Length % 2 != 0 || digits.ContainsAnyExcept(s_hexDigits))
        {
            return;
        }

        int sum = 0;
        for (int d = 0; d + 2 < digits.Length; d += 2)
        {
            sum += byte.Parse(Encoding.ASCII.GetString(digits.Slice(d, 2)), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        }

        byte checksum = hex ? (byte)(-sum) : (byte)~sum;
        Encoding.ASCII.GetBytes(checksum.ToString("X2", CultureInfo.InvariantCulture)).CopyTo(digits[^2..]);
    }

    private static bool HasSuffix(byte[] file) => file.Length >= 16 && file.AsSpan(file.Length - 8, 3).SequenceEqual("UFD"u8);

    private sealed record Seed(string Name, SeedFormat Format, byte[] Bytes);

    private static int ReadSetting(string name, int fallback)
        => int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) && value > 0
            ? value
            : fallback;
}
