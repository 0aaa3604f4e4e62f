using System.Collections.Immutable;
using DfuSharp.DfuSe;
using DfuSharp.Formats;
using DfuSharp.Planning;
using DfuSharp.Protocol;
using DfuSharp.Usb;

namespace DfuSharp;

/// <content>The executor: a plain switch over the steps of a plan.</content>
public sealed partial class DfuDevice
{
    // The executor: one case per step kind, each a fixed sequence of requests. Every decision (what to read, erase,
    // write, which block numbers, when to reset, re-enumerate or leave) was made by the planner; the plan is the whole
    // truth, so a dry run shows exactly what runs here.
    private async Task<DownloadResult> ExecuteCoreAsync(
        TransferPlan plan, Func<DfuFile, CancellationToken, ValueTask>? backup, IProgress<DfuProgress>? progress, CancellationToken cancellationToken)
    {
        DateTimeOffset started = _time.GetUtcNow();
        long transfers = ControlTransfers;
        _pacer = new Pacer(plan.Pacing, plan.StartsInHold);
        try
        {
            var run = new ProgressTracker(progress, _time, () => _pacer.InUse);
            if (!plan.Check.IsEmpty && !plan.ReadBackApplied)
            {
                // Skip-unchanged: the read pass runs first and changes nothing; its result transforms the plan
                // (TransferPlanner.ApplyReadBack, pure), and the loop below runs the transformed plan.
                run.Begin(plan, [.. plan.Check, .. plan.Steps]);
                plan = await CheckCoreAsync(plan, run, cancellationToken).ConfigureAwait(false);
            }

            run.Begin(plan, plan.Steps);
            DownloadResult result = await ExecuteStepsAsync(plan, backup, run, cancellationToken).ConfigureAwait(false);
            return result with { ControlTransfers = ControlTransfers - transfers, Elapsed = _time.GetUtcNow() - started, PacingUsed = _pacer.InUse };
        }
        finally
        {
            _pacer = Pacer.Spec();
        }
    }

    // The check pass of skip-unchanged: one read per sector the plan would erase. A read that fails or comes back
    // short is not guessed at: its sector gets no read-back and stays in the plan, and the device is brought back to
    // dfuIDLE (a device that cannot be fails the download before anything was erased).
    private async Task<TransferPlan> CheckCoreAsync(TransferPlan plan, ProgressTracker run, CancellationToken cancellationToken)
    {
        await EnsureIdleAsync(slow: false, cancellationToken).ConfigureAwait(false);
        var reads = new List<TransferSegment>();
        long total = plan.Check.Sum(s => (long)s.Length);
        for (int i = 0; i < plan.Check.Length; i++)
        {
            TransferStep step = plan.Check[i];
            cancellationToken.ThrowIfCancellationRequested();
            run.Start(i);
            switch (step.Kind)
            {
                case TransferStepKind.SelectAlternateSetting:
                    await SelectAsync(step.AlternateSetting, cancellationToken).ConfigureAwait(false);
                    break;
                case TransferStepKind.Check:
                    try
                    {
                        byte[] data = await ReadDfuSeAsync(step.Address, step.Length, DfuPhase.Check, run, run.Checked, total, cancellationToken).ConfigureAwait(false);
                        reads.Add(new TransferSegment(step.AlternateSetting, step.Address, data));
                    }
                    catch (DfuException) when (!cancellationToken.IsCancellationRequested)
                    {
                        await EnsureIdleAsync(slow: false, cancellationToken).ConfigureAwait(false);
                    }

                    run.Checked += step.Length;
                    break;
                default:
                    throw new ArgumentException($"The plan's check pass holds a step that is not a read: {step}.", nameof(plan));
            }
        }

        return TransferPlanner.ApplyReadBack(plan, reads);
    }

