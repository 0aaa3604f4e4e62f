using DfuSharp.Formats;
using DfuSharp.Protocol;
using DfuSharp.Tests.Support;
using DfuSharp.Usb;

namespace DfuSharp.Tests;

public class DfuDeviceScriptedTests
{
    private readonly RecordingTimeProvider _time = new();

    private DfuDeviceOptions Options => new() { TimeProvider = _time };

    private static DfuFile Plain(int length) => new() { Firmware = Enumerable.Range(0, length).Select(i => (byte)i).ToArray() };

    [Fact]
    public async Task DownloadAsync_DeviceInError_ClearsStatusThenWrites()
    {
        var t = new ScriptedTransport(ScriptedTransport.Dfu11())
            .Status(DfuState.DfuError, status: DfuStatus.ErrUnknown).Status(DfuState.DfuIdle)
            .Status(DfuState.DfuDnloadIdle)
            .Status(DfuState.DfuManifest, poll: 10).Status(DfuState.DfuIdle);
        await using DfuDevice device = await DfuDevice.OpenFirstAsync(t, null, Options);

        await device.DownloadAsync(Plain(10));

        t.Requests.Should().Equal(
            "SET_INTERFACE 0", "GETSTATUS", "CLRSTATUS", "GETSTATUS",
            "DNLOAD 0 len 10 00010203040506070809", "GETSTATUS", "DNLOAD 1 len 0", "GETSTATUS", "GETSTATUS");
    }

    [Fact]
    public async Task DownloadAsync_DeviceInDnloadIdle_AbortsFirst()
    {
        var t = new ScriptedTransport(ScriptedTransport.Dfu11())
            .Status(DfuState.DfuDnloadIdle).Status(DfuState.DfuIdle)
            .Status(DfuState.DfuDnloadIdle).Status(DfuState.DfuIdle);
        await using DfuDevice device = await DfuDevice.OpenFirstAsync(t, null, Options);

        await device.DownloadAsync(Plain(3));

        t.Requests.Take(4).Should().Equal("SET_INTERFACE 0", "GETSTATUS", "ABORT", "GETSTATUS");
    }

