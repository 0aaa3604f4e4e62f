using System.Buffers;
using System.Collections.Immutable;
using DfuSharp.DfuSe;
using DfuSharp.Formats;
using DfuSharp.Hid;
using DfuSharp.Planning;
using DfuSharp.Protocol;
using DfuSharp.Usb;

namespace DfuSharp;

/// <content>The executor: session recovery, polling, plan execution and reads.</content>
public sealed partial class DfuDevice
{
    private async Task OpenInterfaceAsync(UsbDeviceInfo info, DfuInterfaceInfo dfuInterface, CancellationToken cancellationToken)
    {
        DfuFunctionalDescriptor descriptor = dfuInterface.Setting.Dfu
            ?? info.DfuInterfaces.Where(i => i.InterfaceNumber == dfuInterface.InterfaceNumber)
                .Select(i => i.Setting.Dfu).FirstOrDefault(d => d is not null)
            ?? throw new DfuProtocolException($"{info.DisplayName} has no DFU functional descriptor (DFU 1.1 §4.1.3).");

        IUsbTransport transport = await _provider.OpenAsync(info, cancellationToken).ConfigureAwait(false);
        try
        {
            await transport.ClaimInterfaceAsync(dfuInterface.InterfaceNumber, cancellationToken).ConfigureAwait(false);
            if (dfuInterface.Setting.Mode == DfuMode.Dfu)
            {
                await transport.SetAlternateSettingAsync(dfuInterface.InterfaceNumber, dfuInterface.Setting.Number, cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            await transport.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        _transport = transport;
        _client = new DfuClient(transport, dfuInterface.InterfaceNumber, _options.RequestTimeout, _options.LoggerFactory);
        _lastState = null;
        Info = info;
        Interface = dfuInterface;
        Descriptor = descriptor;
        HidDetach = null;
        Log.DeviceOpened(_logger, info.DisplayName, dfuInterface.InterfaceNumber, dfuInterface.Setting.Number, dfuInterface.Setting.Mode);
    }

    // Opens a HID application and reads its report descriptor (HID 1.11 §7.1.1) to find ST's DETACH report.
    private async Task OpenHidAsync(UsbDeviceInfo info, CancellationToken cancellationToken)
    {
        IUsbTransport transport = await _provider.OpenAsync(info, cancellationToken).ConfigureAwait(false);
        try
        {
            foreach (DfuInterfaceInfo hid in HidInterfaces(info))
            {
                // Claiming takes the interface from the kernel's HID driver on Linux for the session (libusb reattaches it).
                await transport.ClaimInterfaceAsync(hid.InterfaceNumber, cancellationToken).ConfigureAwait(false);
                ushort length = HidRequests.FindReportDescriptorLength(hid.Setting.ExtraDescriptors.Span) ?? HidRequests.MaxReportDescriptorLength;
                var buffer = new byte[length];
                int read = await transport.ControlInAsync(
                    HidRequests.GetReportDescriptor(hid.InterfaceNumber, length), buffer, _options.RequestTimeout, cancellationToken).ConfigureAwait(false);
                HidDetachReport? report;
                try
                {
                    report = HidReportDescriptor.FindDetachReport(buffer.AsSpan(0, read));
                }
                catch (FormatException ex)
                {
                    throw new DfuProtocolException($"{info.DisplayName} interface {hid.InterfaceNumber}: {ex.Message}", ex);
                }

                if (report is not null)
                {
                    _transport = transport;
                    _client = null;
                    _lastState = null;
                    Info = info;
                    Interface = hid;

                    // Nothing is known of the DFU side until the board is in DFU mode; the application detaches itself.
                    Descriptor = new DfuFunctionalDescriptor(DfuAttributes.WillDetach, 0, 0, 0);
                    HidDetach = report;
                    Log.DeviceOpened(_logger, info.DisplayName, hid.InterfaceNumber, hid.Setting.Number, DfuMode.Runtime);
                    return;
                }
            }
        }
        catch
        {
            await transport.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        await transport.DisposeAsync().ConfigureAwait(false);
        throw new DfuDeviceNotFoundException(
            $"{info.DisplayName} has no DFU interface, and its HID report descriptor has no DETACH report (usage page 0xFF00, usage 0x55).");
    }

    private async Task CloseTransportAsync()
    {
        IUsbTransport? transport = _transport;
        _transport = null;
        _client = null;
        if (transport is not null)
        {
            await transport.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task<T> RunAsync<T>(string operation, Func<Task<T>> body, CancellationToken cancellationToken)
    {
        _ = Transport;

        // One request sequence at a time: interleaving two would corrupt both (DFU 1.1 has one state machine per interface).
        if (Interlocked.Exchange(ref _running, 1) != 0)
        {
            throw new InvalidOperationException($"Another operation is running on {Info.DisplayName}; wait for it to finish.");
        }

        Log.OperationStarted(_logger, operation);
        try
        {
            T result = await body().ConfigureAwait(false);
            Log.OperationFinished(_logger, operation, result);
            return result;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await RecoverAsync($"{operation} cancelled").ConfigureAwait(false);
            throw;
        }
        catch (DfuException ex) when (ex is not DfuReenumerationTimeoutException and not DfuFileMismatchException && !IsUnreachable(ex))
        {
            await RecoverAsync(ex.Message).ConfigureAwait(false);
            throw;
        }
        finally
        {
            Volatile.Write(ref _running, 0);
        }
    }

    // Brings the device back to dfuIDLE after an error or a cancellation. It never throws: the original error is what
    // the caller needs. It waits out a busy device (ABORT is not allowed in dfuDNBUSY, DFU 1.1 §6.1.2), bounded by
    // BusyTimeout in the injected clock, and gives up at the first transport failure.
    private async Task RecoverAsync(string reason)
    {
        if (_client is null || HidDetach is not null || Mode != DfuMode.Dfu)
        {
            return;
        }

        Log.Recovery(_logger, reason);
        try
        {
            await EnsureIdleAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (DfuException ex)
        {
            Log.Quirk(_logger, $"Could not bring the device back to dfuIDLE: {ex.Message}");
        }
    }

    private async Task EnsureDfuModeAsync(IProgress<DfuProgress>? progress, CancellationToken cancellationToken)
    {
        if (Mode == DfuMode.Dfu)
        {
            return;
        }

        progress?.Report(new DfuProgress(DfuPhase.Detach, 0, 1, DfuProgressUnit.Steps));
        if (HidDetach is { } report)
        {
            await HidDetachAsync(report, cancellationToken).ConfigureAwait(false);
            progress?.Report(new DfuProgress(DfuPhase.Detach, 1, 1, DfuProgressUnit.Steps));
            return;
        }

        // DFU 1.1 §5.1: wTimeout tells the device how long to wait for the reset; use what the device itself asks for.
        ushort timeout = Descriptor.DetachTimeout == 0 ? (ushort)1000 : Descriptor.DetachTimeout;
        await Client.DetachAsync(timeout, cancellationToken).ConfigureAwait(false);
        UsbDeviceInfo before = Info;
        if (!Descriptor.WillDetach)
        {
            await ResetTransportAsync(cancellationToken).ConfigureAwait(false);
        }

        await CloseTransportAsync().ConfigureAwait(false);
        await ReopenAsync(before, requireDfuMode: true, cancellationToken).ConfigureAwait(false);
        progress?.Report(new DfuProgress(DfuPhase.Detach, 1, 1, DfuProgressUnit.Steps));
    }

    // ST's HID detach: SET_REPORT with the DETACH report over the control pipe, then wait for the same board in DFU mode.
    private async Task HidDetachAsync(HidDetachReport report, CancellationToken cancellationToken)
    {
        UsbDeviceInfo before = Info;
        byte[] payload = report.CreatePayload();
        Log.HidDetach(_logger, report.ReportId, report.Type, payload.Length, Info.DisplayName);
        try
        {
            await Transport.ControlOutAsync(
                HidRequests.SetReport(Interface.InterfaceNumber, report), payload, _options.RequestTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (UsbTransportException ex) when (ex.Error is UsbError.NoDevice or UsbError.Io)
        {
            // An application that jumps to its bootloader before the status stage has done what it was asked.
        }

        await CloseTransportAsync().ConfigureAwait(false);
        await ReopenAsync(before, requireDfuMode: true, cancellationToken).ConfigureAwait(false);
    }

    private async Task ResetTransportAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Transport.ResetAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (UsbTransportException ex) when (ex.Error is UsbError.NoDevice or UsbError.Io)
        {
            // A device that drops off the bus during its reset has done what the reset asked.
        }
    }

    private async Task ReopenAsync(UsbDeviceInfo before, bool requireDfuMode, CancellationToken cancellationToken)
    {
        // The same board (port path, else serial), with the selector's DFU-mode ids when it gave some: not the run-time
        // ids, which a bootloader seldom shares with its application.
        UsbDeviceInfo info = await _provider.WaitForDeviceAsync(
            d => SameIdentity(before, d)
                 && d.DfuInterfaces.Any(i => !requireDfuMode || i.Setting.Mode == DfuMode.Dfu)
                 && (!requireDfuMode || _selector.MatchesDfuModeIds(d)),
            _options.ReenumerationTimeout, cancellationToken).ConfigureAwait(false);
        Log.Reenumerated(_logger, info.DisplayName);
        var candidates = info.DfuInterfaces.Where(i => !requireDfuMode || i.Setting.Mode == DfuMode.Dfu).ToList();
        DfuInterfaceInfo chosen = candidates.FirstOrDefault(_selector.MatchesInterface) ?? candidates[0];
        await OpenInterfaceAsync(info, chosen, cancellationToken).ConfigureAwait(false);
    }

    // Session start (DFU 1.1 §6.1.2, Table A.2): GETSTATUS; CLRSTATUS out of dfuERROR; ABORT out of dfuDNLOAD-IDLE and
    // dfuUPLOAD-IDLE; wait out the busy states; until dfuIDLE.
    private async Task EnsureIdleAsync(CancellationToken cancellationToken)
    {
        for (int attempt = 0; attempt < 8; attempt++)
        {
            // The slow timeout: after an interrupted erase the device holds GETSTATUS until the erase is done.
            DfuStatusReport report = await GetStatusTrackedAsync(_options.SlowRequestTimeout, cancellationToken).ConfigureAwait(false);
            switch (report.State)
            {
                case DfuState.DfuIdle:
                    Log.SessionIdle(_logger);
                    return;
                case DfuState.DfuError:
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

    // After DFU_DNLOAD: GETSTATUS, waiting bwPollTimeout while the device is busy, until it settles; a bStatus error is
    // read (with its iString), cleared, and thrown with the block and address.
    private async Task<DfuStatusReport> PollAsync(
        DfuRequest request, string context, int? block, uint? address, bool slow, CancellationToken cancellationToken)
    {
        TimeSpan? timeout = slow ? _options.SlowRequestTimeout : null;
        DfuStatusReport report = await GetStatusTrackedAsync(timeout, cancellationToken).ConfigureAwait(false);
        TimeSpan busy = TimeSpan.Zero;
        int polls = 0;
        while (report.Status == DfuStatus.Ok && IsBusy(report.State))
        {
            CheckPollTimeout(report);
            busy += TimeSpan.FromMilliseconds(report.PollTimeout);
            if (busy > _options.BusyTimeout || ++polls > MaxPolls)
            {
                throw new DfuProtocolException($"{context}: the device stayed busy ({report.State.ToSpecName()}) for {polls} polls, {busy.TotalSeconds:0.#} s.");
            }

            await PollWaitAsync(report, cancellationToken).ConfigureAwait(false);
            report = await GetStatusTrackedAsync(timeout, cancellationToken).ConfigureAwait(false);
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
                Log.Quirk(_logger, $"CLRSTATUS after {report.Status.ToSpecName()} failed: {ex.Message}");
            }

            throw new DfuStatusException(report, request, context, text) { Block = block, Address = address };
        }

        return report;
    }

    private async Task<string?> TryGetStatusTextAsync(DfuStatusReport report)
    {
        try
        {
            return await Client.GetStatusTextAsync(report, CancellationToken.None).ConfigureAwait(false);
        }
        catch (UsbTransportException ex)
        {
            Log.Quirk(_logger, $"Could not read iString {report.StringIndex}: {ex.Message}");
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
        Interface = target;
        Descriptor = target.Setting.Dfu ?? Descriptor;
    }

    private async Task DfuSeCommandAsync(byte[] command, string context, uint? address, bool slow, CancellationToken cancellationToken)
    {
        await Client.DnloadAsync(DfuSeCommands.CommandBlock, command, null, cancellationToken).ConfigureAwait(false);
        DfuStatusReport report = await PollAsync(DfuRequest.Dnload, context, DfuSeCommands.CommandBlock, address, slow, cancellationToken).ConfigureAwait(false);
        ExpectState(report, DfuState.DfuDnloadIdle, context);
    }

    private async Task<DownloadResult> ExecuteAsync(TransferPlan plan, DownloadOptions options, IProgress<DfuProgress>? progress, CancellationToken cancellationToken)
    {
        long writeTotal = plan.WriteBytes;
        long verifyTotal = plan.VerifyBytes;
        int eraseTotal = plan.EraseCount;
        long written = 0;
        long verified = 0;
        int erased = 0;
        ushort nextBlock = 0;
        bool dfuSe = plan.Protocol == DfuProtocolKind.DfuSe;
        bool anyVerify = false;
        DfuLeaveOutcome outcome = DfuLeaveOutcome.StayedInDfuMode;
        foreach (TransferStep step in plan.Steps)
        {
            cancellationToken.ThrowIfCancellationRequested();
            switch (step.Kind)
            {
                case TransferStepKind.SelectAlternateSetting:
                    await SelectAsync(step.AlternateSetting, cancellationToken).ConfigureAwait(false);
                    break;
                case TransferStepKind.Erase:
                    await DfuSeCommandAsync(DfuSeCommands.Erase(step.Address), $"Erasing the sector at 0x{step.Address:X8}", step.Address, slow: true, cancellationToken).ConfigureAwait(false);
                    progress?.Report(new DfuProgress(DfuPhase.Erase, ++erased, eraseTotal, DfuProgressUnit.Sectors));
                    break;
                case TransferStepKind.MassErase:
                    await DfuSeCommandAsync(DfuSeCommands.MassErase(), "Mass erase", null, slow: true, cancellationToken).ConfigureAwait(false);
                    progress?.Report(new DfuProgress(DfuPhase.Erase, ++erased, eraseTotal, DfuProgressUnit.Sectors));
                    break;
                case TransferStepKind.SetAddress:
                    await DfuSeCommandAsync(DfuSeCommands.SetAddress(step.Address), $"Setting the address pointer to 0x{step.Address:X8}", step.Address, slow: false, cancellationToken).ConfigureAwait(false);
                    break;
                case TransferStepKind.Write:
                {
                    string context = dfuSe ? $"Writing block {step.Block} at 0x{step.Address:X8}" : $"Writing block {step.Block} (offset {step.Address})";
                    await Client.DnloadAsync(step.Block, plan.GetData(step), null, cancellationToken).ConfigureAwait(false);
                    DfuStatusReport report = await PollAsync(DfuRequest.Dnload, context, step.Block, dfuSe ? step.Address : null, slow: false, cancellationToken).ConfigureAwait(false);
                    ExpectState(report, DfuState.DfuDnloadIdle, context);
                    nextBlock = unchecked((ushort)(step.Block + 1));
                    written += step.Length;
                    progress?.Report(new DfuProgress(DfuPhase.Download, written, writeTotal, DfuProgressUnit.Bytes));
                    break;
                }

                case TransferStepKind.Manifest:
                    outcome = await ManifestAsync(nextBlock, options, progress, cancellationToken).ConfigureAwait(false);
                    break;
                case TransferStepKind.Verify:
                {
                    if (!anyVerify)
                    {
                        anyVerify = true;
                        if (outcome == DfuLeaveOutcome.Reset)
                        {
                            // The device reset after manifestation; find it again and bring it back into DFU mode to read.
                            UsbDeviceInfo before = Info;
                            await ReopenAsync(before, requireDfuMode: false, cancellationToken).ConfigureAwait(false);
                            await EnsureDfuModeAsync(progress, cancellationToken).ConfigureAwait(false);
                            await SelectAsync(step.AlternateSetting, cancellationToken).ConfigureAwait(false);
                            outcome = DfuLeaveOutcome.StayedInDfuMode;
                        }

                        await EnsureIdleAsync(cancellationToken).ConfigureAwait(false);
                    }

                    ReadOnlyMemory<byte> expected = plan.GetData(step);
                    byte[] actual = dfuSe
                        ? await ReadDfuSeAsync(step.Address, step.Length, DfuPhase.Verify, progress, verified, verifyTotal, cancellationToken).ConfigureAwait(false)
                        : await ReadDfuAsync(step.Length, step.Length, DfuPhase.Verify, progress, cancellationToken).ConfigureAwait(false);
                    Compare(expected.Span, actual, step.Address);
                    verified += step.Length;
                    break;
                }

                case TransferStepKind.Leave when dfuSe:
                    // Set Address Pointer is accepted in dfuIDLE and dfuDNLOAD-IDLE, where writes and verification end.
                    outcome = await LeaveCoreAsync(step.Address, progress, cancellationToken).ConfigureAwait(false);
                    break;
                case TransferStepKind.Leave:
                    progress?.Report(new DfuProgress(DfuPhase.Leave, 0, 1, DfuProgressUnit.Steps));
                    if (_transport is not null)
                    {
                        await ResetTransportAsync(cancellationToken).ConfigureAwait(false);
                        await CloseTransportAsync().ConfigureAwait(false);
                    }

                    outcome = DfuLeaveOutcome.Reset;
                    progress?.Report(new DfuProgress(DfuPhase.Leave, 1, 1, DfuProgressUnit.Steps));
                    break;
            }
        }

        if (dfuSe && outcome == DfuLeaveOutcome.StayedInDfuMode)
        {
            await EnsureIdleAsync(cancellationToken).ConfigureAwait(false);
        }

        return new DownloadResult(plan, anyVerify, outcome);
    }

    private static void Compare(ReadOnlySpan<byte> expected, ReadOnlySpan<byte> actual, uint address)
    {
        int common = Math.Min(expected.Length, actual.Length);
        int diff = expected[..common].CommonPrefixLength(actual[..common]);
        if (diff < common)
        {
            throw new DfuVerificationException(
                $"Verification failed at 0x{address + (uint)diff:X8}: wrote 0x{expected[diff]:X2}, read 0x{actual[diff]:X2}.")
            { Address = address + (uint)diff, Expected = expected[diff], Actual = actual[diff] };
        }

        if (actual.Length < expected.Length)
        {
            throw new DfuVerificationException(
                $"Verification failed at 0x{address + (uint)common:X8}: the device returned {actual.Length} of {expected.Length} bytes.")
            { Address = address + (uint)common, Expected = expected[common] };
        }
    }

    // DFU 1.1 §7: the zero-length DFU_DNLOAD starts manifestation. A manifestation-tolerant device returns to dfuIDLE;
    // one that is not goes to dfuMANIFEST-WAIT-RESET, may stop answering, and waits for a USB reset.
    private async Task<DfuLeaveOutcome> ManifestAsync(ushort block, DownloadOptions options, IProgress<DfuProgress>? progress, CancellationToken cancellationToken)
    {
        progress?.Report(new DfuProgress(DfuPhase.Manifest, 0, 1, DfuProgressUnit.Steps));
        await Client.DnloadAsync(block, ReadOnlyMemory<byte>.Empty, null, cancellationToken).ConfigureAwait(false);
        bool tolerant = Descriptor.ManifestationTolerant;
        DfuStatusReport? report = null;
        try
        {
            report = await PollAsync(DfuRequest.Dnload, "Manifestation", block, null, slow: true, cancellationToken).ConfigureAwait(false);
        }
        catch (UsbTransportException ex) when (!tolerant && _lastState is DfuState.DfuManifest or DfuState.DfuManifestWaitReset
                                               && ex.Error is UsbError.NoDevice or UsbError.Io or UsbError.Stall or UsbError.Timeout)
        {
            Log.Quirk(_logger, $"The device stopped answering after dfuMANIFEST ({ex.Error}), as a device that is not manifestation tolerant may");
        }

        DfuLeaveOutcome outcome;
        if (tolerant)
        {
            ExpectState(report!.Value, DfuState.DfuIdle, "Manifestation");
            outcome = DfuLeaveOutcome.StayedInDfuMode;
        }
        else
        {
            if (report is { } r && r.State != DfuState.DfuManifestWaitReset)
            {
                throw new DfuProtocolException($"Manifestation: the device went to {r.State.ToSpecName()}; DFU 1.1 expects dfuMANIFEST-WAIT-RESET.");
            }

            if (options.ResetAfterManifest)
            {
                await ResetTransportAsync(cancellationToken).ConfigureAwait(false);
                await CloseTransportAsync().ConfigureAwait(false);
                outcome = DfuLeaveOutcome.Reset;
            }
            else
            {
                outcome = DfuLeaveOutcome.StayedInDfuMode;
            }
        }

        progress?.Report(new DfuProgress(DfuPhase.Manifest, 1, 1, DfuProgressUnit.Steps));
        return outcome;
    }

    // ST AN3156 §6.3.5: Set Address Pointer to the jump address, a zero-length DFU_DNLOAD, then DFU_GETSTATUS, which
    // answers dfuMANIFEST and starts the jump. A device that disconnects here has left.
    private async Task<DfuLeaveOutcome> LeaveCoreAsync(uint address, IProgress<DfuProgress>? progress, CancellationToken cancellationToken)
    {
        progress?.Report(new DfuProgress(DfuPhase.Leave, 0, 1, DfuProgressUnit.Steps));
        await DfuSeCommandAsync(DfuSeCommands.SetAddress(address), $"Setting the jump address 0x{address:X8}", address, slow: false, cancellationToken).ConfigureAwait(false);
        DfuLeaveOutcome outcome;
        try
        {
            await Client.DnloadAsync(DfuSeCommands.FirstDataBlock, ReadOnlyMemory<byte>.Empty, null, cancellationToken).ConfigureAwait(false);
            DfuStatusReport report = await GetStatusTrackedAsync(null, cancellationToken).ConfigureAwait(false);
            if (report.Status != DfuStatus.Ok)
            {
                string? text = await TryGetStatusTextAsync(report).ConfigureAwait(false);
                throw new DfuStatusException(report, DfuRequest.Dnload, $"Leaving DFU mode to 0x{address:X8}", text) { Address = address };
            }

            if (report.State is not (DfuState.DfuManifest or DfuState.DfuManifestSync or DfuState.DfuManifestWaitReset))
            {
                throw new DfuProtocolException($"Leaving DFU mode: the device went to {report.State.ToSpecName()}; ST AN3156 expects dfuMANIFEST.");
            }

            outcome = DfuLeaveOutcome.Left;
        }
        catch (UsbTransportException ex) when (ex.Error is UsbError.NoDevice or UsbError.Io)
        {
            outcome = DfuLeaveOutcome.Disconnected;
        }

        await CloseTransportAsync().ConfigureAwait(false);
        progress?.Report(new DfuProgress(DfuPhase.Leave, 1, 1, DfuProgressUnit.Steps));
        return outcome;
    }

    // DFU 1.1 §6.2: DFU_UPLOAD blocks from 0 until a short frame (the device then returns to dfuIDLE) or the length;
    // a read that stops at a full frame leaves dfuUPLOAD-IDLE, which DFU_ABORT ends.
    private async Task<byte[]> ReadDfuAsync(long? length, long maxLength, DfuPhase phase, IProgress<DfuProgress>? progress, CancellationToken cancellationToken)
    {
        var output = new ArrayBufferWriter<byte>(length is { } l ? (int)Math.Min(l, 1 << 20) + 1 : 4096);
        int size = TransferSize;
        ushort block = 0;
        bool shortFrame = false;
        while (length is null || output.WrittenCount < length)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int want = length is { } total ? (int)Math.Min(size, total - output.WrittenCount) : size;
            Memory<byte> buffer = output.GetMemory(want)[..want];
            int got = await Client.UploadAsync(block, buffer, null, cancellationToken).ConfigureAwait(false);
            output.Advance(got);
            block = unchecked((ushort)(block + 1));
            progress?.Report(new DfuProgress(phase, output.WrittenCount, length ?? output.WrittenCount, DfuProgressUnit.Bytes));
            if (got < want)
            {
                shortFrame = true;
                break;
            }

            if (length is null && output.WrittenCount > maxLength)
            {
                throw new DfuProtocolException($"The device sent more than {maxLength} bytes without a short frame to end the upload.");
            }
        }

        if (!shortFrame)
        {
            await Client.AbortAsync(cancellationToken).ConfigureAwait(false);
        }

        return output.WrittenSpan.ToArray();
    }

    // ST AN3156 §6.2.2: Set Address Pointer, DFU_ABORT back to dfuIDLE, then DFU_UPLOAD from block 2; block n reads
    // (n − 2) × wTransferSize past the pointer. The pointer is set again before wBlockNum would wrap.
    private async Task<byte[]> ReadDfuSeAsync(uint address, int length, DfuPhase phase, IProgress<DfuProgress>? progress, long doneBefore, long total, CancellationToken cancellationToken)
    {
        byte[] result = new byte[length];
        int size = TransferSize;

        // The device computes block addresses with its own wTransferSize (ST's usbd_dfu.c uses the compile-time
        // USBD_DFU_XFER_SIZE), so with another block size every block gets its own pointer and is read as block 2.
        bool pointerPerBlock = size != Descriptor.TransferSize;
        int offset = 0;
        while (offset < length)
        {
            uint pointer = address + (uint)offset;
            await DfuSeCommandAsync(DfuSeCommands.SetAddress(pointer), $"Setting the address pointer to 0x{pointer:X8}", pointer, slow: false, cancellationToken).ConfigureAwait(false);
            await Client.AbortAsync(cancellationToken).ConfigureAwait(false);
            int lastBlock = pointerPerBlock ? DfuSeCommands.FirstDataBlock : ushort.MaxValue;
            for (int block = DfuSeCommands.FirstDataBlock; block <= lastBlock && offset < length; block++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int want = Math.Min(size, length - offset);
                int got = await Client.UploadAsync((ushort)block, result.AsMemory(offset, want), null, cancellationToken).ConfigureAwait(false);
                if (got != want)
                {
                    throw new DfuProtocolException($"Reading 0x{address + (uint)offset:X8}: DFU_UPLOAD block {block} returned {got} of {want} bytes.");
                }

                offset += got;
                progress?.Report(new DfuProgress(phase, doneBefore + offset, total, DfuProgressUnit.Bytes));
            }

            await Client.AbortAsync(cancellationToken).ConfigureAwait(false);
        }

        return result;
    }

    private async Task<DfuFile> ReadBackupAsync(TransferPlan plan, IProgress<DfuProgress>? progress, CancellationToken cancellationToken)
    {
        if (!Descriptor.CanUpload)
        {
            throw new NotSupportedException($"{Info.DisplayName} cannot be backed up: it does not accept uploads (bitCanUpload is clear).");
        }

        var suffix = new DfuSuffix
        {
            VendorId = Info.VendorId,
            ProductId = Info.ProductId,
            DeviceVersion = Info.DeviceVersion,
            DfuVersion = plan.Protocol == DfuProtocolKind.DfuSe ? DfuSuffix.DfuSe : DfuSuffix.Dfu11,
        };
        if (plan.Protocol == DfuProtocolKind.Dfu)
        {
            byte alt = plan.Segments.Length > 0 ? plan.Segments[0].AlternateSetting : Interface.Setting.Number;
            await SelectAsync(alt, cancellationToken).ConfigureAwait(false);
            byte[] firmware = await ReadDfuAsync(null, new UploadOptions().MaxLength, DfuPhase.Upload, progress, cancellationToken).ConfigureAwait(false);
            return new DfuFile { Firmware = firmware, Suffix = suffix };
        }

        long total = plan.Segments.Sum(s => (long)s.Data.Length);
        long done = 0;
        var targets = ImmutableArray.CreateBuilder<DfuSeTarget>();
        foreach (IGrouping<byte, TransferSegment> byAlt in plan.Segments.GroupBy(s => s.AlternateSetting))
        {
            await SelectAsync(byAlt.Key, cancellationToken).ConfigureAwait(false);
            var elements = ImmutableArray.CreateBuilder<DfuSeElement>();
            foreach (TransferSegment segment in byAlt)
            {
                byte[] data = await ReadDfuSeAsync(segment.Address, segment.Data.Length, DfuPhase.Upload, progress, done, total, cancellationToken).ConfigureAwait(false);
                done += data.Length;
                elements.Add(new DfuSeElement(segment.Address, data));
            }

            targets.Add(new DfuSeTarget(byAlt.Key, GetLayout(byAlt.Key)?.Name, elements.ToImmutable()));
        }

        await EnsureIdleAsync(cancellationToken).ConfigureAwait(false);
        return new DfuFile { DfuSe = new DfuSeImage(targets.ToImmutable()), Suffix = suffix };
    }

    private async Task<ImmutableArray<DfuSeCommand>> GetCommandsCoreAsync(CancellationToken cancellationToken)
    {
        await EnsureIdleAsync(cancellationToken).ConfigureAwait(false);
        byte[] buffer = new byte[Math.Min(TransferSize, 256)];
        int got = await Client.UploadAsync(DfuSeCommands.CommandBlock, buffer, null, cancellationToken).ConfigureAwait(false);
        ImmutableArray<DfuSeCommand> commands = DfuSeCommands.ParseCommandList(buffer.AsSpan(0, got));
        await EnsureIdleAsync(cancellationToken).ConfigureAwait(false);
        return commands;
    }

    private void CheckSuffix(DfuFile file, bool force)
    {
        if (file.Suffix is { } suffix && !suffix.Matches(Info.VendorId, Info.ProductId, Info.DeviceVersion))
        {
            string message = $"The file is for {suffix.VendorId:x4}:{suffix.ProductId:x4} bcdDevice 0x{suffix.DeviceVersion:X4}, " +
                             $"but the device is {Info.VendorId:x4}:{Info.ProductId:x4} bcdDevice 0x{Info.DeviceVersion:X4}.";
            if (!force)
            {
                throw new DfuFileMismatchException(message);
            }

            Log.Quirk(_logger, message + " Forced.");
        }
    }

    private void CheckTargets(DfuSeImage image, bool force)
    {
        foreach (DfuSeTarget target in image.Targets)
        {
            DfuInterfaceInfo alt = AlternateSettings.FirstOrDefault(a => a.Setting.Number == target.AlternateSetting)
                ?? throw new DfuFileMismatchException(
                    $"The file has a target for alternate setting {target.AlternateSetting}, which {Info.DisplayName} does not have.");
            if (target.Name is not { Length: > 0 } name || name == StDefaultTargetName)
            {
                continue;
            }

            if (!DfuDeviceSelector.NameMatches(name, alt.Setting.Name))
            {
                string message = $"The file's target for alternate setting {target.AlternateSetting} is named \"{name}\", " +
                                 $"but the device calls it \"{alt.Setting.Name}\".";
                if (!force)
                {
                    throw new DfuFileMismatchException(message);
                }

                Log.Quirk(_logger, message + " Forced.");
            }
        }
    }

    private DfuSeMemoryLayout RequireLayout(byte alternateSetting)
        => GetLayout(alternateSetting)
           ?? throw new DfuProtocolException($"Alternate setting {alternateSetting} of {Info.DisplayName} has no DfuSe memory layout.");

    private void RequireDfuSe(string operation)
    {
        _ = Transport;
        if (!IsDfuSe)
        {
            throw new NotSupportedException($"{operation} needs a DfuSe device; {Info.DisplayName} speaks plain DFU 1.1.");
        }
    }
}
