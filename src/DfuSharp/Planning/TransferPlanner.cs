using System.Collections.Immutable;
using DfuSharp.DfuSe;
using DfuSharp.Formats;
using DfuSharp.Usb;

namespace DfuSharp.Planning;

/// <summary>How a DfuSe download erases before it writes.</summary>
public enum DfuSeEraseMode
{
    /// <summary>Erase every sector the data touches, each once (the default).</summary>
    Sectors,

    /// <summary>Erase the whole memory first.</summary>
    Mass,

    /// <summary>Do not erase; the caller knows the memory is blank.</summary>
    None,
}

/// <summary>Options for <see cref="TransferPlanner.PlanDfuSe"/>.</summary>
public sealed record DfuSePlanOptions
{
    /// <summary>Gets wTransferSize. Required.</summary>
    public required int TransferSize { get; init; }

    /// <summary>Gets the device's own wTransferSize; reads set the address pointer before every block when it differs
    /// from <see cref="TransferSize"/>. <see cref="TransferSize"/> when <see langword="null"/>.</summary>
    public int? DeviceTransferSize { get; init; }

    /// <summary>Gets how to erase.</summary>
    public DfuSeEraseMode Erase { get; init; } = DfuSeEraseMode.Sectors;

    /// <summary>Gets a value indicating whether every chunk gets its own Set Address Pointer and block 2 (the default,
    /// robust on every ST ROM), or one Set Address Pointer per contiguous segment with blocks 2, 3, ….</summary>
    public bool SetAddressPerChunk { get; init; } = true;

    /// <summary>Gets a value indicating whether every byte the plan erases or overwrites is read first (the backup).</summary>
    public bool Backup { get; init; }

    /// <summary>Gets a value indicating whether to read everything back and compare.</summary>
    public bool Verify { get; init; }

    /// <summary>Gets a value indicating whether the plan gets a read pass over every readable sector it erases
    /// (<see cref="TransferPlan.Check"/>), so that unchanged sectors can be left alone (<see cref="DownloadOptions.SkipUnchanged"/>).</summary>
    public bool CheckUnchanged { get; init; }

    /// <summary>Gets a value indicating whether to leave DFU mode at the end.</summary>
    public bool Leave { get; init; }

    /// <summary>Gets the jump address for leave; the start of the first segment when <see langword="null"/>.</summary>
    public uint? LeaveAddress { get; init; }
}

/// <summary>Options for <see cref="TransferPlanner.PlanDfu"/>.</summary>
public sealed record DfuPlanOptions
{
    /// <summary>Gets wTransferSize. Required.</summary>
    public required int TransferSize { get; init; }

    /// <summary>Gets a value indicating whether the firmware is read first (the backup).</summary>
    public bool Backup { get; init; }

    /// <summary>Gets a value indicating whether to read the firmware back and compare after manifestation.</summary>
    public bool Verify { get; init; }

    /// <summary>Gets the alternate setting the firmware goes to.</summary>
    public byte AlternateSetting { get; init; }

    /// <summary>Gets a value indicating whether the device is reset at the end so that it runs the new firmware.</summary>
    public bool Leave { get; init; }

    /// <summary>Gets a value indicating whether the device returns to dfuIDLE after manifestation (bitManifestationTolerant).</summary>
    public bool ManifestationTolerant { get; init; } = true;

    /// <summary>Gets a value indicating whether a device that is not manifestation tolerant is reset after manifestation.</summary>
    public bool ResetAfterManifest { get; init; } = true;
}

/// <summary>
/// Computes <see cref="TransferPlan"/>s: checks a firmware image against a device, then lists every step. Pure: no
/// transport, no clock, no logger.
/// </summary>
public static partial class TransferPlanner
{
    // ST DfuFileManager writes this placeholder as the target name; it names no memory.
    private const string StDefaultTargetName = "ST...";

    // The most DFU_UPLOAD blocks one Set Address Pointer covers: wBlockNum runs from 2 to 0xFFFF (ST AN3156 §6.2.2).
    private const int MaxBlocksPerPointer = ushort.MaxValue - DfuSeCommands.FirstDataBlock + 1;

