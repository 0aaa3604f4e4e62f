using DfuSharp.DfuSe;
using DfuSharp.Protocol;
using DfuSharp.Usb;

namespace DfuSharp;

/// <content>Polling: session start, GETSTATUS with bwPollTimeout, and status errors with their context.</content>
public sealed partial class DfuDevice
{
    // How many stuck sector erases this session freed with two CLRSTATUS (DfuQuirk.StuckBusyNeedsTwoClearStatus).
    private int _unstuckErases;

    // The first GETSTATUS uses the normal request timeout, so a device that never answers fails fast; only where the
    // device may still be erasing (recovery after an interrupted erase) is it allowed the slow one.
    private Task EnsureIdleAsync(CancellationToken cancellationToken) => EnsureIdleAsync(slow: false, cancellationToken);

    private async Task EnsureIdleAsync(bool slow, CancellationToken cancellationToken)
    {
        bool waitedForBusy = false;
        for (int attempt = 0; attempt < 8; attempt++)
        {
            // The slow timeout: after an interrupted erase the device holds GETSTATUS until the erase is done.
            DfuStatusReport report = await GetStatusTrackedAsync(slow ? _options.SlowRequestTimeout : null, cancellationToken).ConfigureAwait(false);
            switch (report.State)
            {
                case DfuState.DfuDnbusy when waitedForBusy && (Quirks & DfuQuirk.StuckBusyNeedsTwoClearStatus) != 0:
                    // Still busy after the wait it asked for: an erase stuck in dfuDNBUSY (an interrupted H7 bank-2
                    // erase). The first CLRSTATUS moves it to dfuERROR; the next round clears that.
                    if (await TryClearStuckAsync(cancellationToken).ConfigureAwait(false))
                    {
                        waitedForBusy = false;
                    }
                    else
                    {
                        await PollWaitAsync(report, cancellationToken).ConfigureAwait(false);
                    }

                    break;
                case DfuState.DfuIdle:
                    Log.SessionIdle(_logger);
                    return;
                case DfuState.DfuError:
                    if (attempt == 0 && (Quirks & DfuQuirk.StartsInDfuError) != 0)
                    {
                        Log.QuirkStartedInError(_logger, Info.VendorId, Info.ProductId, report.Status);
                    }

                    await Client.ClrStatusAsync(cancellationToken).ConfigureAwait(false);
                    break;
                case DfuState.DfuDnloadIdle or DfuState.DfuUploadIdle:
                    await Client.AbortAsync(cancellationToken).ConfigureAwait(false);
                    break;
                case var busy when IsBusy(busy):
                    await PollWaitAsync(report, cancellationToken).ConfigureAwait(false);
                    waitedForBusy = true;
                    break;
                case DfuState.DfuManifestWaitReset:
                    throw new DfuProtocolException($"{Info.DisplayName} is in dfuMANIFEST-WAIT-RESET and needs a USB reset.");
                default:
                    throw new DfuProtocolException(
                        $"{Info.DisplayName} reports {report.State.ToSpecName()} on a DFU-mode interface; expected a DFU-mode state.");
            }
        }

        throw new DfuProtocolException($"{Info.DisplayName} did not reach dfuIDLE after CLRSTATUS and ABORT.");
    }