    private async Task<DownloadResult> ExecuteStepsAsync(
        TransferPlan plan, Func<DfuFile, CancellationToken, ValueTask>? backup, ProgressTracker run, CancellationToken cancellationToken)
    {
        var backupReads = new List<(byte Alt, uint Address, byte[] Data)>();
        byte[]? backupFirmware = null;
        bool backupDelivered = !plan.HasBackup;
        bool verified = false;
        DfuLeaveOutcome outcome = DfuLeaveOutcome.StayedInDfuMode;

        // Session start (a plan made in run-time mode starts with its Detach step and starts the session after it).
        if (Mode == DfuMode.Dfu)
        {
            await EnsureIdleAsync(slow: false, cancellationToken).ConfigureAwait(false);
        }
        for (int index = 0; index < plan.Steps.Length; index++)
        {
            TransferStep step = plan.Steps[index];
            cancellationToken.ThrowIfCancellationRequested();
            run.Start(index);
            if (!backupDelivered && step.Kind is not (TransferStepKind.Backup or TransferStepKind.BackupFirmware or TransferStepKind.SelectAlternateSetting))
            {
                // Nothing is erased or written before the backup is safely stored: if the callback throws, the board is untouched.
                await EnsureIdleAsync(slow: false, cancellationToken).ConfigureAwait(false);
                DfuFile file = BackupFile(plan, backupReads, backupFirmware);
                if (backup is not null)
                {
                    await backup(file, cancellationToken).ConfigureAwait(false);
                }

                backupDelivered = true;
            }

            switch (step.Kind)
            {
                case TransferStepKind.Detach:
                    await EnsureDfuModeAsync(run, cancellationToken).ConfigureAwait(false);
                    await EnsureIdleAsync(slow: false, cancellationToken).ConfigureAwait(false);
                    break;
                case TransferStepKind.SelectAlternateSetting:
                    await SelectAsync(step.AlternateSetting, cancellationToken).ConfigureAwait(false);
                    break;
                case TransferStepKind.Backup:
                    backupReads.Add((step.AlternateSetting, step.Address,
                        await ReadDfuSeAsync(step.Address, step.Length, DfuPhase.Upload, run, run.Backup, plan.BackupBytes, cancellationToken).ConfigureAwait(false)));
                    run.Backup += step.Length;
                    break;
                case TransferStepKind.BackupFirmware:
                    backupFirmware = await ReadDfuAsync(null, new UploadOptions().MaxLength, DfuPhase.Upload, run, cancellationToken).ConfigureAwait(false);
                    break;
                case TransferStepKind.Erase:
                    await DfuSeCommandAsync(DfuSeCommands.Erase(step.Address), $"Erasing the sector at 0x{step.Address:X8}", step.Address, slow: true, cancellationToken).ConfigureAwait(false);
                    run.Erased();
                    break;
                case TransferStepKind.MassErase:
                    await MassEraseCoreAsync(cancellationToken).ConfigureAwait(false);
                    run.Erased();
                    break;
                case TransferStepKind.SetAddress:
                    await DfuSeCommandAsync(DfuSeCommands.SetAddress(step.Address), $"Setting the address pointer to 0x{step.Address:X8}", step.Address, slow: false, cancellationToken).ConfigureAwait(false);
                    break;
                case TransferStepKind.Write:
                {
                    string context = $"Writing block {step.Block} at 0x{step.Address:X8}";
                    await DnloadAtAsync(plan.Protocol == DfuProtocolKind.DfuSe ? step.Address : null, step.Block, plan.GetData(step), cancellationToken).ConfigureAwait(false);
                    DfuStatusReport report = await PollAsync(DfuRequest.Dnload, context, step.Block, step.Address, slow: false, BusyKind.Write, cancellationToken).ConfigureAwait(false);
                    ExpectState(report, DfuState.DfuDnloadIdle, context);
                    run.Written(step.Length);
                    break;
                }

                case TransferStepKind.Manifest:
                    outcome = await ManifestAsync(step.Block, run, cancellationToken).ConfigureAwait(false);
                    break;
                case TransferStepKind.ResetAfterManifest:
                case TransferStepKind.UsbReset:
                    run.Report(new DfuProgress(DfuPhase.Leave, 0, 1, DfuProgressUnit.Steps));
                    await ResetTransportAsync(cancellationToken).ConfigureAwait(false);
                    await CloseTransportAsync().ConfigureAwait(false);
                    outcome = DfuLeaveOutcome.Reset;
                    run.Report(new DfuProgress(DfuPhase.Leave, 1, 1, DfuProgressUnit.Steps));
                    break;
                case TransferStepKind.Reenumerate:
                    // The device reset; find the same board again and bring it back into DFU mode.
                    await ReopenAsync(Info, requireDfuMode: false, cancellationToken).ConfigureAwait(false);
                    await EnsureDfuModeAsync(run, cancellationToken).ConfigureAwait(false);
                    await EnsureIdleAsync(slow: false, cancellationToken).ConfigureAwait(false);
                    outcome = DfuLeaveOutcome.StayedInDfuMode;
                    break;
                case TransferStepKind.Verify:
                {
                    byte[] actual = await ReadDfuSeAsync(step.Address, step.Length, DfuPhase.Verify, run, run.Verified, plan.VerifyBytes, cancellationToken).ConfigureAwait(false);
                    Compare(plan.GetData(step).Span, actual, step.Address);
                    run.Verified += step.Length;
                    verified = true;
                    break;
                }

                case TransferStepKind.VerifyFirmware:
                {
                    await EnsureIdleAsync(slow: false, cancellationToken).ConfigureAwait(false);
                    byte[] actual = await ReadDfuAsync(step.Length, step.Length, DfuPhase.Verify, run, cancellationToken).ConfigureAwait(false);
                    Compare(plan.GetData(step).Span, actual, step.Address);
                    run.Verified += step.Length;
                    verified = true;
                    break;
                }

                case TransferStepKind.Keep:
                    // The read-back found the sector unchanged: nothing is sent.
                    break;
                case TransferStepKind.Abort:
                    await EnsureIdleAsync(slow: false, cancellationToken).ConfigureAwait(false);
                    break;
                case TransferStepKind.DfuSeLeave:
                    // Set Address Pointer is accepted in dfuIDLE and dfuDNLOAD-IDLE, where writes and verification end.
                    outcome = await LeaveCoreAsync(step.Address, run, cancellationToken).ConfigureAwait(false);
                    break;
                default:
                    throw new ArgumentException($"The plan holds a step this version cannot run: {step}.", nameof(plan));
            }
        }

        return new DownloadResult(plan, verified, outcome);
    }

