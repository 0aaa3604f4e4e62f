using System.Collections.Immutable;

namespace DfuSharp.Simulation;

/// <summary>A contiguous run of sectors behind one alternate setting, with its bytes.</summary>
internal sealed class MemoryBank
{
    internal MemoryBank(int alternateSetting, SimulatedMemoryKind kind, ImmutableArray<SimulatedSector> sectors)
    {
        AlternateSetting = alternateSetting;
        Kind = kind;
        Sectors = sectors;
        Base = sectors[0].Address;
        Data = new byte[sectors.Sum(s => s.Size)];
        Data.AsSpan().Fill(0xFF);
    }

    internal int AlternateSetting { get; }

    internal SimulatedMemoryKind Kind { get; }

    internal ImmutableArray<SimulatedSector> Sectors { get; }

    internal uint Base { get; }

    internal byte[] Data { get; }

    internal ulong End => (ulong)Base + (uint)Data.Length;

    internal bool Contains(uint address) => address >= Base && address < End;

    internal SimulatedSector? SectorAt(uint address)
    {
        foreach (SimulatedSector s in Sectors)
        {
            if (s.Contains(address))
            {
                return s;
            }
        }

        return null;
    }

    internal Span<byte> Slice(uint address, int length) => Data.AsSpan((int)(address - Base), length);

    /// <summary>Groups a layout's sectors into contiguous banks.</summary>
    internal static IEnumerable<MemoryBank> FromLayout(int alternateSetting, SimulatedMemoryKind kind, ImmutableArray<SimulatedSector> sectors)
    {
        var run = ImmutableArray.CreateBuilder<SimulatedSector>();
        foreach (SimulatedSector s in sectors)
        {
            if (run.Count > 0 && run[^1].End != s.Address)
            {
                yield return new MemoryBank(alternateSetting, kind, run.ToImmutable());
                run.Clear();
            }

            run.Add(s);
        }

        if (run.Count > 0)
        {
            yield return new MemoryBank(alternateSetting, kind, run.ToImmutable());
        }
    }
}