    [Fact]
    public async Task DownloadAsync_BusyDevice_WaitsExactlyEachPollTimeout()
    {
        var t = new ScriptedTransport(ScriptedTransport.Dfu11())
            .Status(DfuState.DfuIdle)
            .Status(DfuState.DfuDnbusy, poll: 25).Status(DfuState.DfuDnbusy, poll: 7).Status(DfuState.DfuDnloadIdle, poll: 99)
            .Status(DfuState.DfuManifest, poll: 300).Status(DfuState.DfuIdle);
        await using DfuDevice device = await DfuDevice.OpenFirstAsync(t, null, Options);

        await device.DownloadAsync(Plain(5));

        _time.Delays.Should().Equal(TimeSpan.FromMilliseconds(25), TimeSpan.FromMilliseconds(7), TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public async Task DownloadAsync_ErrWriteAtBlock1_StatusExceptionWithBlockAndStringThenCleared()
    {
        var t = new ScriptedTransport(ScriptedTransport.Dfu11())
            .Status(DfuState.DfuIdle)
            .Status(DfuState.DfuDnloadIdle)
            .Status(DfuState.DfuError, status: DfuStatus.ErrWrite, stringIndex: 5)
            .Status(DfuState.DfuIdle);
        await using DfuDevice device = await DfuDevice.OpenFirstAsync(t, null, Options);

        var act = () => device.DownloadAsync(Plain(100));

        (await act.Should().ThrowAsync<DfuStatusException>())
            .Where(e => e.Status == DfuStatus.ErrWrite && e.Block == 1 && e.StatusText == "string 5" && e.Request == DfuRequest.Dnload)
            .WithMessage("*errWRITE*dfuERROR*");
        t.Requests.Should().Contain("CLRSTATUS");
        t.Requests[^1].Should().Be("GETSTATUS");
    }

    [Fact]
    public async Task DownloadAsync_HugePollTimeout_ProtocolExceptionWithoutWaiting()
    {
        var t = new ScriptedTransport(ScriptedTransport.Dfu11())
            .Status(DfuState.DfuIdle)
            .Status(DfuState.DfuDnbusy, poll: DfuStatusReport.MaxPollTimeout)
            .Status(DfuState.DfuDnbusy, poll: 10).Status(DfuState.DfuDnloadIdle).Status(DfuState.DfuIdle);
        await using DfuDevice device = await DfuDevice.OpenFirstAsync(t, null, Options);

        var act = () => device.DownloadAsync(Plain(5));

        await act.Should().ThrowAsync<DfuProtocolException>().WithMessage("*16777215 ms*");
        _time.Delays.Should().NotContain(TimeSpan.FromMilliseconds(DfuStatusReport.MaxPollTimeout));
    }

    [Fact]
    public async Task DownloadAsync_NotTolerantDeviceGoneAfterManifest_ResetAndSucceeds()
    {
        var t = new ScriptedTransport(ScriptedTransport.Dfu11(DfuAttributes.CanDownload))
            .Status(DfuState.DfuIdle).Status(DfuState.DfuDnloadIdle)
            .Status(DfuState.DfuManifest, poll: 5).StatusFails(UsbError.NoDevice);
        await using DfuDevice device = await DfuDevice.OpenFirstAsync(t, null, Options);

        DownloadResult result = await device.DownloadAsync(Plain(5));

        result.Outcome.Should().Be(DfuLeaveOutcome.Reset);
        t.Requests[^1].Should().Be("RESET");
        device.IsOpen.Should().BeFalse();
    }

    [Fact]
    public async Task DownloadAsync_TolerantDeviceGoneDuringManifest_Fails()
    {
        var t = new ScriptedTransport(ScriptedTransport.Dfu11())
            .Status(DfuState.DfuIdle).Status(DfuState.DfuDnloadIdle)
            .Status(DfuState.DfuManifest, poll: 5).StatusFails(UsbError.NoDevice);
        await using DfuDevice device = await DfuDevice.OpenFirstAsync(t, null, Options);

        var act = () => device.DownloadAsync(Plain(5));

        (await act.Should().ThrowAsync<UsbTransportException>()).Where(e => e.Error == UsbError.NoDevice);
    }

    [Fact]
    public async Task DownloadAsync_SuffixForOtherDevice_RefusedBeforeAnyRequest()
    {
        var t = new ScriptedTransport(ScriptedTransport.Dfu11());
        await using DfuDevice device = await DfuDevice.OpenFirstAsync(t, null, Options);
        DfuFile file = Plain(4) with { Suffix = new DfuSuffix { VendorId = 0x0483, ProductId = 0xDF11 } };

        var act = () => device.DownloadAsync(file);

        await act.Should().ThrowAsync<DfuFileMismatchException>().WithMessage("*0483:df11*1209:0001*");
        t.Requests.Should().Equal("SET_INTERFACE 0");
    }

    [Fact]
    public async Task DownloadAsync_DfuSeFileOnF4_EraseSetAddressWriteLeave()
    {
        var t = new ScriptedTransport(ScriptedTransport.DfuSeF4())
            .Status(DfuState.DfuIdle)
            .Status(DfuState.DfuDnbusy, poll: 100).Status(DfuState.DfuDnloadIdle)
            .Status(DfuState.DfuDnbusy, poll: 0).Status(DfuState.DfuDnloadIdle)
            .Status(DfuState.DfuDnbusy, poll: 1).Status(DfuState.DfuDnloadIdle)
            .Status(DfuState.DfuDnloadIdle)
            .Status(DfuState.DfuManifest);
        await using DfuDevice device = await DfuDevice.OpenFirstAsync(t, null, Options);
        var file = new DfuFile
        {
            DfuSe = new DfuSeImage([new DfuSeTarget(0, "Internal Flash", [new DfuSeElement(0x0800_0000, new byte[] { 1, 2, 3, 4 })])]),
            Suffix = new DfuSuffix { VendorId = 0x0483, ProductId = 0xDF11 },
        };

        DownloadResult result = await device.DownloadAsync(file, new DownloadOptions { Leave = true });

        result.Outcome.Should().Be(DfuLeaveOutcome.Left);
        t.Requests.Should().Equal(
            "SET_INTERFACE 0", "GETSTATUS",
            "DNLOAD 0 len 5 4100000008", "GETSTATUS", "GETSTATUS",
            "DNLOAD 0 len 5 2100000008", "GETSTATUS", "GETSTATUS",
            "DNLOAD 2 len 4", "GETSTATUS", "GETSTATUS",
            "DNLOAD 0 len 5 2100000008", "GETSTATUS",
            "DNLOAD 2 len 0", "GETSTATUS");
        device.IsOpen.Should().BeFalse();
        t.Disposed.Should().BeTrue();
    }

    [Fact]
    public async Task DownloadAsync_DfuSeTargetNamedForOtherMemory_RefusedUnlessForced()
    {
        var t = new ScriptedTransport(ScriptedTransport.DfuSeF4());
        await using DfuDevice device = await DfuDevice.OpenFirstAsync(t, null, Options);
        var file = new DfuFile { DfuSe = new DfuSeImage([new DfuSeTarget(0, "Option Bytes", [new DfuSeElement(0x0800_0000, new byte[4])])]) };

        FluentActions.Invoking(() => device.PlanDownload(file)).Should().Throw<DfuFileMismatchException>().WithMessage("*\"Option Bytes\"*");
        device.PlanDownload(file, new DownloadOptions { Force = true }).WriteBytes.Should().Be(4);
    }

    [Fact]
    public async Task LeaveAsync_DeviceDisconnectsOnLeave_Succeeds()
    {
        var t = new ScriptedTransport(ScriptedTransport.DfuSeF4())
            .Status(DfuState.DfuIdle).Status(DfuState.DfuDnloadIdle).StatusFails(UsbError.NoDevice);
        await using DfuDevice device = await DfuDevice.OpenFirstAsync(t, null, Options);

        (await device.DfuSe.LeaveAsync()).Should().Be(DfuLeaveOutcome.Disconnected);
    }

    [Fact]
    public async Task LeaveAsync_DeviceStaysIdle_ProtocolException()
    {
        var t = new ScriptedTransport(ScriptedTransport.DfuSeF4())
            .Status(DfuState.DfuIdle).Status(DfuState.DfuDnloadIdle).Status(DfuState.DfuIdle).Status(DfuState.DfuIdle);
        await using DfuDevice device = await DfuDevice.OpenFirstAsync(t, null, Options);

        await FluentActions.Awaiting(() => device.DfuSe.LeaveAsync()).Should().ThrowAsync<DfuProtocolException>().WithMessage("*dfuIDLE*");
    }

    [Fact]
    public async Task ReadUnprotectAsync_CommandNotListed_RefusedWithoutSendingIt()
    {
        var t = new ScriptedTransport(ScriptedTransport.DfuSeF4())
            .Status(DfuState.DfuIdle).Status(DfuState.DfuUploadIdle).Status(DfuState.DfuIdle);
        t.OnUpload = (setup, buffer) =>
        {
            byte[] list = [0x00, 0x21, 0x41];
            list.CopyTo(buffer.Span);
            return list.Length;
        };
        await using DfuDevice device = await DfuDevice.OpenFirstAsync(t, null, Options);

        await FluentActions.Awaiting(() => device.DfuSe.ReadUnprotectAsync()).Should().ThrowAsync<NotSupportedException>();
        t.Requests.Should().NotContain(r => r.EndsWith("92", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DownloadAsync_CancelledAfterFirstBlock_AbortsToIdleAndThrows()
    {
        var t = new ScriptedTransport(ScriptedTransport.Dfu11())
            .Status(DfuState.DfuIdle).Status(DfuState.DfuDnloadIdle)
            .Status(DfuState.DfuDnloadIdle).Status(DfuState.DfuIdle);
        await using DfuDevice device = await DfuDevice.OpenFirstAsync(t, null, Options);
        using var cts = new CancellationTokenSource();
        var progress = new SyncProgress(p => cts.Cancel());

        var act = () => device.DownloadAsync(Plain(200), null, progress, cts.Token);

        await act.Should().ThrowAsync<OperationCanceledException>();
        t.Requests.Should().Equal("SET_INTERFACE 0", "GETSTATUS", "DNLOAD 0 len 64 " + Convert.ToHexString(Plain(64).Firmware.Span), "GETSTATUS", "GETSTATUS", "ABORT", "GETSTATUS");
    }

    [Fact]
    public async Task UploadAsync_PlainDfuUntilShortFrame_ReturnsAllBytes()
    {
        byte[] firmware = Enumerable.Range(0, 150).Select(i => (byte)(i * 3)).ToArray();
        var t = new ScriptedTransport(ScriptedTransport.Dfu11()).Status(DfuState.DfuIdle);
        t.OnUpload = (setup, buffer) =>
        {
            int offset = setup.Value * 64;
            int n = Math.Clamp(firmware.Length - offset, 0, setup.Length);
            firmware.AsSpan(offset, n).CopyTo(buffer.Span);
            return n;
        };
        await using DfuDevice device = await DfuDevice.OpenFirstAsync(t, null, Options);
        var reports = new List<DfuProgress>();

        byte[] data = await device.UploadAsync(null, new SyncProgress(reports.Add));

        data.Should().Equal(firmware);
        t.Requests.Should().Equal("SET_INTERFACE 0", "GETSTATUS", "UPLOAD 0 len 64", "UPLOAD 1 len 64", "UPLOAD 2 len 64");
        reports.Select(r => r.Completed).Should().Equal(64L, 128L, 150L);
        reports.Should().OnlyContain(r => r.Phase == DfuPhase.Upload && r.Unit == DfuProgressUnit.Bytes);
    }

    [Fact]
    public async Task UploadAsync_KnownLengthOnBlockBoundary_AbortsUploadIdle()
    {
        var t = new ScriptedTransport(ScriptedTransport.Dfu11()).Status(DfuState.DfuIdle);
        t.OnUpload = (setup, buffer) => setup.Length;
        await using DfuDevice device = await DfuDevice.OpenFirstAsync(t, null, Options);

        byte[] data = await device.UploadAsync(new UploadOptions { Length = 128 });

        data.Should().HaveCount(128);
        t.Requests[^1].Should().Be("ABORT");
    }

    [Fact]
    public async Task UploadAsync_NeverShortFrame_ProtocolExceptionAtLimit()
    {
        var t = new ScriptedTransport(ScriptedTransport.Dfu11()).Status(DfuState.DfuIdle).Status(DfuState.DfuUploadIdle).Status(DfuState.DfuIdle);
        t.OnUpload = (setup, buffer) => setup.Length;
        await using DfuDevice device = await DfuDevice.OpenFirstAsync(t, null, Options);

        var act = () => device.UploadAsync(new UploadOptions { MaxLength = 1000 });

        await act.Should().ThrowAsync<DfuProtocolException>().WithMessage("*short frame*");
    }

    [Fact]
    public async Task GetLayout_MalformedLayoutString_ProtocolExceptionNamingAlt()
    {
        var dfu = new DfuFunctionalDescriptor(DfuAttributes.CanDownload, 255, 2048, 0x011A);
        var t = new ScriptedTransport(ScriptedTransport.Make(0x0483, 0xDF11, 2, [("@Internal Flash/0x08000000/04*016Kz", dfu)]));
        await using DfuDevice device = await DfuDevice.OpenFirstAsync(t, null, Options);

        FluentActions.Invoking(() => device.GetLayout()).Should().Throw<DfuProtocolException>()
            .WithMessage("*Alternate setting 0*").WithInnerException<FormatException>();
    }

    [Fact]
    public async Task OpenAsync_TwoMatchingDevices_NotFoundListingBoth()
    {
        var a = new ScriptedTransport(ScriptedTransport.Dfu11());
        var bus = new TwoDeviceBus(a.Device, a.Device with { SerialNumber = "TEST2", PortPath = "test:2" });

        var act = () => DfuDevice.OpenAsync(bus);

        await act.Should().ThrowAsync<DfuDeviceNotFoundException>().WithMessage("*TEST1*TEST2*");
    }

    [Fact]
    public async Task OpenFirstAsync_NoMatch_NotFound()
    {
        var t = new ScriptedTransport(ScriptedTransport.Dfu11());
        var act = () => DfuDevice.OpenFirstAsync(t, DfuDeviceSelector.Parse("0483:df11"));
        await act.Should().ThrowAsync<DfuDeviceNotFoundException>().WithMessage("*0483:df11*");
    }

    private sealed class SyncProgress(Action<DfuProgress> onReport) : IProgress<DfuProgress>
    {
        public void Report(DfuProgress value) => onReport(value);
    }

    private sealed class TwoDeviceBus(UsbDeviceInfo first, UsbDeviceInfo second) : IUsbDeviceProvider
    {
        public ValueTask<IReadOnlyList<UsbDeviceInfo>> EnumerateAsync(CancellationToken cancellationToken = default)
            => ValueTask.FromResult<IReadOnlyList<UsbDeviceInfo>>([first, second]);

        public ValueTask<IUsbTransport> OpenAsync(UsbDeviceInfo device, CancellationToken cancellationToken = default)
            => ValueTask.FromResult<IUsbTransport>(new ScriptedTransport(device));

        public TimeProvider TimeProvider { get; } = new DfuSharp.Simulation.VirtualTimeProvider();

        // Nothing ever arrives: the wait only moves the virtual clock.
        public async ValueTask WaitForArrivalAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
            => await Task.Delay(timeout, TimeProvider, cancellationToken);
    }
}
