using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace DfuSharp.DfuSe;

/// <summary>What a DfuSe sector allows, from its type letter a–g (ST UM0424 §10.3.2, ST AN3156 §4.3): bit 0 readable,
/// bit 1 erasable, bit 2 writable.</summary>
[Flags]
public enum DfuSeSectorAccess
{
    /// <summary>Nothing is allowed.</summary>
    None = 0,

    /// <summary>The sector can be read (uploaded).</summary>
    Readable = 1,

    /// <summary>The sector can be erased.</summary>
    Erasable = 2,

    /// <summary>The sector can be written (downloaded).</summary>
    Writable = 4,
}

/// <summary>A run of equal sectors: <c>Count*Size</c> with one type letter.</summary>
/// <param name="Count">How many sectors.</param>
/// <param name="Size">The size of each sector in bytes.</param>
/// <param name="Access">What the sectors allow.</param>
public readonly record struct DfuSeSectorGroup(int Count, uint Size, DfuSeSectorAccess Access);

/// <summary>One sector of a DfuSe memory.</summary>
/// <param name="Address">The first address.</param>
/// <param name="Size">The size in bytes.</param>
/// <param name="Access">What the sector allows.</param>
public readonly record struct DfuSeSector(uint Address, uint Size, DfuSeSectorAccess Access)
{
    /// <summary>Gets the address one past the last byte (as a 64-bit value so the top of the address space fits).</summary>
    public ulong End => (ulong)Address + Size;

    /// <summary>Tells whether <paramref name="address"/> lies in the sector.</summary>
    /// <param name="address">The address.</param>
    /// <returns><see langword="true"/> when it does.</returns>
    public bool Contains(uint address) => address >= Address && address < End;
}

/// <summary>One region of a layout: a start address and its sector groups.</summary>
/// <param name="Address">The region's first address.</param>
/// <param name="Groups">The sector groups in order.</param>
public sealed record DfuSeMemoryRegion(uint Address, ImmutableArray<DfuSeSectorGroup> Groups)
{
    /// <summary>Gets the region's size in bytes.</summary>
    public ulong Length => Groups.Aggregate(0UL, (sum, g) => sum + ((ulong)g.Count * g.Size));

    /// <summary>Gets the address one past the region's last byte.</summary>
    public ulong End => Address + Length;

    /// <summary>Gets the sectors in address order.</summary>
    public IEnumerable<DfuSeSector> Sectors
    {
        get
        {
            ulong address = Address;
            foreach (DfuSeSectorGroup group in Groups)
            {
                for (int i = 0; i < group.Count; i++)
                {
                    yield return new DfuSeSector((uint)address, group.Size, group.Access);
                    address += group.Size;
                }
            }
        }
    }

    /// <inheritdoc/>
    public bool Equals(DfuSeMemoryRegion? other)
        => other is not null && Address == other.Address && Groups.SequenceEqual(other.Groups);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Address, Groups.Length);
}

/// <summary>
/// A DfuSe memory layout, parsed from the interface string of an alternate setting (ST UM0424 §10.3.2):
/// <c>@Internal Flash  /0x08000000/04*016Kg,01*064Kg,07*128Kg</c>. After the name come one or more
/// <c>/ADDRESS/GROUPS</c> regions; each group is <c>COUNT*SIZE</c>, a unit (<c>B</c>, <c>K</c>, <c>M</c> or a space
/// for bytes) and a type letter <c>a</c>–<c>g</c>.
/// </summary>
/// <param name="Name">The memory's name, trimmed (for example <c>Internal Flash</c>).</param>
/// <param name="Regions">The regions in string order.</param>
public sealed record DfuSeMemoryLayout(string Name, ImmutableArray<DfuSeMemoryRegion> Regions)
{
    // A sanity bound on COUNT so a hostile string cannot make Sectors enumerate billions of entries.
    private const int MaxSectorCount = 1 << 20;

    /// <summary>Gets every sector of every region, in string order.</summary>
    public IEnumerable<DfuSeSector> Sectors => Regions.SelectMany(r => r.Sectors);

