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
        // A GETSTATUS answered within two round trips and this margin was not held: the device was already done.
        private static readonly TimeSpan HeldThreshold = TimeSpan.FromMilliseconds(1);

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

        // After an operation. roundTrip is how long the GETSTATUS that found the device busy took: the bus and host
        // latency, which is not busy time. A GETSTATUS that took clearly longer was held, and a repeated one saw the
        // device still busy: either way the busy time is what passed since the device started, less one round trip. One
        // answered at once after a wait says only that the device needed no more, so the next wait of this kind
        // probes half of it.
        public void Learn(BusyKind kind, TimeSpan elapsed, TimeSpan lastWait, TimeSpan lastAnswer, TimeSpan roundTrip, int polls)
        {
            if (InUse != DfuPacing.Adaptive || polls == 0)
            {
                return;
            }

            bool held = lastAnswer >= roundTrip + roundTrip + HeldThreshold;
            TimeSpan busy = elapsed - roundTrip;
            _estimates[(int)kind] = polls > 1 || held ? (busy > TimeSpan.Zero ? busy : TimeSpan.Zero) : lastWait / 2;
        }

        private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
    }
}
