using DfuSharp.Protocol;

namespace DfuSharp.Simulation;

/// <summary>
/// The memory of a simulated DfuSe device and its rules: which sectors exist, can be read, erased or written; NOR
/// flash and OTP programming that can only clear bits; sector and mass erase; write protection (RM0090, "Write
/// protections": an operation that touches a protected sector is not performed). Read protection and timing are the
/// device's; this class knows only memory.
/// </summary>
internal sealed class SimulatedFlash(List<MemoryBank> banks, HashSet<uint> writeProtected)
{
    /// <summary>Gets the memories, in profile order (the state file stores them in this order).</summary>
    public IReadOnlyList<MemoryBank> Banks => banks;

    /// <summary>Returns the memory of an alternate setting that holds an address.</summary>
    public MemoryBank? Find(int alternateSetting, uint address)
        => banks.FirstOrDefault(b => b.AlternateSetting == alternateSetting && b.Contains(address));

    /// <summary>Returns the memory that holds a whole range, on one alternate setting or any.</summary>
    public MemoryBank? BankFor(uint address, int length, int? alternateSetting = null)
        => banks.FirstOrDefault(b => (alternateSetting is null || b.AlternateSetting == alternateSetting)
                                     && b.Contains(address) && (ulong)address + (uint)length <= b.End);

    /// <summary>Erases the sector that holds an address.</summary>
    /// <returns>The sector erased, or the status that refused it.</returns>
    public (SimulatedSector? Sector, DfuStatus? Error) EraseSector(int alternateSetting, uint address)
    {
        MemoryBank? bank = Find(alternateSetting, address);
        if (bank?.SectorAt(address) is not { } sector || (sector.Access & SimulatedSectorAccess.Erasable) == 0)
        {
            return (null, DfuStatus.ErrTarget);
        }

        if (writeProtected.Contains(sector.Address))
        {
            return (null, DfuStatus.ErrWrite);
        }

        bank.Slice(sector.Address, sector.Size).Fill(0xFF);
        return (sector, null);
    }

    /// <summary>Erases every erasable sector of an alternate setting, or none if one of them is write-protected.</summary>
    /// <returns>The status that refused it, or <see langword="null"/>.</returns>
    public DfuStatus? MassErase(int alternateSetting)
    {
        var sectors = banks
            .Where(b => b.AlternateSetting == alternateSetting)
            .SelectMany(b => b.Sectors.Select(s => (Bank: b, Sector: s)))
            .Where(x => (x.Sector.Access & SimulatedSectorAccess.Erasable) != 0)
            .ToList();
        if (sectors.Count == 0)
        {
            return DfuStatus.ErrTarget;
        }

        if (sectors.Any(x => writeProtected.Contains(x.Sector.Address)))
        {
            return DfuStatus.ErrWrite;
        }

        foreach ((MemoryBank bank, SimulatedSector sector) in sectors)
        {
            bank.Slice(sector.Address, sector.Size).Fill(0xFF);
        }

        return null;
    }

    /// <summary>Erases all flash (not option bytes or OTP), as leaving read protection does.</summary>
    public void EraseAllFlash()
    {
        foreach (MemoryBank bank in banks.Where(b => b.Kind == SimulatedMemoryKind.Flash))
        {
            bank.Data.AsSpan().Fill(0xFF);
        }
    }

    /// <summary>Checks that every sector a write touches is writable and not write-protected.</summary>
    /// <returns>The status that refuses the write, or <see langword="null"/>.</returns>
    public DfuStatus? CheckWritable(MemoryBank bank, uint address, int length)
    {
        foreach (SimulatedSector sector in bank.Sectors)
        {
            if (sector.Address < address + (ulong)length && sector.End > address)
            {
                if ((sector.Access & SimulatedSectorAccess.Writable) == 0)
                {
                    return DfuStatus.ErrTarget;
                }

                if (writeProtected.Contains(sector.Address))
                {
                    return DfuStatus.ErrWrite;
                }
            }
        }

        return null;
    }

    /// <summary>Programs NOR flash or OTP: each bit can only go from 1 to 0.</summary>
    /// <returns>Whether a byte needed a bit set (the memory was not erased there).</returns>
    public static bool ProgramNor(Span<byte> target, ReadOnlySpan<byte> data)
    {
        bool unerased = false;
        for (int i = 0; i < data.Length; i++)
        {
            unerased |= (target[i] & data[i]) != data[i];
            target[i] &= data[i];
        }

        return unerased;
    }

    /// <summary>Returns how many bytes from an address can be read before a sector that is not readable.</summary>
    public static long ReadableRun(MemoryBank bank, uint address)
    {
        long run = 0;
        foreach (SimulatedSector sector in bank.Sectors)
        {
            if (sector.End <= address)
            {
                continue;
            }

            if ((sector.Access & SimulatedSectorAccess.Readable) == 0)
            {
                break;
            }

            run += (long)(sector.End - Math.Max(sector.Address, address));
        }

        return run;
    }
}