    // A transfer failure of a DfuSe write names the address it was for; the error, request, wValue and length stay.
    private async Task DnloadAtAsync(uint? address, ushort block, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        try
        {
            await Client.DnloadAsync(block, data, null, cancellationToken).ConfigureAwait(false);
        }
        catch (UsbTransportException ex) when (address is { } at)
        {
            throw AtAddress(ex, at);
        }
    }

    private static UsbTransportException AtAddress(UsbTransportException ex, uint address)
        => new(ex.Error, $"{ex.Message} (DfuSe address 0x{address:X8})", ex)
        {
            Request = ex.Request,
            Value = ex.Value,
            Length = ex.Length,
        };

    // A mass erase gets the slow GETSTATUS timeout only on a device known to hold GETSTATUS through it (DfuQuirks):
    // others answer at once with a poll timeout, and one that does not answer must fail fast.
    private async Task MassEraseCoreAsync(CancellationToken cancellationToken, bool waitOnCancel = false)
    {
        bool slow = (Quirks & DfuQuirk.MassEraseOutlastsPollTimeout) != 0;
        if (slow)
        {
            Log.QuirkMassErase(_logger, Info.VendorId, Info.ProductId, Info.DeviceVersion, _options.SlowRequestTimeout.TotalSeconds);
        }

        bool sent = false;
        try
        {
            await Client.DnloadAsync(DfuSeCommands.CommandBlock, DfuSeCommands.MassErase(), null, cancellationToken).ConfigureAwait(false);
            sent = true;
            DfuStatusReport report = await PollAsync(DfuRequest.Dnload, "Mass erase", DfuSeCommands.CommandBlock, null, slow, BusyKind.MassErase, cancellationToken).ConfigureAwait(false);
            ExpectState(report, DfuState.DfuDnloadIdle, "Mass erase");
        }
        catch (OperationCanceledException ex) when (waitOnCancel && cancellationToken.IsCancellationRequested)
        {
            // The device erases once it has the command (ST AN3156 §6.3.3); a host that just left would not know what
            // the memory holds. Wait for the device to finish, and say how it ended.
            bool? completed = sent ? await FinishInterruptedAsync().ConfigureAwait(false) : false;
            string outcome = completed switch
            {
                true => "the device had the command and finished the mass erase",
                false => "the mass erase did not complete",
                null => "the device did not say whether the mass erase completed",
            };
            throw new DfuEraseCanceledException($"Mass erase cancelled: {outcome}.", completed, ex, cancellationToken);
        }
    }

    private async Task<bool?> FinishInterruptedAsync()
    {
        try
        {
            DfuStatusReport report = await PollAsync(DfuRequest.Dnload, "Mass erase", DfuSeCommands.CommandBlock, null, slow: true, BusyKind.MassErase, CancellationToken.None).ConfigureAwait(false);
            return report.State is DfuState.DfuDnloadIdle or DfuState.DfuIdle;
        }
        catch (DfuStatusException)
        {
            return false;
        }
        catch (DfuException)
        {
            return null;
        }
    }

