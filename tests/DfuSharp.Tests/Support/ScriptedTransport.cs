using System.Collections.Immutable;
using DfuSharp.Protocol;
using DfuSharp.Usb;

namespace DfuSharp.Tests.Support;

/// <summary>A transport whose GETSTATUS replies come from a script; every request is recorded.</summary>
internal sealed class ScriptedTransport(UsbDeviceInfo device) : IUsbTransport, IUsbDeviceProvider
{
    private readonly Queue<Func<DfuStatusReport>> _statuses = new();

    public UsbDeviceInfo Device { get; } = device;

    public List<string> Requests { get; } = [];

    public Func<UsbSetupPacket, Memory<byte>, int>? OnUpload { get; set; }

    public Func<UsbSetupPacket, Exception?>? OnOut { get; set; }

    public bool Disposed { get; private set; }

    public static UsbDeviceInfo Dfu11(DfuAttributes attributes = DfuAttributes.CanDownload | DfuAttributes.CanUpload | DfuAttributes.ManifestationTolerant, ushort transferSize = 64)
        => Make(0x1209, 0x0001, 2, [("Flash", new DfuFunctionalDescriptor(attributes, 1000, transferSize, 0x0110))]);

    public static UsbDeviceInfo DfuSeF4()
    {
        var dfu = new DfuFunctionalDescriptor(DfuAttributes.CanDownload | DfuAttributes.CanUpload | DfuAttributes.WillDetach, 255, 2048, 0x011A);
        return Make(0x0483, 0xDF11, 0, [
            ("@Internal Flash  /0x08000000/04*016Kg,01*064Kg,07*128Kg", dfu),
            ("@Option Bytes  /0x1FFFC000/01*016 e", dfu)]);
    }

    public static UsbDeviceInfo Make(ushort vid, ushort pid, byte protocol, (string Name, DfuFunctionalDescriptor Dfu)[] alts)
        => new()
        {
            VendorId = vid,
            ProductId = pid,
            DeviceVersion = 0x0200,
            SerialNumber = "TEST1",
            PortPath = "test:1",
            Configurations = [new UsbConfigurationInfo(1, [new UsbInterfaceInfo(0, [.. alts.Select((a, i) => new UsbAlternateSettingInfo
            {
                Number = (byte)i,
                InterfaceClass = UsbAlternateSettingInfo.DfuClass,
                InterfaceSubClass = UsbAlternateSettingInfo.DfuSubClass,
                InterfaceProtocol = protocol,
                Name = a.Name,
                Dfu = a.Dfu,
            })])])],
        };

    public ScriptedTransport Status(DfuState state, uint poll = 0, DfuStatus status = DfuStatus.Ok, byte stringIndex = 0)
    {
        _statuses.Enqueue(() => new DfuStatusReport(status, poll, state, stringIndex));
        return this;
    }

    public ScriptedTransport StatusFails(UsbError error)
    {
        _statuses.Enqueue(() => throw new UsbTransportException(error, $"scripted {error}"));
        return this;
    }

    public ValueTask<int> ControlInAsync(UsbSetupPacket setup, Memory<byte> buffer, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Requests.Add(Describe(setup));
        switch ((DfuRequest)setup.Request)
        {
            case DfuRequest.GetStatus:
                if (!_statuses.TryDequeue(out var next))
                {
                    throw new InvalidOperationException("The script has no more GETSTATUS replies. Requests: " + string.Join(" | ", Requests));
                }

                next().WriteTo(buffer.Span);
                return ValueTask.FromResult(DfuStatusReport.Size);
            case DfuRequest.Upload:
                return ValueTask.FromResult(OnUpload?.Invoke(setup, buffer) ?? 0);
            default:
                throw new UsbTransportException(UsbError.Stall, "stall");
        }
    }

    public ValueTask ControlOutAsync(UsbSetupPacket setup, ReadOnlyMemory<byte> data, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Requests.Add(Describe(setup) + (data.Length > 0 && setup.Value == 0 && setup.Request == (byte)DfuRequest.Dnload ? " " + Convert.ToHexString(data.Span) : string.Empty));
        return OnOut?.Invoke(setup) is { } ex ? ValueTask.FromException(ex) : ValueTask.CompletedTask;
    }

    public ValueTask ClaimInterfaceAsync(byte interfaceNumber, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    public ValueTask SetAlternateSettingAsync(byte interfaceNumber, byte alternateSetting, CancellationToken cancellationToken = default)
    {
        Requests.Add($"SET_INTERFACE {alternateSetting}");
        return ValueTask.CompletedTask;
    }

    public ValueTask ResetAsync(CancellationToken cancellationToken = default)
    {
        Requests.Add("RESET");
        return ValueTask.CompletedTask;
    }

    public ValueTask<string?> GetStringDescriptorAsync(byte index, ushort languageId = 0, CancellationToken cancellationToken = default)
        => ValueTask.FromResult<string?>(index == 0 ? null : $"string {index}");

    public ValueTask DisposeAsync()
    {
        Disposed = true;
        return ValueTask.CompletedTask;
    }

    public ValueTask<IReadOnlyList<UsbDeviceInfo>> EnumerateAsync(CancellationToken cancellationToken = default)
        => ValueTask.FromResult<IReadOnlyList<UsbDeviceInfo>>([Device]);

    public ValueTask<IUsbTransport> OpenAsync(UsbDeviceInfo device, CancellationToken cancellationToken = default)
        => ValueTask.FromResult<IUsbTransport>(this);

    public TimeProvider TimeProvider { get; } = new DfuSharp.Simulation.VirtualTimeProvider();

    // The scripted device is always present; nothing else arrives, so a wait only moves the virtual clock.
    public async ValueTask WaitForArrivalAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
        => await Task.Delay(timeout, TimeProvider, cancellationToken);

    private static string Describe(UsbSetupPacket setup) => (DfuRequest)setup.Request switch
    {
        DfuRequest.Dnload => $"DNLOAD {setup.Value} len {setup.Length}",
        DfuRequest.Upload => $"UPLOAD {setup.Value} len {setup.Length}",
        var r => r.ToString().ToUpperInvariant(),
    };
}

/// <summary>A clock whose delays complete at once; it records every delay asked for.</summary>
internal sealed class RecordingTimeProvider : TimeProvider
{
    private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public List<TimeSpan> Delays { get; } = [];

    public override DateTimeOffset GetUtcNow() => _now;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        Delays.Add(dueTime);
        _now += dueTime;
        callback(state);
        return new NoTimer();
    }

    private sealed class NoTimer : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => true;

        public void Dispose()
        {
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
