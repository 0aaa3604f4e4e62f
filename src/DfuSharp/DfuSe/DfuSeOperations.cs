using System.Collections.Immutable;
using DfuSharp.Planning;
using DfuSharp.Usb;

namespace DfuSharp.DfuSe;

/// <summary>
/// The ST DfuSe operations of an open <see cref="DfuDevice"/> (ST AN3156), reached as <see cref="DfuDevice.DfuSe"/>:
/// sector erase, mass erase, Get Commands, Read Unprotect and leave. Each checks that the device speaks DfuSe.
/// </summary>
public sealed class DfuSeOperations
{
    private readonly DfuDevice _device;

    internal DfuSeOperations(DfuDevice device) => _device = device;

    /// <summary>Erases every sector that the range touches, each once (DfuSe, ST AN3156 §6.3.3).</summary>
    /// <param name="address">The first address.</param>
    /// <param name="length">The number of bytes.</param>
    /// <param name="alternateSetting">The memory; the one in use when <see langword="null"/>.</param>
    /// <param name="progress">Receives a report per sector.</param>
    /// <param name="cancellationToken">Cancels between sectors; the device is aborted back to dfuIDLE.</param>
    /// <returns>The erased sectors' steps.</returns>
    /// <exception cref="NotSupportedException">The device is not a DfuSe device.</exception>
    /// <exception cref="DfuFileMismatchException">The range lies outside the layout or in sectors that cannot be erased.</exception>
    /// <exception cref="DfuStatusException">The device reported an error.</exception>
    /// <exception cref="DfuProtocolException">The device broke the protocol.</exception>
    /// <exception cref="UsbTransportException">A transfer failed.</exception>
    /// <exception cref="OperationCanceledException">The erase was cancelled.</exception>
    public Task<ImmutableArray<TransferStep>> EraseAsync(uint address, uint length, byte? alternateSetting = null, IProgress<DfuProgress>? progress = null, CancellationToken cancellationToken = default)
        => _device.DfuSeEraseAsync(address, length, alternateSetting, progress, cancellationToken);

    /// <summary>Erases the whole memory of an alternate setting (DfuSe Erase without an address). Cancelled after the
    /// command was sent, it waits for the device to finish (up to <see cref="DfuDeviceOptions.BusyTimeout"/>) and
    /// throws <see cref="DfuEraseCanceledException"/>, which says whether the erase completed.</summary>
    /// <param name="alternateSetting">The memory; the one in use when <see langword="null"/>.</param>
    /// <param name="progress">Receives one <see cref="DfuPhase.Erase"/> report at the end.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the memory is erased.</returns>
    /// <exception cref="NotSupportedException">The device is not a DfuSe device.</exception>
    /// <exception cref="DfuStatusException">The device reported an error.</exception>
    /// <exception cref="DfuProtocolException">The device broke the protocol.</exception>
    /// <exception cref="UsbTransportException">A transfer failed.</exception>
    /// <exception cref="OperationCanceledException">The operation was cancelled.</exception>
    /// <exception cref="DfuEraseCanceledException">The operation was cancelled; <see cref="DfuEraseCanceledException.Completed"/> says whether the erase finished.</exception>
    public Task MassEraseAsync(byte? alternateSetting = null, IProgress<DfuProgress>? progress = null, CancellationToken cancellationToken = default)
        => _device.DfuSeMassEraseAsync(alternateSetting, progress, cancellationToken);

    /// <summary>Asks a DfuSe device which commands it supports (Get Commands, ST AN3156 §6.2.1).</summary>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The commands.</returns>
    /// <exception cref="NotSupportedException">The device is not a DfuSe device.</exception>
    /// <exception cref="DfuProtocolException">The reply is malformed.</exception>
    /// <exception cref="UsbTransportException">A transfer failed.</exception>
    /// <exception cref="OperationCanceledException">The operation was cancelled.</exception>
    public Task<ImmutableArray<DfuSeCommand>> GetCommandsAsync(CancellationToken cancellationToken = default)
        => _device.DfuSeGetCommandsAsync(cancellationToken);

    /// <summary>
    /// Removes read protection (DfuSe Read Unprotect, ST AN3156 §6.3.4) after checking with Get Commands that the device
    /// supports it. The device mass-erases its flash and resets; the session closes.
    /// </summary>
    /// <param name="cancellationToken">Cancels the operation before the command is sent.</param>
    /// <returns>How the device ended up.</returns>
    /// <exception cref="NotSupportedException">The device is not a DfuSe device or does not list Read Unprotect.</exception>
    /// <exception cref="DfuStatusException">The device reported an error.</exception>
    /// <exception cref="DfuProtocolException">The device broke the protocol.</exception>
    /// <exception cref="UsbTransportException">A transfer failed.</exception>
    /// <exception cref="OperationCanceledException">The operation was cancelled.</exception>
    public Task<DfuLeaveOutcome> ReadUnprotectAsync(CancellationToken cancellationToken = default)
        => _device.DfuSeReadUnprotectAsync(cancellationToken);

    /// <summary>Leaves DfuSe DFU mode and jumps to <paramref name="address"/> (ST AN3156 §6.3.5). The session closes.</summary>
    /// <param name="address">The jump address; the start of the layout when <see langword="null"/>.</param>
    /// <param name="progress">Receives <see cref="DfuPhase.Leave"/> reports.</param>
    /// <param name="cancellationToken">Cancels the operation before the leave is sent.</param>
    /// <returns><see cref="DfuLeaveOutcome.Left"/> or <see cref="DfuLeaveOutcome.Disconnected"/>; both mean the device left.</returns>
    /// <exception cref="NotSupportedException">The device is not a DfuSe device.</exception>
    /// <exception cref="DfuStatusException">The device reported an error.</exception>
    /// <exception cref="DfuProtocolException">The device did not start leaving.</exception>
    /// <exception cref="UsbTransportException">A transfer failed before the leave.</exception>
    /// <exception cref="OperationCanceledException">The operation was cancelled.</exception>
    public Task<DfuLeaveOutcome> LeaveAsync(uint? address = null, IProgress<DfuProgress>? progress = null, CancellationToken cancellationToken = default)
        => _device.DfuSeLeaveAsync(address, progress, cancellationToken);
}
