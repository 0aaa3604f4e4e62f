using System.Collections.Immutable;
using DfuSharp.DfuSe;
using DfuSharp.Planning;
using DfuSharp.Protocol;
using DfuSharp.Usb;

namespace DfuSharp;

/// <content>The DfuSe operations behind <see cref="DfuDevice.DfuSe"/>: erase, mass erase, Get Commands, Read Unprotect, leave.</content>
public sealed partial class DfuDevice
{
    internal Task<ImmutableArray<TransferStep>> DfuSeEraseAsync(
        uint address, uint length, byte? alternateSetting = null, IProgress<DfuProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        progress = Track(progress);
        RequireDfuSe("erase");
        byte alt = alternateSetting ?? Interface.Setting.Number;
        ImmutableArray<TransferStep> steps = TransferPlanner.PlanErase(RequireLayout(alt), alt, address, length);
        return RunAsync("erase", async () =>
        {
            await EnsureIdleAsync(cancellationToken).ConfigureAwait(false);
            await SelectAsync(alt, cancellationToken).ConfigureAwait(false);
            int done = 0;
            foreach (TransferStep step in steps)
            {
                cancellationToken.ThrowIfCancellationRequested();
                await DfuSeCommandAsync(DfuSeCommands.Erase(step.Address), $"Erasing the sector at 0x{step.Address:X8}", step.Address, slow: true, cancellationToken).ConfigureAwait(false);
                progress?.Report(new DfuProgress(DfuPhase.Erase, ++done, steps.Length, DfuProgressUnit.Sectors));
            }

            await EnsureIdleAsync(cancellationToken).ConfigureAwait(false);
            return steps;
        }, cancellationToken);
    }

    internal Task DfuSeMassEraseAsync(byte? alternateSetting = null, IProgress<DfuProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        progress = Track(progress);
        RequireDfuSe("mass erase");
        byte alt = alternateSetting ?? Interface.Setting.Number;
        return RunAsync("mass erase", async () =>
        {
            await EnsureIdleAsync(cancellationToken).ConfigureAwait(false);
            await SelectAsync(alt, cancellationToken).ConfigureAwait(false);
            progress?.Report(new DfuProgress(DfuPhase.Erase, 0, 1, DfuProgressUnit.Sectors));
            await MassEraseCoreAsync(cancellationToken, waitOnCancel: true).ConfigureAwait(false);
            progress?.Report(new DfuProgress(DfuPhase.Erase, 1, 1, DfuProgressUnit.Sectors));
            await EnsureIdleAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken);
    }

    internal Task<ImmutableArray<DfuSeCommand>> DfuSeGetCommandsAsync(CancellationToken cancellationToken = default)
    {
        RequireDfuSe("Get Commands");
        return RunAsync("get commands", () => GetCommandsCoreAsync(cancellationToken), cancellationToken);
    }

    internal Task<DfuLeaveOutcome> DfuSeReadUnprotectAsync(CancellationToken cancellationToken = default)
    {
        RequireDfuSe("read unprotect");
        return RunAsync("read unprotect", async () =>
        {
            ImmutableArray<DfuSeCommand> commands = await GetCommandsCoreAsync(cancellationToken).ConfigureAwait(false);
            if (!commands.Contains(DfuSeCommand.ReadUnprotect))
            {
                throw new NotSupportedException($"{Info.DisplayName} does not list Read Unprotect (0x92) in Get Commands.");
            }

            try
            {
                await Client.DnloadAsync(DfuSeCommands.CommandBlock, DfuSeCommands.ReadUnprotect(), null, cancellationToken).ConfigureAwait(false);
                DfuStatusReport report = await PollAsync(DfuRequest.Dnload, "Read unprotect", null, null, slow: true, BusyKind.MassErase, cancellationToken).ConfigureAwait(false);
                Log.StayedAfterUnprotect(_logger, new SpecState(report.State));
                return DfuLeaveOutcome.StayedInDfuMode;
            }
            catch (UsbTransportException ex) when (DeviceGone.Is(ex, GoneContext.Departure))
            {
                // ST AN3156 §6.3.4: after Read Unprotect the device erases its flash and resets; losing it is the success.
                await CloseTransportAsync().ConfigureAwait(false);
                return DfuLeaveOutcome.Disconnected;
            }
        }, cancellationToken);
    }

    internal Task<DfuLeaveOutcome> DfuSeLeaveAsync(uint? address = null, IProgress<DfuProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        progress = Track(progress);
        RequireDfuSe("leave");
        uint target = address ?? RequireLayout(Interface.Setting.Number).Regions[0].Address;
        return RunAsync("leave", async () =>
        {
            await EnsureIdleAsync(cancellationToken).ConfigureAwait(false);
            return await LeaveCoreAsync(target, progress, cancellationToken).ConfigureAwait(false);
        }, cancellationToken);
    }
}
