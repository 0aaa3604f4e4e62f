using DfuSharp.DfuSe;
using DfuSharp.Protocol;
using DfuSharp.Usb;

namespace DfuSharp;

/// <content>Polling: session start, GETSTATUS with bwPollTimeout, and status errors with their context.</content>
public sealed partial class DfuDevice
{
    // The first GETSTATUS uses the normal request timeout, so a device that never answers fails fast; only where the
    // device may still be erasing (recovery after an interrupted erase) is it allowed the slow one.
    private Task EnsureIdleAsync(CancellationToken cancellationToken) => EnsureIdleAsync(slow: false, cancellationToken);

    private async Task EnsureIdleAsync(bool slow, CancellationToken cancellationToken)
    {
        for (int attempt = 0; attempt < 8; attempt++)
        {
            // The slow timeout: after an interrupted erase the device holds GETSTATUS until the erase is done.
            DfuStatusReport report = await GetStatusTrackedAsync(slow ? _options.SlowRequestTimeout : null, cancellationToken).ConfigureAwait(false);
            switch (report.State)
            {
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
        bool unstuck = false;
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
            if (polls >= 2 && kind == BusyKind.Write && report.State == DfuState.DfuDnbusy && (Quirks & DfuQuirk.StuckBusyNeedsTwoClearStatus) != 0)
            {
                // A write still reported busy on a later poll: once the device is past the bwPollTimeout it asked for,
                // it is stuck, not busy (the block is taken); two CLRSTATUS bring it to dfuDNLOAD-IDLE.
                TimeSpan since = _time.GetUtcNow() - started;
                if (since >= pollTimeout)
                {
                    report = await UnstickAsync(context, timeout, cancellationToken).ConfigureAwait(false);
                    unstuck = true;
                    continue;
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

        if (!unstuck)
        {
            // The time a stuck device spent in dfuDNBUSY is not busy time: it would teach the pacer to wait for nothing.
            _pacer.Learn(kind, _time.GetUtcNow() - started, wait, answer, roundTrip, polls);
        }

        return report;
    }

    // DfuQuirk.StuckBusyNeedsTwoClearStatus: the device stays in dfuDNBUSY after a write it has taken until it gets
    // two DFU_CLRSTATUS; then GETSTATUS finds it in dfuDNLOAD-IDLE and the download goes on with the next block.
    private async Task<DfuStatusReport> UnstickAsync(string context, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        await Client.ClrStatusAsync(cancellationToken).ConfigureAwait(false);
        await Client.ClrStatusAsync(cancellationToken).ConfigureAwait(false);
        DfuStatusReport report = await GetStatusTrackedAsync(timeout, cancellationToken).ConfigureAwait(false);
        if (report.State == DfuState.DfuDnbusy)
        {
            throw new DfuProtocolException($"{context}: the device stayed in dfuDNBUSY after two DFU_CLRSTATUS.");
        }

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
        DfuStatusReport report = await PollAsync(DfuRequest.Dnload, context, DfuSeCommands.CommandBlock, address, slow, kind, cancellationToken).ConfigureAwait(false);
        ExpectState(report, DfuState.DfuDnloadIdle, context);
    }

}
