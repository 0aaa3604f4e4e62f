using System.Collections.Immutable;
using System.Globalization;

namespace DfuSharp.Simulation;

/// <summary>What a DfuSe memory sector allows, from the type letter of the layout string (ST UM0391: a–g).</summary>
[Flags]
public enum SimulatedSectorAccess
{
    /// <summary>Nothing.</summary>
    None = 0,

    /// <summary>The sector can be read (UPLOAD).</summary>
    Readable = 1,

    /// <summary>The sector can be erased.</summary>
    Erasable = 2,

    /// <summary>The sector can be written (DNLOAD).</summary>
    Writable = 4,
}

/// <summary>One sector of a simulated memory.</summary>
/// <param name="Address">The sector's first address.</param>
/// <param name="Size">The sector's size in bytes.</param>
/// <param name="Access">What the layout string allows.</param>
public readonly record struct SimulatedSector(uint Address, int Size, SimulatedSectorAccess Access)
{
    /// <summary>Gets the address one past the sector.</summary>
    public ulong End => (ulong)Address + (uint)Size;

    /// <summary>Returns whether <paramref name="address"/> lies in the sector.</summary>
    /// <param name="address">An address.</param>
    /// <returns><see langword="true"/> when the sector contains the address.</returns>
    public bool Contains(uint address) => address >= Address && address < End;
}

/// <summary>
/// The device's own reading of a DfuSe memory-layout string (ST UM0391 §"Alternate setting string"):
/// <c>@Name/0xADDR/NN*SSSxT,NN*SSSxT/0xADDR/…</c>, where x is a multiplier (space, B, K, M) and T the type letter.
/// </summary>
internal static class SimulatedMemoryLayout
{
    /// <summary>Parses a layout string into its sectors, in address order of appearance.</summary>
    /// <param name="layout">The interface string, starting with '@'.</param>
    /// <returns>The sectors.</returns>
    /// <exception cref="FormatException">The string is not a DfuSe layout.</exception>
    public static ImmutableArray<SimulatedSector> Parse(string layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        if (!layout.StartsWith('@'))
        {
            throw new FormatException($"Layout \"{layout}\" does not start with '@'.");
        }

        // GD32 ROMs end the string with a '/' after the last sector list (dfu-util quirks.h QUIRK_DFUSE_LAYOUT).
        string[] parts = layout.TrimEnd().TrimEnd('/').Split('/');
        if (parts.Length < 3 || parts.Length % 2 == 0)
        {
            throw new FormatException($"Layout \"{layout}\" needs /0xADDRESS/SECTORS pairs after the name.");
        }

        var sectors = ImmutableArray.CreateBuilder<SimulatedSector>();
        for (int p = 1; p < parts.Length; p += 2)
        {
            string addressText = parts[p].Trim();
            if (!addressText.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
                || !uint.TryParse(addressText.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out uint address))
            {
                throw new FormatException($"Layout \"{layout}\" has a bad address \"{addressText}\".");
            }

            ulong cursor = address;
            foreach (string group in parts[p + 1].Split(','))
            {
                (int count, int size, SimulatedSectorAccess access) = ParseGroup(layout, group);
                for (int i = 0; i < count; i++)
                {
                    if (cursor + (uint)size > 0x1_0000_0000UL)
                    {
                        throw new FormatException($"Layout \"{layout}\" runs past the 32-bit address space.");
                    }

                    sectors.Add(new SimulatedSector((uint)cursor, size, access));
                    cursor += (uint)size;
                }
            }
        }

        return sectors.ToImmutable();
    }

    private static (int Count, int Size, SimulatedSectorAccess Access) ParseGroup(string layout, string group)
    {
        string g = group.Trim();
        int star = g.IndexOf('*', StringComparison.Ordinal);
        if (star <= 0 || g.Length < star + 3)
        {
            throw new FormatException($"Layout \"{layout}\" has a bad sector group \"{group}\".");
        }

        if (!int.TryParse(g.AsSpan(0, star), NumberStyles.None, CultureInfo.InvariantCulture, out int count) || count <= 0)
        {
            throw new FormatException($"Layout \"{layout}\" has a bad sector count in \"{group}\".");
        }

        char type = g[^1];
        char unit = g[^2];
        int digitsEnd = g.Length - 2;
        int multiplier = unit switch
        {
            'B' or ' ' => 1,
            'K' => 1024,
            'M' => 1024 * 1024,
            _ => 0,
        };
        if (multiplier == 0 && char.IsAsciiDigit(unit))
        {
            multiplier = 1;
            digitsEnd = g.Length - 1;
        }

        if (multiplier == 0
            || !int.TryParse(g.AsSpan(star + 1, digitsEnd - star - 1).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int size)
            || size <= 0
            || (long)size * multiplier > int.MaxValue)
        {
            throw new FormatException($"Layout \"{layout}\" has a bad sector size in \"{group}\".");
        }

        // UM0391: a = readable, b = erasable, d = writable; c, e, f, g combine them (bit 0 read, bit 1 erase, bit 2 write).
        if (type is < 'a' or > 'g')
        {
            throw new FormatException($"Layout \"{layout}\" has a bad sector type '{type}' in \"{group}\".");
        }

        var access = (SimulatedSectorAccess)(type - 'a' + 1);
        return (count, size * multiplier, access);
    }
}