    /// <summary>Plans the download of a file to a device, after checking the file against it.</summary>
    /// <param name="device">The device.</param>
    /// <param name="file">The file: a DfuSe container, or raw firmware (with <see cref="DownloadOptions.Address"/> on a
    /// DfuSe device).</param>
    /// <param name="options">Download options; the defaults when <see langword="null"/>.</param>
    /// <returns>The plan.</returns>
    /// <exception cref="DfuFileMismatchException">The file does not fit the device (see
    /// <see cref="DfuFileMismatchException.CanForce"/>), or holds no data.</exception>
    /// <exception cref="DfuConsentRequiredException">The file writes option bytes or irreversible memory without consent.</exception>
    /// <exception cref="DfuFormatException">DfuSe elements give one address different bytes.</exception>
    /// <exception cref="NotSupportedException">The device cannot download, or cannot upload when verification or a
    /// backup is asked, or is in run-time mode and the file needs its DFU-mode layout.</exception>
    /// <exception cref="DfuProtocolException">The device's memory layout is malformed.</exception>
    public static TransferPlan Plan(DfuTargetDevice device, DfuFile file, DownloadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(file);
        options ??= new DownloadOptions();
        CheckCapabilities(device, options);
        var warnings = ImmutableArray.CreateBuilder<string>();
        CheckIdentity(device, file.Suffix, options, warnings);
        if (device.IsDfuSe)
        {
            DfuSeImage image = file.DfuSe ?? (options.Address is { } address
                ? new DfuSeImage([new DfuSeTarget(options.AlternateSetting ?? device.AlternateSetting, null, [new DfuSeElement(address, file.Firmware)])])
                : throw new DfuFileMismatchException(
                    $"{device.DisplayName} is a DfuSe device; a file without DfuSe targets needs an address."));
            CheckTargets(device, image, options, warnings);
            return PlanDfuSeCore(device, image, options, warnings.ToImmutable());
        }

        if (file.DfuSe is not null)
        {
            // A DfuSe container holds addresses and element headers; sent raw, the header would become firmware.
            throw new DfuFileMismatchException($"The file is a DfuSe file, but {device.DisplayName} speaks plain DFU 1.1; a DfuSe container is never sent raw.");
        }

        if (options.Address is { } at)
        {
            throw new DfuFileMismatchException(
                $"{device.DisplayName} speaks plain DFU 1.1 and takes the firmware as it is; an address (0x{at:X8}) applies only to DfuSe devices.");
        }

        return PlanDfuCore(device, file.Firmware, options, warnings.ToImmutable());
    }

    /// <summary>Plans the download of a memory image (from .hex, .srec or addressed .bin data) to one alternate setting of a DfuSe device.</summary>
    /// <param name="device">The device.</param>
    /// <param name="image">The data at its addresses.</param>
    /// <param name="alternateSetting">The memory it goes to; the selected one when <see langword="null"/>.</param>
    /// <param name="options">Download options; the defaults when <see langword="null"/>.</param>
    /// <returns>The plan.</returns>
    /// <exception cref="DfuFileMismatchException">The device speaks plain DFU, the alternate setting does not exist,
    /// data lies outside the layout or in sectors that are not writable, or the image holds no data.</exception>
    /// <exception cref="DfuConsentRequiredException">The image writes option bytes or irreversible memory without consent.</exception>
    /// <exception cref="NotSupportedException">The device cannot download, or cannot upload when verification or a
    /// backup is asked, or is in run-time mode.</exception>
    /// <exception cref="DfuProtocolException">The device's memory layout is malformed.</exception>
    public static TransferPlan Plan(DfuTargetDevice device, MemoryImage image, byte? alternateSetting = null, DownloadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(image);
        options ??= new DownloadOptions();
        CheckCapabilities(device, options);
        if (!device.IsDfuSe)
        {
            throw new DfuFileMismatchException(
                $"The image holds addressed data; {device.DisplayName} speaks plain DFU 1.1 and takes raw firmware (.dfu or .bin).");
        }

        byte alt = alternateSetting ?? options.AlternateSetting ?? device.AlternateSetting;
        DfuSeImage dfuSe = new([DfuSeConvert.ToTarget(image, alt, name: null)]);
        CheckTargets(device, dfuSe, options, null);
        return PlanDfuSeCore(device, dfuSe, options, []);
    }

