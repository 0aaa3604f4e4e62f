using DfuSharp.Protocol;
using DfuSharp.Usb;
using Microsoft.Extensions.Logging;

namespace DfuSharp;

internal static partial class Log
{
    [LoggerMessage(EventId = DfuEventId.SetupPacket, Level = LogLevel.Trace, Message = "{Request} setup {Setup} data {Length} bytes")]
    internal static partial void SetupPacket(ILogger logger, DfuRequest request, UsbSetupPacket setup, int length);

    [LoggerMessage(EventId = DfuEventId.StatusBytes, Level = LogLevel.Trace, Message = "GETSTATUS {Status}")]
    internal static partial void StatusBytes(ILogger logger, DfuStatusReport status);

    [LoggerMessage(EventId = DfuEventId.StateChanged, Level = LogLevel.Debug, Message = "Device state {From} -> {To}")]
    internal static partial void StateChanged(ILogger logger, SpecState from, SpecState to);

    [LoggerMessage(EventId = DfuEventId.PollWait, Level = LogLevel.Debug, Message = "Device busy in {State}; waiting {DelayMs} ms")]
    internal static partial void PollWait(ILogger logger, SpecState state, uint delayMs);

    [LoggerMessage(EventId = DfuEventId.SessionIdle, Level = LogLevel.Debug, Message = "Session ready: device in dfuIDLE")]
    internal static partial void SessionIdle(ILogger logger);

    [LoggerMessage(EventId = DfuEventId.DeviceOpened, Level = LogLevel.Information, Message = "Opened {Device} interface {Interface} alt {Alt} ({Mode})")]
    internal static partial void DeviceOpened(ILogger logger, string device, byte @interface, byte alt, DfuMode mode);

    [LoggerMessage(EventId = DfuEventId.OperationStarted, Level = LogLevel.Information, Message = "{Operation} started")]
    internal static partial void OperationStarted(ILogger logger, string operation);

    [LoggerMessage(EventId = DfuEventId.OperationFinished, Level = LogLevel.Information, Message = "{Operation} finished: {Outcome}")]
    internal static partial void OperationFinished(ILogger logger, string operation, object? outcome);

    [LoggerMessage(EventId = DfuEventId.Reenumerated, Level = LogLevel.Information, Message = "Device re-enumerated as {Device}")]
    internal static partial void Reenumerated(ILogger logger, string device);

    [LoggerMessage(EventId = DfuEventId.HidDetach, Level = LogLevel.Information, Message = "Sending the HID DETACH report (id 0x{ReportId:X2}, {Type}, {Length} bytes) to {Device}")]
    internal static partial void HidDetach(ILogger logger, byte reportId, Hid.HidReportType type, int length, string device);

    [LoggerMessage(EventId = DfuEventId.ManifestSilent, Level = LogLevel.Warning, Message = "The device stopped answering after dfuMANIFEST ({Error}), as a device that is not manifestation tolerant may")]
    internal static partial void ManifestSilent(ILogger logger, Usb.UsbError error);

    [LoggerMessage(EventId = DfuEventId.ClearStatusFailed, Level = LogLevel.Warning, Message = "CLRSTATUS after {Status} failed: {Error}")]
    internal static partial void ClearStatusFailed(ILogger logger, DfuStatus status, Usb.UsbError error);

    [LoggerMessage(EventId = DfuEventId.StatusTextUnreadable, Level = LogLevel.Warning, Message = "Could not read iString {StringIndex}: {Error}")]
    internal static partial void StatusTextUnreadable(ILogger logger, byte stringIndex, Usb.UsbError error);

    [LoggerMessage(EventId = DfuEventId.RecoveryFailed, Level = LogLevel.Warning, Message = "Could not bring the device back to dfuIDLE: {Reason}")]
    internal static partial void RecoveryFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = DfuEventId.StayedAfterUnprotect, Level = LogLevel.Warning, Message = "The device stayed in {State} after Read Unprotect instead of resetting")]
    internal static partial void StayedAfterUnprotect(ILogger logger, SpecState state);

    [LoggerMessage(EventId = DfuEventId.QuirkMassErase, Level = LogLevel.Warning, Message = "Quirk {VendorId:x4}:{ProductId:x4} bcdDevice 0x{DeviceVersion:X4}: the mass erase outlasts its poll timeout; GETSTATUS waits up to {TimeoutSeconds} s")]
    internal static partial void QuirkMassErase(ILogger logger, ushort vendorId, ushort productId, ushort deviceVersion, double timeoutSeconds);

    [LoggerMessage(EventId = DfuEventId.QuirkStartedInError, Level = LogLevel.Warning, Message = "Quirk {VendorId:x4}:{ProductId:x4}: the session started in dfuERROR with {Status}; cleared with CLRSTATUS")]
    internal static partial void QuirkStartedInError(ILogger logger, ushort vendorId, ushort productId, DfuStatus status);

    [LoggerMessage(EventId = DfuEventId.QuirkStuckErase, Level = LogLevel.Warning, Message = "Quirk {VendorId:x4}:{ProductId:x4}: the erase at 0x{Address:X8} stayed in dfuDNBUSY {StuckMs} ms (bwPollTimeout {PollTimeout} ms); two CLRSTATUS brought it to dfuIDLE")]
    internal static partial void QuirkStuckErase(ILogger logger, ushort vendorId, ushort productId, uint address, long stuckMs, uint pollTimeout);

    [LoggerMessage(EventId = DfuEventId.QuirkProtocolZero, Level = LogLevel.Warning, Message = "Quirk {VendorId:x4}:{ProductId:x4}: interface {Interface} alt {Alt} reports bInterfaceProtocol 0; treated as DFU mode")]
    internal static partial void QuirkProtocolZero(ILogger logger, ushort vendorId, ushort productId, byte @interface, byte alt);

    [LoggerMessage(EventId = DfuEventId.QuirkLayoutTrailingSlash, Level = LogLevel.Warning, Message = "Quirk {VendorId:x4}:{ProductId:x4}: alt {Alt} layout ends with '/'; the empty list after it is ignored")]
    internal static partial void QuirkLayoutTrailingSlash(ILogger logger, ushort vendorId, ushort productId, byte alt);

    [LoggerMessage(EventId = DfuEventId.PlanWarning, Level = LogLevel.Warning, Message = "{Warning}")]
    internal static partial void PlanWarning(ILogger logger, string warning);

    [LoggerMessage(EventId = DfuEventId.PacingFallback, Level = LogLevel.Warning, Message = "An early GETSTATUS after {WaitedMs} ms of a {PollTimeoutMs} ms poll timeout failed ({Error}); waiting bwPollTimeout for the rest of the session")]
    internal static partial void PacingFallback(ILogger logger, int waitedMs, uint pollTimeoutMs, Usb.UsbError error);

    [LoggerMessage(EventId = DfuEventId.Recovery, Level = LogLevel.Warning, Message = "Recovering the device: {Reason}")]
    internal static partial void Recovery(ILogger logger, string reason);
}

/// <summary>A state that formats with the spec's spelling (dfuDNBUSY) only when a message is written.</summary>
internal readonly record struct SpecState(DfuState? State)
{
    public override string ToString() => State?.ToSpecName() ?? "unknown";
}
