using DfuSharp.Hid;
using DfuSharp.Protocol;
using DfuSharp.Usb;

namespace DfuSharp;

/// <content>The session: opening, detach, re-enumeration, one operation at a time, and recovery to dfuIDLE.</content>
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

        Swap(new Connection(transport, new DfuClient(transport, dfuInterface.InterfaceNumber, _options.RequestTimeout, _options.LoggerFactory),
            info, dfuInterface, descriptor, HidDetach: null));
        Log.DeviceOpened(_logger, info.DisplayName, dfuInterface.InterfaceNumber, dfuInterface.Setting.Number, dfuInterface.Setting.Mode);
        LogOpenQuirks();
    }

    // The one place the connection changes: a new transport starts with an unknown device state.
    private void Swap(Connection next)
    {
        if (!ReferenceEquals(next.Transport, _connection?.Transport))
        {
            _lastState = null;
        }

        if (_connection is { } old && !ReferenceEquals(next.Client, old.Client))
        {
            _retiredTransfers += old.Client?.ControlTransfers ?? 0;
        }

        _connection = next;
    }

    // Control transfers made through clients of earlier connections (before a detach, reset or leave).
    private long _retiredTransfers;

    private long ControlTransfers => _retiredTransfers + (_connection?.Client?.ControlTransfers ?? 0);

    private DfuQuirk Quirks => DfuQuirks.For(Info.VendorId, Info.ProductId, Info.DeviceVersion);

    // The quirks visible in the descriptors, logged once per open so that a log shows which known deviations applied.
    private void LogOpenQuirks()
    {
        DfuQuirk quirks = Quirks;
        if ((quirks & DfuQuirk.DfuModeProtocolZero) != 0 && Interface.Setting is { IsDfu: true, InterfaceProtocol: 0 } setting)
        {
            Log.QuirkProtocolZero(_logger, Info.VendorId, Info.ProductId, Interface.InterfaceNumber, setting.Number);
        }

        if ((quirks & DfuQuirk.LayoutTrailingSlash) != 0)
        {
            foreach (DfuInterfaceInfo alt in AlternateSettings.Where(a => a.Setting.Name is { } n && n.StartsWith('@') && n.TrimEnd().EndsWith('/')))
            {
                Log.QuirkLayoutTrailingSlash(_logger, Info.VendorId, Info.ProductId, alt.Setting.Number);
            }
        }
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
                    // Nothing is known of the DFU side until the board is in DFU mode; the application detaches itself.
                    Swap(new Connection(transport, Client: null, info, hid, new DfuFunctionalDescriptor(DfuAttributes.WillDetach, 0, 0, 0), report));
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
        IUsbTransport? transport = CurrentTransport;
        if (_connection is not null)
        {
            Swap(_connection with { Transport = null, Client = null });
        }
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
        catch (DfuException ex) when (ex is not (DfuReenumerationTimeoutException or DfuFileMismatchException or DfuConsentRequiredException) && !IsUnreachable(ex))
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
        if (CurrentClient is null || HidDetach is not null || Mode != DfuMode.Dfu)
        {
            return;
        }

        Log.Recovery(_logger, reason);
        try
        {
            await EnsureIdleAsync(slow: true, CancellationToken.None).ConfigureAwait(false);
        }
        catch (DfuException ex)
        {
            Log.RecoveryFailed(_logger, ex.Message);
        }
    }

    // Detach is a small strategy chosen by what the board offers: DFU_DETACH on a DFU run-time interface, or ST's HID
    // DETACH report. Either way the board then re-enumerates and is awaited the same way.
    private async Task EnsureDfuModeAsync(IProgress<DfuProgress>? progress, CancellationToken cancellationToken)
    {
        if (Mode == DfuMode.Dfu)
        {
            return;
        }

        progress?.Report(new DfuProgress(DfuPhase.Detach, 0, 1, DfuProgressUnit.Steps));
        UsbDeviceInfo before = Info;
        IDetachStrategy strategy = HidDetach is { } report ? new HidReportDetach(report) : new DfuRequestDetach();
        await strategy.SendAsync(this, cancellationToken).ConfigureAwait(false);
        await CloseTransportAsync().ConfigureAwait(false);
        await ReopenAsync(before, requireDfuMode: true, cancellationToken).ConfigureAwait(false);
        progress?.Report(new DfuProgress(DfuPhase.Detach, 1, 1, DfuProgressUnit.Steps));
    }

    private async Task ResetTransportAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Transport.ResetAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (UsbTransportException ex) when (DeviceGone.Is(ex, GoneContext.Departure))
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

    /// <summary>One open transport and what was learnt when it was opened; after close, the last device seen.</summary>
    private sealed record Connection(
        IUsbTransport? Transport, DfuClient? Client, UsbDeviceInfo Info, DfuInterfaceInfo Interface, DfuFunctionalDescriptor Descriptor, HidDetachReport? HidDetach);

    /// <summary>How a run-time board is told to switch to DFU mode.</summary>
    private interface IDetachStrategy
    {
        Task SendAsync(DfuDevice device, CancellationToken cancellationToken);
    }

    // DFU 1.1 §5.1: DFU_DETACH, then a USB reset unless the device detaches by itself (bitWillDetach).
    private sealed class DfuRequestDetach : IDetachStrategy
    {
        public async Task SendAsync(DfuDevice device, CancellationToken cancellationToken)
        {
            // wTimeout tells the device how long to wait for the reset; use what the device itself asks for.
            ushort timeout = device.Descriptor.DetachTimeout == 0 ? (ushort)1000 : device.Descriptor.DetachTimeout;
            await device.Client.DetachAsync(timeout, cancellationToken).ConfigureAwait(false);
            if (!device.Descriptor.WillDetach)
            {
                await device.ResetTransportAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    // ST's HID detach (UM0412): SET_REPORT with the DETACH report over the control pipe (HID 1.11 §7.2.2).
    private sealed class HidReportDetach(HidDetachReport report) : IDetachStrategy
    {
        public async Task SendAsync(DfuDevice device, CancellationToken cancellationToken)
        {
            byte[] payload = report.CreatePayload();
            Log.HidDetach(device._logger, report.ReportId, report.Type, payload.Length, device.Info.DisplayName);
            try
            {
                await device.Transport.ControlOutAsync(
                    HidRequests.SetReport(device.Interface.InterfaceNumber, report), payload, device._options.RequestTimeout, cancellationToken).ConfigureAwait(false);
            }
            catch (UsbTransportException ex) when (DeviceGone.Is(ex, GoneContext.Departure))
            {
                // An application that jumps to its bootloader before the status stage has done what it was asked.
            }
        }
    }
}