    /// <summary>Plans a plain DFU 1.1 download: blocks of wTransferSize numbered from 0, the zero-length end with the
    /// next block number, the reset a device that is not manifestation tolerant waits for, and verify and leave.</summary>
    /// <param name="firmware">The bytes to send.</param>
    /// <param name="options">Transfer size and policies.</param>
    /// <returns>The plan.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The transfer size is not positive or above 65535.</exception>
    /// <exception cref="NotSupportedException">Verification is asked of a device that is not manifestation tolerant
    /// and is not reset after manifestation: it cannot answer.</exception>
    public static TransferPlan PlanDfu(ReadOnlyMemory<byte> firmware, DfuPlanOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        CheckTransferSize(options.TransferSize);
        byte alt = options.AlternateSetting;
        var steps = ImmutableArray.CreateBuilder<TransferStep>();
        steps.Add(TransferStep.Select(alt));
        if (options.Backup)
        {
            steps.Add(new TransferStep(TransferStepKind.BackupFirmware, alt));
        }

        int block = 0;
        for (int offset = 0; offset < firmware.Length; offset += options.TransferSize)
        {
            int length = Math.Min(options.TransferSize, firmware.Length - offset);

            // DFU 1.1 §6.1.1: wBlockNum is a running counter; it wraps modulo 65536 on long plain DFU downloads.
            steps.Add(new TransferStep(TransferStepKind.Write, alt, (uint)offset, length, unchecked((ushort)block++)));
        }

        steps.Add(new TransferStep(TransferStepKind.Manifest, alt, Block: unchecked((ushort)block)));
        bool open = true;
        if (!options.ManifestationTolerant)
        {
            // DFU 1.1 §7: a device that is not manifestation tolerant waits in dfuMANIFEST-WAIT-RESET for a USB reset.
            if (options.ResetAfterManifest)
            {
                steps.Add(new TransferStep(TransferStepKind.ResetAfterManifest, alt));
                open = false;
            }
            else if (options.Verify)
            {
                throw new NotSupportedException("The device is not manifestation tolerant; verifying needs the reset after manifestation.");
            }
        }

        if (options.Verify && firmware.Length > 0)
        {
            if (!open)
            {
                steps.Add(new TransferStep(TransferStepKind.Reenumerate, alt));
                steps.Add(TransferStep.Select(alt));
                open = true;
            }

            steps.Add(new TransferStep(TransferStepKind.VerifyFirmware, alt, 0, firmware.Length));
        }

        if (options.Leave && open)
        {
            steps.Add(new TransferStep(TransferStepKind.UsbReset, alt));
        }

        return new TransferPlan
        {
            Protocol = DfuProtocolKind.Dfu,
            TransferSize = options.TransferSize,
            Steps = steps.ToImmutable(),
            Segments = [new TransferSegment(alt, 0, firmware)],
        };
    }

    /// <summary>
    /// Plans a DfuSe download (ST AN3156): backup reads of every byte the plan erases or overwrites, the erase set
    /// (every touched sector exactly once), addressed writes (never a block number that wraps to 0, never a short block
    /// except the last of a contiguous segment), verify reads, and leave or the return to dfuIDLE.
    /// </summary>
    /// <param name="image">The DfuSe targets.</param>
    /// <param name="layouts">The memory layout of each alternate setting the image uses.</param>
    /// <param name="options">Transfer size and policies.</param>
    /// <returns>The plan.</returns>
    /// <exception cref="DfuFileMismatchException">A target's alternate setting has no layout, or data lies outside the
    /// layout or in a sector that is not writable, or a backup would need a sector that is not readable; the message and
    /// <see cref="DfuFileMismatchException.Address"/> name the address.</exception>
    /// <exception cref="DfuFormatException">Elements of one alternate setting give one address different bytes; the
    /// message names both elements.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The transfer size is not positive or above 65535.</exception>
    public static TransferPlan PlanDfuSe(
        DfuSeImage image, IReadOnlyDictionary<byte, DfuSeMemoryLayout> layouts, DfuSePlanOptions options)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(layouts);
        ArgumentNullException.ThrowIfNull(options);
        CheckTransferSize(options.TransferSize);