    // The backup as a .dfu model: DfuSe, one element per contiguous range read, per alternate setting; plain DFU, the
    // whole firmware. The suffix carries the device's VID, PID and bcdDevice, so the file restores to this board only.
    private DfuFile BackupFile(TransferPlan plan, List<(byte Alt, uint Address, byte[] Data)> reads, byte[]? firmware)
    {
        var suffix = new DfuSuffix
        {
            VendorId = Info.VendorId,
            ProductId = Info.ProductId,
            DeviceVersion = Info.DeviceVersion,
            DfuVersion = plan.Protocol == DfuProtocolKind.DfuSe ? DfuSuffix.DfuSe : DfuSuffix.Dfu11,
        };
        if (plan.Protocol == DfuProtocolKind.Dfu)
        {
            return new DfuFile { Firmware = firmware ?? [], Suffix = suffix };
        }

        var targets = ImmutableArray.CreateBuilder<DfuSeTarget>();
        // The check pass of skip-unchanged already read some of it (TransferPlan.BackupData).
        var all = reads.Concat(plan.BackupData.Select(s => (Alt: s.AlternateSetting, s.Address, Data: s.Data.ToArray())));
        foreach (IGrouping<byte, (byte Alt, uint Address, byte[] Data)> byAlt in all.GroupBy(r => r.Alt))
        {
            var builder = new MemoryImageBuilder();
            foreach (var read in byAlt)
            {
                builder.Write(read.Address, read.Data);
            }

            targets.Add(DfuSeConvert.ToTarget(builder.ToImage(), byAlt.Key, Target.GetLayout(byAlt.Key)?.Name));
        }

        return DfuFile.FromDfuSe(new DfuSeImage(targets.ToImmutable()), suffix);
    }

    /// <summary>
    /// The one place that computes overall progress: the executor tells it which step runs, the phase code reports its
    /// own counts through it, and it adds the overall fraction (steps weighted by <see cref="TransferTimeModel"/>), the
    /// rate and the time left before passing each report on. A run is one or two legs: with skip-unchanged, the check
    /// pass and the whole untransformed plan, then the transformed plan from where the first leg stopped, so the
    /// fraction never goes back. Without a plan (an upload, an erase command, a detach), the phase is the whole.
    /// </summary>
    private sealed class ProgressTracker(IProgress<DfuProgress>? progress, TimeProvider time, Func<DfuPacing>? pacing) : IProgress<DfuProgress>
    {
        private readonly long _started = time.GetTimestamp();
        private readonly Dictionary<DfuPhase, long> _lastCompleted = [];
        private ImmutableArray<TransferStep> _steps = [];
        private TimeSpan[] _weights = [];
        private TimeSpan[] _prefix = [TimeSpan.Zero];
        private bool _planned;
        private int _index = -1;
        private long _stepBytes;
        private double _stepFraction;
        private double _legStart;
        private TimeSpan _expectedBefore;
        private double _fraction;
        private long _bytes;
        private long _writeTotal;
        private int _eraseTotal;
        private long _written;
        private int _erased;

        public long Backup { get; set; }

        public long Verified { get; set; }

        public long Checked { get; set; }

        // A new leg: the fraction reached so far is kept, and the leg's steps share what is left of it.
        public void Begin(TransferPlan plan, ImmutableArray<TransferStep> steps)
        {
            if (_planned)
            {
                _expectedBefore += ExpectedDone();
            }

            _legStart = _fraction;
            _planned = true;
            _steps = steps;
            _weights = [.. steps.Select(s => TransferTimeModel.Expected(plan, s))];
            _prefix = new TimeSpan[steps.Length + 1];
            for (int i = 0; i < steps.Length; i++)
            {
                _prefix[i + 1] = _prefix[i] + _weights[i];
            }

            _index = -1;
            _writeTotal = plan.WriteBytes;
            _eraseTotal = plan.EraseCount;
        }

        public void Start(int index)
        {
            _index = index;
            _stepBytes = 0;
            _stepFraction = 0;
        }

        public void Erased() => Report(new DfuProgress(DfuPhase.Erase, ++_erased, _eraseTotal, DfuProgressUnit.Sectors));

        public void Written(int bytes)
        {
            _written += bytes;
            Report(new DfuProgress(DfuPhase.Download, _written, _writeTotal, DfuProgressUnit.Bytes));
        }