    // DfuQuirk.StuckBusyNeedsTwoClearStatus during recovery: a CLRSTATUS the device refuses (a STALL: the erase was
    // still running after all) is not an error here; the caller polls again.
    private async Task<bool> TryClearStuckAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Client.ClrStatusAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (UsbTransportException ex) when (ex.Error == UsbError.Stall)
        {
            return false;
        }
    }

    private async Task<DfuStatusReport> GetStatusTrackedAsync(TimeSpan? timeout, CancellationToken cancellationToken)
    {
        DfuStatusReport report = await Client.GetStatusAsync(timeout, cancellationToken).ConfigureAwait(false);
        if (_lastState != report.State)
        {
            Log.StateChanged(_logger, new SpecState(_lastState), new SpecState(report.State));
        }

        _lastState = report.State;
        return report;
    }

    private void CheckPollTimeout(DfuStatusReport report)
    {
        if (TimeSpan.FromMilliseconds(report.PollTimeout) > _options.MaxPollTimeout)
        {
            throw new DfuProtocolException(
                $"{Info.DisplayName} asked to wait {report.PollTimeout} ms in {report.State.ToSpecName()}, more than the {_options.MaxPollTimeout.TotalMilliseconds} ms allowed.");
        }
    }

    private async Task PollWaitAsync(DfuStatusReport report, CancellationToken cancellationToken)
    {
        CheckPollTimeout(report);
        TimeSpan wait = TimeSpan.FromMilliseconds(report.PollTimeout);

        if (wait > TimeSpan.Zero)
        {
            // DFU 1.1 §6.1.2: bwPollTimeout is the minimum time before the next DFU_GETSTATUS; wait exactly that.
            Log.PollWait(_logger, new SpecState(report.State), report.PollTimeout);
            await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    // After DFU_DNLOAD: GETSTATUS, then, while the device is busy, wait as the plan's pacing says and ask again, until
    // it settles; a bStatus error is read (with its iString), cleared, and thrown with the block and address.
    private async Task<DfuStatusReport> PollAsync(
        DfuRequest request, string context, int? block, uint? address, bool slow, BusyKind kind, CancellationToken cancellationToken)
    {
        TimeSpan? timeout = slow ? _options.SlowRequestTimeout : null;
        DateTimeOffset sent = _time.GetUtcNow();
        DfuStatusReport report = await GetStatusTrackedAsync(timeout, cancellationToken).ConfigureAwait(false);
        DateTimeOffset started = _time.GetUtcNow();
        TimeSpan roundTrip = started - sent;
        TimeSpan busy = TimeSpan.Zero;
        TimeSpan wait = TimeSpan.Zero;
        TimeSpan answer = TimeSpan.Zero;
        int polls = 0;
        while (report.Status == DfuStatus.Ok && IsBusy(report.State))
        {
            CheckPollTimeout(report);
            TimeSpan pollTimeout = TimeSpan.FromMilliseconds(report.PollTimeout);
            busy += pollTimeout;
            if (busy > _options.BusyTimeout || ++polls > MaxPolls)
            {
                throw new DfuProtocolException($"{context}: the device stayed busy ({report.State.ToSpecName()}) for {polls} polls, {busy.TotalSeconds:0.#} s.");
            }

            wait = _pacer.Wait(kind, pollTimeout);
            if (polls >= 2 && kind == BusyKind.Erase && report.State == DfuState.DfuDnbusy && (Quirks & DfuQuirk.StuckBusyNeedsTwoClearStatus) != 0)
            {
                // A sector erase still reported busy on a later poll: once the device is past the bwPollTimeout it asked
                // for (counted from the answer that started the erase, the conservative end), it is stuck, not busy.
                TimeSpan since = _time.GetUtcNow() - started;
                if (since >= pollTimeout)
                {
                    // The time spent stuck is not busy time: the pacer does not learn from it.
                    return await UnstickEraseAsync(request, context, block, address, since, report.PollTimeout, timeout, cancellationToken).ConfigureAwait(false);
                }

                // Task.Delay counts whole milliseconds and drops the rest: round up, or the wait ends short of it.
                wait = TimeSpan.FromMilliseconds(Math.Ceiling((pollTimeout - since).TotalMilliseconds));
            }

            if (wait > TimeSpan.Zero)
            {
                Log.PollWait(_logger, new SpecState(report.State), (uint)wait.TotalMilliseconds);
                await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
            }

            DateTimeOffset asked = _time.GetUtcNow();
            report = wait < pollTimeout
                ? await EarlyGetStatusAsync(report, wait, context, timeout, cancellationToken).ConfigureAwait(false)
                : await GetStatusTrackedAsync(timeout, cancellationToken).ConfigureAwait(false);
            answer = _time.GetUtcNow() - asked;
        }

        if (report.Status != DfuStatus.Ok)
        {
            string? text = await TryGetStatusTextAsync(report).ConfigureAwait(false);
            try
            {
                await Client.ClrStatusAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (UsbTransportException ex)
            {
                Log.ClearStatusFailed(_logger, report.Status, ex.Error);
            }

            throw new DfuStatusException(report, request, context, text) { Block = block, Address = address };
        }

        _pacer.Learn(kind, _time.GetUtcNow() - started, wait, answer, roundTrip, polls);

        return report;
    }

    // DfuQuirk.StuckBusyNeedsTwoClearStatus (STM32H743 Rev.V ROM, betaflight-configurator PRs #1861 and #5348): a
    // sector erase beyond 1 MiB is done, but the device stays in dfuDNBUSY. As STM32CubeProgrammer does, the first
    // DFU_CLRSTATUS puts it in dfuERROR with errUNKNOWN, the second in dfuIDLE; the erase counts as finished. Only this
    // quirk sends CLRSTATUS outside dfuERROR (DFU 1.1 allows it only there, and spec-correct ROMs STALL it).
    // A real erase error (dfuERROR with another status) is cleared and thrown as usual; anything else is a protocol error.
    private async Task<DfuStatusReport> UnstickEraseAsync(
        DfuRequest request, string context, int? block, uint? address, TimeSpan stuckFor, uint pollTimeout, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        await Client.ClrStatusAsync(cancellationToken).ConfigureAwait(false);
        DfuStatusReport first = await GetStatusTrackedAsync(timeout, cancellationToken).ConfigureAwait(false);
        DfuStatusReport report = first;
        if (first.State == DfuState.DfuError && first.Status != DfuStatus.ErrUnknown)
        {
            string? text = await TryGetStatusTextAsync(first).ConfigureAwait(false);
            await Client.ClrStatusAsync(cancellationToken).ConfigureAwait(false);
            throw new DfuStatusException(first, request, context, text) { Block = block, Address = address };
        }

        if (first.State == DfuState.DfuError)
        {
            await Client.ClrStatusAsync(cancellationToken).ConfigureAwait(false);
            report = await GetStatusTrackedAsync(timeout, cancellationToken).ConfigureAwait(false);
        }

        if (report.State != DfuState.DfuIdle || report.Status != DfuStatus.Ok)
        {
            throw new DfuProtocolException(
                $"{context}: the device stayed in dfuDNBUSY {stuckFor.TotalMilliseconds:0} ms past the start of the erase (bwPollTimeout {pollTimeout} ms); "
                + $"after DFU_CLRSTATUS it reported {first.State.ToSpecName()}/{first.Status.ToSpecName()}, then {report.State.ToSpecName()}/{report.Status.ToSpecName()}; expected dfuIDLE/OK.");
        }

        Log.QuirkStuckErase(_logger, Info.VendorId, Info.ProductId, address ?? 0, (long)stuckFor.TotalMilliseconds, pollTimeout);
        _unstuckErases++;
        return report;
    }

    // A GETSTATUS before bwPollTimeout has passed. A device that holds it answers when the operation ends, so its
    // timeout covers the longest operation the layout allows (a mass erase). One that STALLs it, or fails the pipe
    // (STM32L4 ROMs, F072 on some root ports), gets the rest of bwPollTimeout and one more GETSTATUS, and the session
    // waits bwPollTimeout from then on. Nothing is sent again: a device that went to dfuERROR cannot say whether it
    // took the request, so that is an error, never a silent retry.
    private async Task<DfuStatusReport> EarlyGetStatusAsync(
        DfuStatusReport busy, TimeSpan waited, string context, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        try
        {
            return await GetStatusTrackedAsync(_options.SlowRequestTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (UsbTransportException ex) when (ex.Error is UsbError.Stall or UsbError.Io)
        {
            _pacer.FallBack();
            Log.PacingFallback(_logger, (int)waited.TotalMilliseconds, busy.PollTimeout, ex.Error);
            await Task.Delay(TimeSpan.FromMilliseconds(busy.PollTimeout) - waited, _time, cancellationToken).ConfigureAwait(false);
            DfuStatusReport report = await GetStatusTrackedAsync(timeout, cancellationToken).ConfigureAwait(false);
            if (report.State == DfuState.DfuError)
            {
                await Client.ClrStatusAsync(cancellationToken).ConfigureAwait(false);
                throw new DfuProtocolException(
                    $"{context}: the device failed an early GETSTATUS ({ex.Error}) and went to dfuERROR with {report.Status.ToSpecName()}; whether it took the request is unknown.", ex);
            }

            return report;
        }
    }

    private async Task<string?> TryGetStatusTextAsync(DfuStatusReport report)
    {
        try
        {
            return await Client.GetStatusTextAsync(report, CancellationToken.None).ConfigureAwait(false);
        }
        catch (UsbTransportException ex)
        {
            Log.StatusTextUnreadable(_logger, report.StringIndex, ex.Error);
            return null;
        }
    }

    private static void ExpectState(DfuStatusReport report, DfuState expected, string context)
    {
        if (report.State != expected)
        {
            throw new DfuProtocolException($"{context}: the device went to {report.State.ToSpecName()}; DFU 1.1 expects {expected.ToSpecName()}.");
        }
    }

    private async Task SelectAsync(byte alternateSetting, CancellationToken cancellationToken)
    {
        if (alternateSetting == Interface.Setting.Number)
        {
            return;
        }

        DfuInterfaceInfo target = AlternateSettings.FirstOrDefault(a => a.Setting.Number == alternateSetting)
            ?? throw new DfuFileMismatchException($"{Info.DisplayName} has no alternate setting {alternateSetting}.");
        await EnsureIdleAsync(cancellationToken).ConfigureAwait(false);
        await Transport.SetAlternateSettingAsync(target.InterfaceNumber, alternateSetting, cancellationToken).ConfigureAwait(false);
        Swap(_connection with { Interface = target, Descriptor = target.Setting.Dfu ?? Descriptor });
    }

    private async Task DfuSeCommandAsync(byte[] command, string context, uint? address, bool slow, CancellationToken cancellationToken)
    {
        await Client.DnloadAsync(DfuSeCommands.CommandBlock, command, null, cancellationToken).ConfigureAwait(false);
        BusyKind kind = command.Length == 1 ? BusyKind.MassErase : (DfuSeCommand)command[0] == DfuSeCommand.Erase ? BusyKind.Erase : BusyKind.Command;
        int unstuck = _unstuckErases;
        DfuStatusReport report = await PollAsync(DfuRequest.Dnload, context, DfuSeCommands.CommandBlock, address, slow, kind, cancellationToken).ConfigureAwait(false);

        // An erase freed from a stuck dfuDNBUSY (DfuQuirk.StuckBusyNeedsTwoClearStatus) ends in dfuIDLE, where the next
        // DfuSe command or data block may start (DFU 1.1 Appendix A: DFU_DNLOAD is allowed in dfuIDLE).
        ExpectState(report, _unstuckErases != unstuck ? DfuState.DfuIdle : DfuState.DfuDnloadIdle, context);
    }

}