    /// <summary>Parses a layout string.</summary>
    /// <param name="text">The interface string, starting with <c>@</c>.</param>
    /// <returns>The layout.</returns>
    /// <exception cref="FormatException">The string is not a DfuSe layout; the message names the column.</exception>
    public static DfuSeMemoryLayout Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return ParseCore(text, out string? error) ?? throw new FormatException(error);
    }

    /// <summary>Tries to parse a layout string; absence of a layout is normal for plain DFU alternate settings.</summary>
    /// <param name="text">The interface string.</param>
    /// <param name="layout">The layout, when the string is one.</param>
    /// <returns><see langword="true"/> when the string is a valid layout.</returns>
    public static bool TryParse(string? text, [NotNullWhen(true)] out DfuSeMemoryLayout? layout)
    {
        layout = text is null ? null : ParseCore(text, out _);
        return layout is not null;
    }

    /// <summary>Finds the sector that contains <paramref name="address"/>.</summary>
    /// <param name="address">The address.</param>
    /// <returns>The sector, or <see langword="null"/> when no region covers the address.</returns>
    public DfuSeSector? FindSector(uint address)
    {
        foreach (DfuSeMemoryRegion region in Regions)
        {
            if (address < region.Address || address >= region.End)
            {
                continue;
            }

            foreach (DfuSeSector sector in region.Sectors)
            {
                if (sector.Contains(address))
                {
                    return sector;
                }
            }
        }

        return null;
    }

    /// <summary>Returns every sector that the range <c>[address, address + length)</c> touches, each once, in address order.</summary>
    /// <param name="address">The first address.</param>
    /// <param name="length">The number of bytes; 0 touches nothing.</param>
    /// <returns>The sectors.</returns>
    /// <exception cref="ArgumentOutOfRangeException">Part of the range lies outside the layout; the message names the first such address.</exception>
    public ImmutableArray<DfuSeSector> GetSectors(uint address, ulong length)
    {
        var result = ImmutableArray.CreateBuilder<DfuSeSector>();
        ulong end = address + length;
        ulong next = address;
        while (next < end)
        {
            DfuSeSector sector = (next <= uint.MaxValue ? FindSector((uint)next) : null)
                ?? throw new ArgumentOutOfRangeException(
                    nameof(address), $"Address 0x{next:X8} is outside the memory layout \"{Name}\".");
            result.Add(sector);
            next = sector.End;
        }

        return result.ToImmutable();
    }

    /// <inheritdoc/>
    public bool Equals(DfuSeMemoryLayout? other)
        => other is not null && Name == other.Name && Regions.SequenceEqual(other.Regions);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Name, Regions.Length);

    /// <inheritdoc/>
    public override string ToString()
        => "@" + Name + string.Concat(Regions.Select(r => $"/0x{r.Address:X8}/" + string.Join(',', r.Groups.Select(FormatGroup))));

    private static string FormatGroup(DfuSeSectorGroup g)
    {
        (uint size, char unit) = g.Size % (1024 * 1024) == 0 ? (g.Size / (1024 * 1024), 'M')
            : g.Size % 1024 == 0 ? (g.Size / 1024, 'K') : (g.Size, 'B');
        return string.Create(CultureInfo.InvariantCulture, $"{g.Count:D2}*{size:D3}{unit}{(char)('a' + (int)g.Access - 1)}");
    }

    private static DfuSeMemoryLayout? ParseCore(string text, out string? error)
    {
        error = null;
        if (text.Length == 0 || text[0] != '@')
        {
            error = "A DfuSe memory layout starts with '@' (column 1).";
            return null;
        }

        int slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            error = $"The memory layout \"{text}\" has no '/ADDRESS/SECTORS' region.";
            return null;
        }

        string name = text[1..slash].Trim();
        var regions = ImmutableArray.CreateBuilder<DfuSeMemoryRegion>();
        int pos = slash + 1;
        while (pos < text.Length)
        {
            int addressEnd = text.IndexOf('/', pos);
            if (addressEnd < 0)
            {
                error = $"The memory layout \"{text}\" has an address without sectors at column {pos + 1}.";
                return null;
            }

            string addressText = text[pos..addressEnd].Trim();
            if (!addressText.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
                || !uint.TryParse(addressText.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out uint address))
            {
                error = $"The memory layout \"{text}\" has a bad address \"{addressText}\" at column {pos + 1}.";
                return null;
            }

            int groupsStart = addressEnd + 1;
            int groupsEnd = text.IndexOf('/', groupsStart);
            if (groupsEnd < 0)
            {
                groupsEnd = text.Length;
            }

            var groups = ImmutableArray.CreateBuilder<DfuSeSectorGroup>();
            int column = groupsStart;
            foreach (string part in text[groupsStart..groupsEnd].Split(','))
            {
                if (!TryParseGroup(part, out DfuSeSectorGroup group))
                {
                    error = $"The memory layout \"{text}\" has a bad sector group \"{part}\" at column {column + 1}; expected COUNT*SIZE[B|K|M]TYPE with TYPE a-g.";
                    return null;
                }

                groups.Add(group);
                column += part.Length + 1;
            }

            var region = new DfuSeMemoryRegion(address, groups.ToImmutable());
            if (region.End > (ulong)uint.MaxValue + 1)
            {
                error = $"The memory layout \"{text}\" has a region at 0x{address:X8} that runs past the 32-bit address space.";
                return null;
            }

            regions.Add(region);

            // A trailing '/' after the last group list is tolerated (seen on some GD32 bootloaders).
            pos = groupsEnd + 1;
        }

        if (regions.Count == 0)
        {
            error = $"The memory layout \"{text}\" has no regions.";
            return null;
        }

        return new DfuSeMemoryLayout(name, regions.ToImmutable());
    }

    private static bool TryParseGroup(string part, out DfuSeSectorGroup group)
    {
        group = default;
        ReadOnlySpan<char> s = part.AsSpan().Trim();
        int star = s.IndexOf('*');
        if (star <= 0
            || !int.TryParse(s[..star], NumberStyles.None, CultureInfo.InvariantCulture, out int count)
            || count is <= 0 or > MaxSectorCount)
        {
            return false;
        }

        s = s[(star + 1)..];
        int digits = 0;
        while (digits < s.Length && char.IsAsciiDigit(s[digits]))
        {
            digits++;
        }

        if (digits == 0 || !uint.TryParse(s[..digits], NumberStyles.None, CultureInfo.InvariantCulture, out uint size))
        {
            return false;
        }

        s = s[digits..];

        // The unit is B, K, M or a space (bytes); the type letter follows, sometimes after a space (ST option bytes: "01*016 e").
        ulong multiplier = 1;
        if (s.Length > 0 && s[0] is 'B' or 'K' or 'M')
        {
            multiplier = s[0] switch { 'K' => 1024UL, 'M' => 1024UL * 1024, _ => 1UL };
            s = s[1..];
        }

        s = s.TrimStart(' ');
        if (s.Length != 1 || s[0] is < 'a' or > 'g')
        {
            return false;
        }

        ulong bytes = size * multiplier;
        if (bytes is 0 or > uint.MaxValue)
        {
            return false;
        }

        group = new DfuSeSectorGroup(count, (uint)bytes, (DfuSeSectorAccess)(s[0] - 'a' + 1));
        return true;
    }
}
