using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using DfuSharp.Usb;

namespace DfuSharp.LibUsb.Native;

/// <summary>
/// One libusb context, its version and capabilities, and an event thread that runs only while someone listens for
/// hotplug events.
/// </summary>
internal sealed unsafe class LibUsbContext : IDisposable
{
    private const int EventLoopSliceMilliseconds = 100;

    private readonly Lock _eventsLock = new();
    private int _listeners;
    private StrongBox<bool>? _eventLoopStop;

    private LibUsbContext(LibUsbContextHandle handle, LibUsbVersion version, bool hasHotplug)
    {
        Handle = handle;
        Version = version;
        HasHotplug = hasHotplug;
    }

    /// <summary>Gets the owning handle of the libusb_context.</summary>
    public LibUsbContextHandle Handle { get; }

    /// <summary>Gets the version of the loaded libusb.</summary>
    public LibUsbVersion Version { get; }

    /// <summary>Gets a value indicating whether libusb delivers hotplug events on this platform (not on Windows).</summary>
    public bool HasHotplug { get; }

    /// <summary>Loads libusb and creates a context.</summary>
    /// <param name="debugLevel">libusb's log level (0 none … 4 debug), or <see langword="null"/> to leave it alone.</param>
    /// <returns>The context.</returns>
    /// <exception cref="UsbTransportException">libusb is missing (<see cref="UsbError.LibraryMissing"/>) or failed to start.</exception>
    public static LibUsbContext Create(int? debugLevel = null)
    {
        LibUsbLibrary.Load();
        LibUsbVersion version = ReadVersion();

        // libusb_init_context (1.0.27) takes options as an array instead of through the variadic libusb_set_option,
        // which is the only safe way to pass them on Apple arm64; without options both calls are equivalent.
        nint initContext = LibUsbLibrary.TryGetExport("libusb_init_context");
        nint context;
        int result;
        if (initContext != 0)
        {
            var init = (delegate* unmanaged<nint*, nint, int, int>)initContext;
            nint created;
            result = init(&created, 0, 0);
            context = created;
        }
        else
        {
            result = LibUsbNative.Init(out context);
        }

        LibUsbErrors.Check(result, "Starting libusb");
        var handle = LibUsbContextHandle.FromNative(context);
        if (debugLevel is int level && LibUsbLibrary.VariadicCallsAreSafe)
        {
            // A refused log level is harmless: libusb keeps logging at its default (or LIBUSB_DEBUG's) level.
            _ = LibUsbNative.SetOption(context, LibUsbNative.OptionLogLevel, level);
        }

        bool hotplug = LibUsbNative.HasCapability(LibUsbNative.CapabilityHotplug) != 0;
        return new LibUsbContext(handle, version, hotplug);
    }

    /// <summary>Reads the version of the loaded libusb.</summary>
    /// <returns>The version.</returns>
    /// <exception cref="UsbTransportException">libusb is missing.</exception>
    public static LibUsbVersion ReadVersion()
    {
        LibUsbLibrary.Load();
        LibUsbVersionNative* v = LibUsbNative.GetVersion();
        return new LibUsbVersion(v->Major, v->Minor, v->Micro, v->Nano, Marshal.PtrToStringUTF8(v->ReleaseCandidate) ?? string.Empty);
    }

    /// <summary>Starts listening for arrivals and departures; dispose the result to stop.</summary>
    /// <returns>The listener, whose <see cref="HotplugListener.WaitAsync"/> completes on each arrival or departure.</returns>
    /// <exception cref="UsbTransportException">libusb refused the callback.</exception>
    public HotplugListener ListenForArrivals()
    {
        var listener = new HotplugListener(this);
        try
        {
            listener.Register();
            AddEventListener();
            return listener;
        }
        catch
        {
            listener.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        StopEventThread();
        Handle.Dispose();
    }

    internal void RemoveEventListener()
    {
        lock (_eventsLock)
        {
            if (--_listeners > 0)
            {
                return;
            }
        }

        StopEventThread();
    }

    private void AddEventListener()
    {
        lock (_eventsLock)
        {
            _listeners++;
            if (_eventLoopStop is not null)
            {
                return;
            }

            // The thread holds a reference on the context handle, so libusb_exit waits for it to leave libusb.
            var stop = new StrongBox<bool>(false);
            bool added = false;
            Handle.DangerousAddRef(ref added);
            _eventLoopStop = stop;
            new Thread(() => RunEvents(stop)) { IsBackground = true, Name = "libusb events" }.Start();
        }
    }

    private void StopEventThread()
    {
        // No join: the loop notices within one slice and then releases its reference on the context.
        lock (_eventsLock)
        {
            if (_eventLoopStop is { } stop)
            {
                Volatile.Write(ref stop.Value, true);
                _eventLoopStop = null;
            }
        }
    }

    private void RunEvents(StrongBox<bool> stop)
    {
        try
        {
            nint context = Handle.DangerousGetHandle();
            while (!Volatile.Read(ref stop.Value))
            {
                var slice = TimeValue.FromMilliseconds(EventLoopSliceMilliseconds);
                _ = LibUsbNative.HandleEventsTimeoutCompleted(context, ref slice, null);
            }
        }
        finally
        {
            Handle.DangerousRelease();
        }
    }
}

/// <summary>A registered libusb hotplug callback that signals device arrivals and departures.</summary>
internal sealed unsafe class HotplugListener : IDisposable
{
    private readonly LibUsbContext _context;
    private GCHandle _self;
    private int _callback;
    private bool _registered;
    private TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal HotplugListener(LibUsbContext context) => _context = context;

    /// <summary>Gets a task that completes at the next arrival or departure after the previous <see cref="Reset"/>.</summary>
    /// <returns>The task.</returns>
    public Task WaitAsync() => Volatile.Read(ref _arrived).Task;

    /// <summary>Forgets events seen so far; call before enumerating so that no event is missed.</summary>
    public void Reset()
    {
        TaskCompletionSource current = Volatile.Read(ref _arrived);
        if (current.Task.IsCompleted)
        {
            Interlocked.CompareExchange(ref _arrived, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), current);
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_registered)
        {
            LibUsbNative.HotplugDeregisterCallback(_context.Handle.DangerousGetHandle(), _callback);
            _registered = false;
            _context.RemoveEventListener();
        }

        if (_self.IsAllocated)
        {
            _self.Free();
        }
    }

    internal void Register()
    {
        _self = GCHandle.Alloc(this);
        int result = LibUsbNative.HotplugRegisterCallback(
            _context.Handle.DangerousGetHandle(),
            // Both events: the watch lists the bus again when a device leaves as well as when one arrives. libusb runs
            // the callback on its event thread, where it must not call back into libusb (libusb API, "Device hotplug
            // event notification", libusb_hotplug_register_callback).
            LibUsbNative.HotplugDeviceArrived | LibUsbNative.HotplugDeviceLeft,
            flags: 0,
            LibUsbNative.HotplugMatchAny,
            LibUsbNative.HotplugMatchAny,
            LibUsbNative.HotplugMatchAny,
            &OnHotplug,
            GCHandle.ToIntPtr(_self),
            out _callback);
        LibUsbErrors.Check(result, "Registering for USB hotplug events");
        _registered = true;
    }

    [UnmanagedCallersOnly]
    private static int OnHotplug(nint context, nint device, int hotplugEvent, nint userData)
    {
        // Runs on the libusb event thread: only signal, never call back into libusb from here.
        if (GCHandle.FromIntPtr(userData).Target is HotplugListener listener)
        {
            Volatile.Read(ref listener._arrived).TrySetResult();
        }

        return 0;
    }
}
