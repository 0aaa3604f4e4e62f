using DfuSharp.Planning;
using DfuSharp.Protocol;

namespace DfuSharp;

/// <content>Pacing: how long the host waits before each GETSTATUS while the device is busy, as the plan says.</content>
public sealed partial class DfuDevice
{
    // What the device was busy with: adaptive pacing measures each kind on its own, since a 2 KiB write, a sector
    // erase and a Set Address Pointer differ by orders of magnitude (ST DS8626: 8 ms, 250–1000 ms, about nothing).
    private enum BusyKind
    {
        Write,
        Erase,
        Command,
        MassErase,
        Manifest,
    }

    // The pacing of the plan that runs; outside a download (uploads, stand-alone erases) the device gets DFU 1.1 waits.
    private Pacer _pacer = Pacer.Spec();

    private sealed class Pacer(DfuPacing pacing, bool startsInHold)
    {
        // A GETSTATUS answered faster than this was not held: the device was already done.
        private static readonly TimeSpan HeldThreshold = TimeSpan.FromMilliseconds(2);

        private readonly TimeSpan?[] _estimates = new TimeSpan?[Enum.GetValues<BusyKind>().Length];

        public bool FellBack { get; private set; }

        public DfuPacing InUse => FellBack ? DfuPacing.Spec : pacing;

        public static Pacer Spec() => new(DfuPacing.Spec, startsInHold: false);

        // The wait before the next GETSTATUS: bwPollTimeout (spec), none (hold), or the busy time measured for this
        // kind of operation, never more than bwPollTimeout (adaptive).
        public TimeSpan Wait(BusyKind kind, TimeSpan pollTimeout) => InUse switch
        {
            DfuPacing.Hold => TimeSpan.Zero,
            DfuPacing.Adaptive => Min(pollTimeout, _estimates[(int)kind] ?? (startsInHold ? TimeSpan.Zero : pollTimeout)),
            _ => pollTimeout,
        };

        public void FallBack() => FellBack = true;

        // After an operation: a held or repeated GETSTATUS measured the busy time; one answered at once after a wait
        // says only that the device needed no more, so the next wait of this kind probes half of it.
        public void Learn(BusyKind kind, TimeSpan busy, TimeSpan lastWait, TimeSpan lastAnswer, int polls)
        {
            if (InUse != DfuPacing.Adaptive || polls == 0)
            {
                return;
            }

            _estimates[(int)kind] = polls > 1 || lastAnswer >= HeldThreshold ? busy : lastWait / 2;
        }

        private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
    }
}