        ImmutableArray<TransferSegment> segments = Segments(image);
        var targets = new List<(byte Alt, DfuSeMemoryLayout Layout, List<TransferSegment> Segments, SortedDictionary<uint, DfuSeSector> Erase)>();
        foreach (IGrouping<byte, TransferSegment> target in segments.GroupBy(s => s.AlternateSetting))
        {
            byte alt = target.Key;
            if (!layouts.TryGetValue(alt, out DfuSeMemoryLayout? layout))
            {
                throw new DfuFileMismatchException($"The file has a target for alternate setting {alt}, which has no DfuSe memory layout on the device.");
            }

            var erase = new SortedDictionary<uint, DfuSeSector>();
            foreach (TransferSegment segment in target)
            {
                foreach (DfuSeSector sector in SectorsOf(layout, segment.Address, (ulong)segment.Data.Length))
                {
                    if ((sector.Access & DfuSeSectorAccess.Writable) == 0)
                    {
                        uint first = Math.Max(sector.Address, segment.Address);
                        throw new DfuFileMismatchException(
                            $"Address 0x{first:X8} is in a sector of \"{layout.Name}\" at 0x{sector.Address:X8} that is not writable.")
                        { Address = first };
                    }

                    if ((sector.Access & DfuSeSectorAccess.Erasable) != 0 && options.Erase == DfuSeEraseMode.Sectors)
                    {
                        erase.TryAdd(sector.Address, sector);
                    }
                }
            }

            if (options.Erase == DfuSeEraseMode.Mass)
            {
                foreach (DfuSeSector sector in layout.Sectors.Where(s => (s.Access & DfuSeSectorAccess.Erasable) != 0))
                {
                    erase.TryAdd(sector.Address, sector);
                }
            }

            targets.Add((alt, layout, [.. target], erase));
        }

        int pointerBlocks = options.DeviceTransferSize is { } own && own != options.TransferSize ? 1 : MaxBlocksPerPointer;
        var check = new StepList();
        if (options.CheckUnchanged && options.Erase == DfuSeEraseMode.Sectors)
        {
            foreach (var (alt, _, _, erase) in targets)
            {
                foreach (DfuSeSector sector in erase.Values.Where(s => (s.Access & DfuSeSectorAccess.Readable) != 0))
                {
                    check.Select(alt);
                    check.AddReads(TransferStepKind.Check, alt, sector.Address, sector.Size, options.TransferSize, pointerBlocks);
                }
            }
        }

        var steps = new StepList();
        if (options.Backup)
        {
            foreach (var (alt, layout, written, erase) in targets)
            {
                steps.Select(alt);
                foreach ((uint address, ulong length) in BackupRanges(layout, written, erase.Values))
                {
                    steps.AddReads(TransferStepKind.Backup, alt, address, length, options.TransferSize, pointerBlocks);
                }
            }
        }

        foreach (var (alt, _, written, erase) in targets)
        {
            steps.Select(alt);
            if (options.Erase == DfuSeEraseMode.Mass)
            {
                steps.Add(new TransferStep(TransferStepKind.MassErase, alt));
            }
            else
            {
                steps.AddRange(erase.Values.Select(s => new TransferStep(TransferStepKind.Erase, alt, s.Address, (int)s.Size)));
            }

            foreach (TransferSegment segment in written)
            {
                AddWrites(steps, segment, options);
            }

            if (options.Verify)
            {
                foreach (TransferSegment segment in written)
                {
                    steps.AddReads(TransferStepKind.Verify, alt, segment.Address, (ulong)segment.Data.Length, options.TransferSize, pointerBlocks);
                }
            }
        }

