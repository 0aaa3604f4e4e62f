using DfuSharp.Formats;

namespace DfuSharp.Formats.Tests;

/// <summary>MemoryImage and MemoryImageBuilder against a dictionary model, over seeded random writes.</summary>
public sealed class MemoryImagePropertyTests
{
    private const int Iterations = 150;

    /// <summary>Windows of the address space where writes collide often, including the very top.</summary>
    private static readonly uint[] s_bases = [0, 0x0800_0000, 0x0800_FF00, 0xFFFF_F800];

    [Fact]
    public void ToImage_ConsistentWritesInRandomOrder_MatchesModel()
    {
        for (int seed = 0; seed < Iterations; seed++)
        {
            var random = new Random(seed);
            var builder = new MemoryImageBuilder();
            Dictionary<uint, byte> model = WriteRandom(random, builder, (a, _) => Pattern(a, seed));

            MemoryImage image = builder.ToImage();

            ShouldBeNormalizedAndMatch(image, model, "seed {0}", seed);
        }
    }

    [Fact]
    public void ToImage_LaterWinsWithRandomBytes_MatchesLastWriteModel()
    {
        for (int seed = 0; seed < Iterations; seed++)
        {
            var random = new Random(seed);
            // RandomImage writes random bytes, so later writes overwrite earlier ones.
            (MemoryImage image, Dictionary<uint, byte> model) = RandomImage(random);

            ShouldBeNormalizedAndMatch(image, model, "seed {0}", seed);
        }
    }

    [Fact]
    public void ToImage_OneConflictingByte_ThrowsOverlappingDataNamingTheAddress()
    {
        for (int seed = 0; seed < Iterations; seed++)
        {
            var random = new Random(seed);
            var builder = new MemoryImageBuilder();
            Dictionary<uint, byte> model = WriteRandom(random, builder, (a, _) => Pattern(a, seed));

            uint victim = model.Keys.ElementAt(random.Next(model.Count));
            builder.Write(victim, [(byte)~model[victim]]);

            Action build = () => builder.ToImage();

            build.Should().Throw<DfuFormatException>()
                .Where(e => e.Error == DfuFormatError.OverlappingData && e.LineNumber == null)
                .WithMessage($"*0x{victim:X8}*");
        }
    }

    [Fact]
    public void Fill_RandomRange_CoversRangeAndKeepsData()
    {
        for (int seed = 0; seed < Iterations; seed++)
        {
            var random = new Random(seed);
            (MemoryImage image, Dictionary<uint, byte> model) = RandomImage(random);
            uint start = RandomAddressNear(random, image);
            ulong end = Math.Min(0x1_0000_0000UL, start + (ulong)random.Next(0, 3000));
            byte value = (byte)random.Next(256);

            MemoryImage filled = image.Fill(start, end, value);

            for (ulong a = start; a < end; a++)
            {
                model.TryAdd((uint)a, value);
            }

            ShouldBeNormalizedAndMatch(filled, model, "seed {0}", seed);
        }
    }

    [Fact]
    public void Slice_RandomRange_MatchesModelRestrictedToRange()
    {
        for (int seed = 0; seed < Iterations; seed++)
        {
            var random = new Random(seed);
            (MemoryImage image, Dictionary<uint, byte> model) = RandomImage(random);
            uint start = RandomAddressNear(random, image);
            ulong length = (ulong)random.Next(0, 3000);
            length = Math.Min(length, 0x1_0000_0000UL - start);

            MemoryImage slice = image.Slice(start, length);

            ShouldBeNormalizedAndMatch(slice, 
                model.Where(p => p.Key >= start && p.Key < start + length).ToDictionary(), "seed {0}", seed);
        }
    }

    [Fact]
    public void Merge_RandomImages_MatchesUnionOfModels()
    {
        for (int seed = 0; seed < Iterations; seed++)
        {
            var random = new Random(seed);
            (MemoryImage first, Dictionary<uint, byte> model) = RandomImage(random);
            (MemoryImage second, Dictionary<uint, byte> secondModel) = RandomImage(random);
            foreach ((uint a, byte b) in secondModel)
            {
                model[a] = b;
            }

            MemoryImage merged = first.Merge(second, MemoryOverlapPolicy.LaterWins);

            ShouldBeNormalizedAndMatch(merged, model, "seed {0}", seed);
        }
    }