        public void Report(DfuProgress value)
        {
            long delta = 0;
            if (value.Unit == DfuProgressUnit.Bytes)
            {
                // Phases count cumulatively (across the steps of a phase); a count that starts again is a new sequence.
                long last = _lastCompleted.GetValueOrDefault(value.Phase);
                delta = value.Completed >= last ? value.Completed - last : value.Completed;
                _lastCompleted[value.Phase] = value.Completed;
                _bytes += delta;
            }

            TimeSpan elapsed = time.GetElapsedTime(_started);
            TimeSpan? left;
            if (_planned && _index >= 0 && _index < _steps.Length)
            {
                TransferStep step = _steps[_index];
                _stepBytes += delta;
                double stepFraction = value.Unit switch
                {
                    DfuProgressUnit.Bytes when step.Length > 0 => (double)_stepBytes / step.Length,
                    DfuProgressUnit.Bytes or DfuProgressUnit.Steps => value.Total > 0 ? (double)value.Completed / value.Total : 0,
                    _ => 1,
                };
                _stepFraction = Math.Clamp(Math.Max(_stepFraction, stepFraction), 0, 1);
                TimeSpan total = _prefix[^1];
                double leg = total <= TimeSpan.Zero ? 1 : _stepFraction >= 1 ? _prefix[_index + 1] / total : ExpectedDone() / total;
                _fraction = Math.Max(_fraction, Math.Min(1, _legStart + ((1 - _legStart) * leg)));
                TimeSpan expectedDone = _expectedBefore + ExpectedDone();
                left = _fraction >= 1 ? TimeSpan.Zero
                    : expectedDone > TimeSpan.Zero && elapsed > TimeSpan.Zero ? (total - ExpectedDone()) * (elapsed / expectedDone)
                    : null;
            }
            else
            {
                double phase = value.Total > 0 ? Math.Clamp((double)value.Completed / value.Total, 0, 1) : 0;
                _fraction = _planned ? _fraction : Math.Max(_fraction, phase);
                left = _fraction >= 1 ? TimeSpan.Zero : _fraction > 0 && elapsed > TimeSpan.Zero ? elapsed * ((1 - _fraction) / _fraction) : null;
            }

            progress?.Report(value with
            {
                OverallFraction = _fraction,
                BytesPerSecond = elapsed > TimeSpan.Zero ? _bytes / elapsed.TotalSeconds : 0,
                TimeLeft = left,
                Pacing = pacing?.Invoke(),
            });
        }

        private TimeSpan ExpectedDone()
            => _index < 0 ? TimeSpan.Zero
                : _index >= _steps.Length ? _prefix[^1]
                : _prefix[_index] + (_weights[_index] * _stepFraction);
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
    private async Task<DfuLeaveOutcome> ManifestAsync(ushort block, IProgress<DfuProgress>? progress, CancellationToken cancellationToken)
    {
        progress?.Report(new DfuProgress(DfuPhase.Manifest, 0, 1, DfuProgressUnit.Steps));
        await Client.DnloadAsync(block, ReadOnlyMemory<byte>.Empty, null, cancellationToken).ConfigureAwait(false);
        bool tolerant = Descriptor.ManifestationTolerant;
        DfuStatusReport? report = null;
        try
        {
            report = await PollAsync(DfuRequest.Dnload, "Manifestation", block, null, slow: true, BusyKind.Manifest, cancellationToken).ConfigureAwait(false);
        }
        catch (UsbTransportException ex) when (!tolerant && _lastState is DfuState.DfuManifest or DfuState.DfuManifestWaitReset
                                               && DeviceGone.Is(ex, GoneContext.Manifestation))
        {
            Log.ManifestSilent(_logger, ex.Error);
        }

        if (tolerant)
        {
            ExpectState(report!.Value, DfuState.DfuIdle, "Manifestation");
        }
        else if (report is { } r && r.State != DfuState.DfuManifestWaitReset)
        {
            throw new DfuProtocolException($"Manifestation: the device went to {r.State.ToSpecName()}; DFU 1.1 expects dfuMANIFEST-WAIT-RESET.");
        }

        progress?.Report(new DfuProgress(DfuPhase.Manifest, 1, 1, DfuProgressUnit.Steps));
        return DfuLeaveOutcome.StayedInDfuMode;
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
        catch (UsbTransportException ex) when (DeviceGone.Is(ex, GoneContext.Departure))
        {
            outcome = DfuLeaveOutcome.Disconnected;
        }

        await CloseTransportAsync().ConfigureAwait(false);
        progress?.Report(new DfuProgress(DfuPhase.Leave, 1, 1, DfuProgressUnit.Steps));
        return outcome;
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