        if (options.Leave)
        {
            byte alt = segments.Length > 0 ? segments[0].AlternateSetting : (byte)0;
            uint address = options.LeaveAddress ?? (segments.Length > 0 ? segments[0].Address : 0);
            steps.Select(alt);
            steps.Add(new TransferStep(TransferStepKind.DfuSeLeave, alt, address));
        }
        else if (steps.Count > 0 && steps.Last.Kind is not (TransferStepKind.Verify or TransferStepKind.SelectAlternateSetting))
        {
            // Writes and erases end in dfuDNLOAD-IDLE; a session that stays must end in dfuIDLE (DFU 1.1 §6.1.2).
            steps.Add(new TransferStep(TransferStepKind.Abort, steps.Last.AlternateSetting));
        }

        return new TransferPlan
        {
            Protocol = DfuProtocolKind.DfuSe,
            TransferSize = options.TransferSize,
            Steps = steps.ToImmutable(),
            Segments = segments,
            Check = check.ToImmutable(),
        };
    }

    /// <summary>Plans the erase of a range: every sector it touches, each once.</summary>
    /// <param name="layout">The memory layout.</param>
    /// <param name="alternateSetting">The alternate setting.</param>
    /// <param name="address">The first address.</param>
    /// <param name="length">The number of bytes.</param>
    /// <returns>The <see cref="TransferStepKind.Erase"/> steps in address order.</returns>
    /// <exception cref="DfuFileMismatchException">Part of the range is outside the layout or not erasable.</exception>
    public static ImmutableArray<TransferStep> PlanErase(DfuSeMemoryLayout layout, byte alternateSetting, uint address, ulong length)
    {
        ArgumentNullException.ThrowIfNull(layout);
        var sectors = SectorsOf(layout, address, length);
        foreach (DfuSeSector sector in sectors)
        {
            if ((sector.Access & DfuSeSectorAccess.Erasable) == 0)
            {
                throw new DfuFileMismatchException(
                    $"The sector at 0x{sector.Address:X8} of \"{layout.Name}\" cannot be erased.") { Address = sector.Address };
            }
        }

        return [.. sectors.Select(s => new TransferStep(TransferStepKind.Erase, alternateSetting, s.Address, (int)s.Size))];
    }

    private static TransferPlan PlanDfuSeCore(DfuTargetDevice device, DfuSeImage image, DownloadOptions options, ImmutableArray<string> warnings)
    {
        RequireDfuMode(device);
        if (image.Targets.All(t => t.Elements.All(e => e.Data.IsEmpty)))
        {
            throw new DfuFileMismatchException("The image holds no data; there is nothing to download.");
        }

        var layouts = new Dictionary<byte, DfuSeMemoryLayout>();
        foreach (UsbAlternateSettingInfo alt in device.AlternateSettings)
        {
            if (device.GetLayout(alt.Number) is { } layout)
            {
                layouts[alt.Number] = layout;
            }
        }

        // The quirks table says which devices compute the address from wBlockNum; the others get a pointer per block.
        bool fromBlockNumber = (DfuQuirks.For(device.VendorId, device.ProductId, device.DeviceVersion) & DfuQuirk.AddressFromBlockNumber) != 0;
        DfuAddressing addressing = device.BlockSize != device.Descriptor.TransferSize
            ? DfuAddressing.PerChunk
            : options.Addressing ?? (fromBlockNumber ? DfuAddressing.AddressOnce : DfuAddressing.PerChunk);
        TransferPlan plan = PlanDfuSe(image, layouts, new DfuSePlanOptions
        {
            TransferSize = device.BlockSize,
            DeviceTransferSize = device.Descriptor.TransferSize,
            Erase = options.Erase,

            // A block size other than the device's own breaks its (wBlockNum − 2) × wTransferSize arithmetic.
            SetAddressPerChunk = addressing == DfuAddressing.PerChunk,
            Backup = options.Backup is not null,
            Verify = options.Verify,
            CheckUnchanged = options.SkipUnchanged,
            Leave = options.Leave,
            LeaveAddress = options.LeaveAddress,
        });
        if (options.SkipUnchanged && options.Erase != DfuSeEraseMode.Sectors)
        {
            warnings = warnings.Add(options.Erase == DfuSeEraseMode.Mass
                ? "Skip-unchanged does nothing with a mass erase: the whole memory is erased and written."
                : "Skip-unchanged does nothing without sector erase: no sector is erased, so none is checked.");
        }

        DfuSafetyRules.Check(device, layouts, plan.Segments, options);
        return Paced(plan, device, options) with { Warnings = warnings, Addressing = addressing };
    }

    private static TransferPlan PlanDfuCore(DfuTargetDevice device, ReadOnlyMemory<byte> firmware, DownloadOptions options, ImmutableArray<string> warnings)
    {
        if (device.Mode != DfuMode.Dfu && device.BlockSize == 0)
        {
            RequireDfuMode(device);
        }

        if (firmware.IsEmpty)
        {
            throw new DfuFileMismatchException("The firmware is empty; there is nothing to download.");
        }

        var dfuOptions = new DfuPlanOptions
        {
            TransferSize = device.BlockSize,
            Backup = options.Backup is not null,
            Verify = options.Verify,
            AlternateSetting = options.AlternateSetting ?? device.AlternateSetting,
            Leave = options.Leave,
            ManifestationTolerant = device.Descriptor.ManifestationTolerant,
            ResetAfterManifest = options.ResetAfterManifest,
        };
        TransferPlan plan;
        try
        {
            plan = PlanDfu(firmware, dfuOptions);
        }
        catch (NotSupportedException ex)
        {
            throw new NotSupportedException($"{device.DisplayName}: {ex.Message}", ex);
        }

        if (options.SkipUnchanged)
        {
            warnings = warnings.Add("Skip-unchanged does nothing on a plain DFU device: it has no sectors to leave alone; the whole firmware is written.");
        }

        if (device.Mode == DfuMode.Runtime)
        {
            // The board shows its bootloader only after DFU_DETACH; the plan after detach is computed from it.
            plan = plan with { Steps = [new TransferStep(TransferStepKind.Detach, dfuOptions.AlternateSetting), .. plan.Steps] };
        }

        return Paced(plan, device, options) with { Warnings = warnings };
    }

    // Pacing is the plan's: adaptive unless asked otherwise; the quirks table says which devices hold GETSTATUS.
    private static TransferPlan Paced(TransferPlan plan, DfuTargetDevice device, DownloadOptions options)
    {
        DfuPacing pacing = options.Pacing ?? DfuPacing.Adaptive;
        bool holds = (DfuQuirks.For(device.VendorId, device.ProductId, device.DeviceVersion) & DfuQuirk.HoldsStatusWhileBusy) != 0;
        return plan with { Pacing = pacing, StartsInHold = pacing == DfuPacing.Adaptive && holds };
    }

    private static void RequireDfuMode(DfuTargetDevice device)
    {
        if (device.Mode != DfuMode.Dfu)
        {
            throw new NotSupportedException(
                $"{device.DisplayName} is in run-time mode and shows its memory layout only in DFU mode; detach it first to plan this file.");
        }
    }

    private static void CheckCapabilities(DfuTargetDevice device, DownloadOptions options)
    {
        if (!device.Descriptor.CanDownload)
        {
            throw new NotSupportedException($"{device.DisplayName} does not accept downloads (bitCanDnload is clear).");
        }

        if ((options.Verify || options.Backup is not null || options.SkipUnchanged) && !device.Descriptor.CanUpload)
        {
            string what = options.Verify ? "verified" : options.Backup is not null ? "backed up" : "checked for unchanged sectors";
            throw new NotSupportedException($"{device.DisplayName} cannot be {what}: it does not accept uploads (bitCanUpload is clear).");
        }
    }

    // VID and PID must match (0xFFFF is "any"), as dfu-util and fwupd check. bcdDevice is only compared when the file
    // names one: dfuse-pack and ST's DfuFileMgr write 0x0000, and ST ROMs report 0x2200, so 0x0000 means "not set".
    private static void CheckIdentity(DfuTargetDevice device, DfuSuffix? suffix, DownloadOptions options, ImmutableArray<string>.Builder warnings)
    {
        if (suffix is null || device.Mode != DfuMode.Dfu)
        {
            return;
        }

        bool vendor = suffix.VendorId == DfuSuffix.Any || suffix.VendorId == device.VendorId;
        bool product = suffix.ProductId == DfuSuffix.Any || suffix.ProductId == device.ProductId;
        if (!vendor || !product)
        {
            string message = $"The file is for {suffix.VendorId:x4}:{suffix.ProductId:x4} bcdDevice 0x{suffix.DeviceVersion:X4}, " +
                             $"but the device is {device.VendorId:x4}:{device.ProductId:x4} bcdDevice 0x{device.DeviceVersion:X4}.";
            if (!options.Force)
            {
                throw new DfuFileMismatchException(message) { CanForce = true };
            }

            warnings.Add(message + " Forced.");
        }

        if (suffix.DeviceVersion is not (DfuSuffix.Any or 0) && suffix.DeviceVersion != device.DeviceVersion)
        {
            warnings.Add($"The file is for bcdDevice 0x{suffix.DeviceVersion:X4}, but the device reports 0x{device.DeviceVersion:X4}.");
        }
    }

    private static void CheckTargets(DfuTargetDevice device, DfuSeImage image, DownloadOptions options, ImmutableArray<string>.Builder? warnings)
    {
        foreach (DfuSeTarget target in image.Targets)
        {
            UsbAlternateSettingInfo alt = device.Setting(target.AlternateSetting)
                ?? throw new DfuFileMismatchException(
                    $"The file has a target for alternate setting {target.AlternateSetting}, which {device.DisplayName} does not have; it has {device.DescribeAlternateSettings()}.");
            if (target.Name is not { Length: > 0 } name || name == StDefaultTargetName || DfuDeviceSelector.NameMatches(name, alt.Name))
            {
                continue;
            }

            string message = $"The file's target for alternate setting {target.AlternateSetting} is named \"{name}\", but the device calls it \"{alt.Name}\".";
            if (!options.Force)
            {
                throw new DfuFileMismatchException(message) { CanForce = true };
            }

            warnings?.Add(message + " Forced.");
        }
    }

    // One policy for overlaps, MemoryImageBuilder's: the same bytes twice are fine, different bytes are refused.
    private static ImmutableArray<TransferSegment> Segments(DfuSeImage image)
    {
        var result = ImmutableArray.CreateBuilder<TransferSegment>();
        foreach (byte alt in image.Targets.Select(t => t.AlternateSetting).Distinct())
        {
            foreach (MemorySegment segment in DfuSeConvert.ToMemoryImage(image, alt).Segments)
            {
                result.Add(new TransferSegment(alt, segment.Address, segment.Data));
            }
        }

        return result.ToImmutable();
    }

    // The backup holds every byte of every erased sector, and the written bytes of sectors that are overwritten
    // without an erase (option bytes), as contiguous ranges; restoring them puts back exactly what was there.
    private static List<(uint Address, ulong Length)> BackupRanges(
        DfuSeMemoryLayout layout, IEnumerable<TransferSegment> written, IEnumerable<DfuSeSector> erased)
    {
        var ranges = erased.Select(s => (Start: (ulong)s.Address, End: s.End))
            .Concat(written.Select(s => (Start: (ulong)s.Address, End: s.End)))
            .OrderBy(r => r.Start)
            .ToList();
        var merged = new List<(uint Address, ulong Length)>();
        ulong start = 0;
        ulong end = 0;
        bool open = false;
        foreach (var (s, e) in ranges)
        {
            if (open && s <= end)
            {
                end = Math.Max(end, e);
                continue;
            }

            if (open)
            {
                merged.Add(((uint)start, end - start));
            }

            (start, end, open) = (s, e, true);
        }

        if (open)
        {
            merged.Add(((uint)start, end - start));
        }

        foreach ((uint address, ulong length) in merged)
        {
            foreach (DfuSeSector sector in SectorsOf(layout, address, length))
            {
                if ((sector.Access & DfuSeSectorAccess.Readable) == 0)
                {
                    throw new DfuFileMismatchException(
                        $"The sector at 0x{sector.Address:X8} of \"{layout.Name}\" cannot be read, so it cannot be backed up.") { Address = sector.Address };
                }
            }
        }

        return merged;
    }

    private static ImmutableArray<DfuSeSector> SectorsOf(DfuSeMemoryLayout layout, uint address, ulong length)
    {
        try
        {
            return layout.GetSectors(address, length);
        }
        catch (ArgumentOutOfRangeException ex)
        {
            uint first = address;
            ulong end = address + length;
            for (ulong a = address; a < end;)
            {
                DfuSeSector? s = a <= uint.MaxValue ? layout.FindSector((uint)a) : null;
                if (s is null)
                {
                    first = (uint)Math.Min(a, uint.MaxValue);
                    break;
                }

                a = s.Value.End;
            }

            throw new DfuFileMismatchException(
                $"Address 0x{first:X8} is outside the memory layout \"{layout.Name}\".", ex) { Address = first };
        }
    }

    private static void AddWrites(StepList steps, TransferSegment segment, DfuSePlanOptions options)
    {
        int size = options.TransferSize;
        ushort block = DfuSeCommands.FirstDataBlock;
        for (int offset = 0; offset < segment.Data.Length; offset += size)
        {
            uint address = segment.Address + (uint)offset;
            int length = Math.Min(size, segment.Data.Length - offset);

            // ST AN3156 §6.3.6: block 0 is a command and block 1 is reserved, so a pointer is set again rather than
            // letting wBlockNum wrap past 0xFFFF. ST's ROM computes the address as pointer + (wBlockNum − 2) × wLength,
            // so a short block gets its own pointer too (vitalyvb/usbd-dfu#6, #8).
            if (options.SetAddressPerChunk || offset == 0 || block == ushort.MaxValue || length != size)
            {
                steps.Add(new TransferStep(TransferStepKind.SetAddress, segment.AlternateSetting, address));
                block = DfuSeCommands.FirstDataBlock;
            }
            else
            {
                block++;
            }

            steps.Add(new TransferStep(TransferStepKind.Write, segment.AlternateSetting, address, length, block));
        }
    }

    private static void CheckTransferSize(int transferSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(transferSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(transferSize, ushort.MaxValue);
    }

    private sealed class StepList
    {
        private readonly ImmutableArray<TransferStep>.Builder _steps = ImmutableArray.CreateBuilder<TransferStep>();
        private byte? _selected;

        public int Count => _steps.Count;

        public TransferStep Last => _steps[^1];

        public void Add(TransferStep step) => _steps.Add(step);

        public void AddRange(IEnumerable<TransferStep> steps) => _steps.AddRange(steps);

        // SET_INTERFACE only where the alternate setting changes, so the plan lists exactly the requests sent.
        public void Select(byte alternateSetting)
        {
            if (_selected != alternateSetting)
            {
                _steps.Add(TransferStep.Select(alternateSetting));
                _selected = alternateSetting;
            }
        }

        // One step per Set Address Pointer: ST AN3156 §6.2.2 reads block n at (n − 2) × wTransferSize past the pointer.
        public void AddReads(TransferStepKind kind, byte alt, uint address, ulong length, int transferSize, int blocksPerPointer)
        {
            ulong chunk = (ulong)transferSize * (ulong)blocksPerPointer;
            for (ulong offset = 0; offset < length; offset += chunk)
            {
                int part = (int)Math.Min(chunk, length - offset);
                _steps.Add(new TransferStep(kind, alt, address + (uint)offset, part, DfuSeCommands.FirstDataBlock));
            }
        }

        public ImmutableArray<TransferStep> ToImmutable() => _steps.ToImmutable();
    }
}
