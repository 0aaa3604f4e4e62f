using DfuSharp.Protocol;
using DfuSharp.Usb;

namespace DfuSharp;

/// <summary>One DFU interface found by <see cref="DfuDevice.ListAsync"/>: a device and one of its DFU alternate settings.</summary>
/// <param name="Device">The device.</param>
/// <param name="Interface">The DFU interface and alternate setting.</param>
public sealed record DfuInterfaceListing(UsbDeviceInfo Device, DfuInterfaceInfo Interface);

/// <summary>What <see cref="DfuDevice.GetStatusAsync"/> read: the DFU_GETSTATUS reply and, for an error, its iString text.</summary>
/// <param name="Report">The reply.</param>
/// <param name="Text">The iString text of an error status, or <see langword="null"/>.</param>
public sealed record DfuStatusReading(DfuStatusReport Report, string? Text);