    [Fact]
    public void ToArrayAndTryGetByte_RandomImage_AgreeWithModel()
    {
        for (int seed = 0; seed < Iterations; seed++)
        {
            var random = new Random(seed);
            (MemoryImage image, Dictionary<uint, byte> model) = RandomImage(random);
            byte fill = (byte)random.Next(256);

            byte[] flat = image.ToArray(fill);

            byte[] expected = new byte[image.SpanLength];
            bool[] present = new bool[image.SpanLength];
            for (int i = 0; i < expected.Length; i++)
            {
                present[i] = model.TryGetValue(image.StartAddress + (uint)i, out byte b);
                expected[i] = present[i] ? b : fill;
            }

            flat.Should().Equal(expected, "seed {0}", seed);
            Enumerable.Range(0, expected.Length)
                .Select(i => image.TryGetByte(image.StartAddress + (uint)i, out byte got) ? got : (int?)null)
                .Should().Equal(Enumerable.Range(0, expected.Length).Select(i => present[i] ? expected[i] : (int?)null));
        }
    }

    private static byte Pattern(uint address, int seed) => (byte)((address * 2_654_435_761u) >> 24 ^ (uint)seed);

    private static IEnumerable<(uint Address, byte[] Data)> RandomWrites(Random random, Func<uint, Random, byte> value)
    {
        uint window = s_bases[random.Next(s_bases.Length)];
        int writes = random.Next(1, 40);
        for (int i = 0; i < writes; i++)
        {
            uint address = window + (uint)random.Next(0, 2000);
            int length = (int)Math.Min((ulong)random.Next(0, 80), 0x1_0000_0000UL - address);
            byte[] data = new byte[length];
            for (int j = 0; j < length; j++)
            {
                data[j] = value(address + (uint)j, random);
            }

            yield return (address, data);
        }
    }

    private static (MemoryImage Image, Dictionary<uint, byte> Model) RandomImage(Random random)
    {
        var builder = new MemoryImageBuilder(MemoryOverlapPolicy.LaterWins);
        Dictionary<uint, byte> model = WriteRandom(random, builder, (_, r) => (byte)r.Next(256));
        return (builder.ToImage(), model);
    }

    /// <summary>Makes random writes to <paramref name="builder"/> and returns the model of what the last write to each address left.</summary>
    private static Dictionary<uint, byte> WriteRandom(Random random, MemoryImageBuilder builder, Func<uint, Random, byte> value)
    {
        var model = new Dictionary<uint, byte>();
        foreach ((uint address, byte[] data) in RandomWrites(random, value))
        {
            builder.Write(address, data);
            Record(model, address, data);
        }

        return model;
    }

    private static uint RandomAddressNear(Random random, MemoryImage image)
    {
        long address = (long)image.StartAddress + random.Next(-100, 2200);
        return (uint)Math.Clamp(address, 0, uint.MaxValue);
    }

    private static void Record(Dictionary<uint, byte> model, uint address, byte[] data)
    {
        for (int i = 0; i < data.Length; i++)
        {
            model[address + (uint)i] = data[i];
        }
    }

    private static Dictionary<uint, byte> ToModel(MemoryImage image)
    {
        var model = new Dictionary<uint, byte>();
        foreach (MemorySegment segment in image.Segments)
        {
            Record(model, segment.Address, segment.Data.ToArray());
        }

        return model;
    }

    private static void ShouldBeNormalizedAndMatch(MemoryImage image, Dictionary<uint, byte> model, string because, int seed)
    {
        ShouldBeNormalized(image);
        Dictionary<uint, byte> actual = ToModel(image);
        uint? wrong = null;
        foreach (uint address in model.Keys.Concat(actual.Keys))
        {
            bool inImage = actual.TryGetValue(address, out byte got);
            bool inModel = model.TryGetValue(address, out byte want);
            if (inImage != inModel || got != want)
            {
                wrong = address;
                break;
            }
        }

        wrong.Should().BeNull(because + ": the image and the model disagree at that address", seed);
    }

    private static void ShouldBeNormalized(MemoryImage image)
    {
        image.Segments.Where(s => s.Length == 0).Should().BeEmpty();
        for (int i = 1; i < image.Segments.Length; i++)
        {
            image.Segments[i].Address.Should().BeGreaterThan((uint)image.Segments[i - 1].End, "segments are sorted, apart and not touching");
        }

        image.DataBytes.Should().Be(image.Segments.Sum(s => (long)s.Length));
    }
}
