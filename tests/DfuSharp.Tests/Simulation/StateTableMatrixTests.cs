using DfuSharp.Protocol;
using DfuSharp.Simulation;
using DfuSharp.Usb;

namespace DfuSharp.Tests.Simulation;

/// <summary>Every DFU request in every DFU-mode state, against DFU 1.1 Appendix A.</summary>
public sealed class StateTableMatrixTests
{
    private static DeviceDriver Into(DfuState state)
    {
        SimulatedDeviceProfile profile = state == DfuState.DfuManifestWaitReset
            ? SimulatedProfiles.Dfu11 with { Attributes = DfuAttributes.CanDownload | DfuAttributes.CanUpload }
            : SimulatedProfiles.Dfu11;
        DeviceDriver d = DeviceDriver.Create(profile, options: new SimulatedDeviceOptions
        {
            InitialMemory = [new SimulatedMemoryImage(0, [.. DeviceDriver.Pattern(64, 1)])],
        });
        switch (state)
        {
            case DfuState.DfuDnloadSync:
                d.Dnload(0, new byte[16]);
                break;
            case DfuState.DfuDnloadIdle:
                d.DnloadAndPoll(0, new byte[16]);
                break;
            case DfuState.DfuManifestSync:
                d.DnloadAndPoll(0, new byte[16]);
                d.Dnload(1, default);
                break;
            case DfuState.DfuManifestWaitReset:
                d.DnloadAndPoll(0, new byte[16]);
                d.Dnload(1, default);
                d.GetStatus();
                d.GetStatus();
                break;
            case DfuState.DfuUploadIdle:
                d.Upload(0, 16);
                break;
            case DfuState.DfuError:
                d.Send(DfuRequest.ClrStatus);
                break;
        }

        d.Device.State.Should().Be(state);
        return d;
    }

    private static SimulatedControlResult Issue(DeviceDriver d, DfuRequest request) => request switch
    {
        DfuRequest.Dnload => d.Dnload(1, new byte[16]),
        DfuRequest.Upload => d.Upload(1, 16),
        DfuRequest.GetStatus => d.RawGetStatus(),
        DfuRequest.GetState => d.Device.HandleControl(DeviceDriver.In(DfuRequest.GetState, 0, 1), default),
        _ => d.Send(request),
    };

    [Theory]
    [InlineData(DfuState.DfuIdle, DfuRequest.Detach, false, DfuState.DfuError)]
    [InlineData(DfuState.DfuIdle, DfuRequest.Dnload, true, DfuState.DfuDnloadSync)]
    [InlineData(DfuState.DfuIdle, DfuRequest.Upload, true, DfuState.DfuUploadIdle)]
    [InlineData(DfuState.DfuIdle, DfuRequest.GetStatus, true, DfuState.DfuIdle)]
    [InlineData(DfuState.DfuIdle, DfuRequest.ClrStatus, false, DfuState.DfuError)]
    [InlineData(DfuState.DfuIdle, DfuRequest.GetState, true, DfuState.DfuIdle)]
    [InlineData(DfuState.DfuIdle, DfuRequest.Abort, true, DfuState.DfuIdle)]
    [InlineData(DfuState.DfuDnloadSync, DfuRequest.Detach, false, DfuState.DfuError)]
    [InlineData(DfuState.DfuDnloadSync, DfuRequest.Dnload, false, DfuState.DfuError)]
    [InlineData(DfuState.DfuDnloadSync, DfuRequest.Upload, false, DfuState.DfuError)]
    [InlineData(DfuState.DfuDnloadSync, DfuRequest.GetStatus, true, DfuState.DfuDnbusy)]
    [InlineData(DfuState.DfuDnloadSync, DfuRequest.ClrStatus, false, DfuState.DfuError)]
    [InlineData(DfuState.DfuDnloadSync, DfuRequest.GetState, true, DfuState.DfuDnloadSync)]
    [InlineData(DfuState.DfuDnloadSync, DfuRequest.Abort, false, DfuState.DfuError)]
    [InlineData(DfuState.DfuDnloadIdle, DfuRequest.Detach, false, DfuState.DfuError)]
    [InlineData(DfuState.DfuDnloadIdle, DfuRequest.Dnload, true, DfuState.DfuDnloadSync)]
    [InlineData(DfuState.DfuDnloadIdle, DfuRequest.Upload, false, DfuState.DfuError)]
    [InlineData(DfuState.DfuDnloadIdle, DfuRequest.GetStatus, true, DfuState.DfuDnloadIdle)]
    [InlineData(DfuState.DfuDnloadIdle, DfuRequest.ClrStatus, false, DfuState.DfuError)]
    [InlineData(DfuState.DfuDnloadIdle, DfuRequest.GetState, true, DfuState.DfuDnloadIdle)]
    [InlineData(DfuState.DfuDnloadIdle, DfuRequest.Abort, true, DfuState.DfuIdle)]
    [InlineData(DfuState.DfuManifestSync, DfuRequest.Detach, false, DfuState.DfuError)]
    [InlineData(DfuState.DfuManifestSync, DfuRequest.Dnload, false, DfuState.DfuError)]
    [InlineData(DfuState.DfuManifestSync, DfuRequest.Upload, false, DfuState.DfuError)]
    [InlineData(DfuState.DfuManifestSync, DfuRequest.GetStatus, true, DfuState.DfuManifest)]
    [InlineData(DfuState.DfuManifestSync, DfuRequest.ClrStatus, false, DfuState.DfuError)]
    [InlineData(DfuState.DfuManifestSync, DfuRequest.GetState, true, DfuState.DfuManifestSync)]
    [InlineData(DfuState.DfuManifestSync, DfuRequest.Abort, false, DfuState.DfuError)]
    [InlineData(DfuState.DfuManifestWaitReset, DfuRequest.Detach, false, DfuState.DfuManifestWaitReset)]
    [InlineData(DfuState.DfuManifestWaitReset, DfuRequest.Dnload, false, DfuState.DfuManifestWaitReset)]
    [InlineData(DfuState.DfuManifestWaitReset, DfuRequest.Upload, false, DfuState.DfuManifestWaitReset)]
    [InlineData(DfuState.DfuManifestWaitReset, DfuRequest.GetStatus, true, DfuState.DfuManifestWaitReset)]
    [InlineData(DfuState.DfuManifestWaitReset, DfuRequest.ClrStatus, false, DfuState.DfuManifestWaitReset)]
    [InlineData(DfuState.DfuManifestWaitReset, DfuRequest.GetState, true, DfuState.DfuManifestWaitReset)]
    [InlineData(DfuState.DfuManifestWaitReset, DfuRequest.Abort, false, DfuState.DfuManifestWaitReset)]
    [InlineData(DfuState.DfuUploadIdle, DfuRequest.Detach, false, DfuState.DfuError)]
    [InlineData(DfuState.DfuUploadIdle, DfuRequest.Dnload, false, DfuState.DfuError)]
    [InlineData(DfuState.DfuUploadIdle, DfuRequest.Upload, true, DfuState.DfuUploadIdle)]
    [InlineData(DfuState.DfuUploadIdle, DfuRequest.GetStatus, true, DfuState.DfuUploadIdle)]
    [InlineData(DfuState.DfuUploadIdle, DfuRequest.ClrStatus, false, DfuState.DfuError)]
    [InlineData(DfuState.DfuUploadIdle, DfuRequest.GetState, true, DfuState.DfuUploadIdle)]
    [InlineData(DfuState.DfuUploadIdle, DfuRequest.Abort, true, DfuState.DfuIdle)]
    [InlineData(DfuState.DfuError, DfuRequest.Detach, false, DfuState.DfuError)]
    [InlineData(DfuState.DfuError, DfuRequest.Dnload, false, DfuState.DfuError)]
    [InlineData(DfuState.DfuError, DfuRequest.Upload, false, DfuState.DfuError)]
    [InlineData(DfuState.DfuError, DfuRequest.GetStatus, true, DfuState.DfuError)]
    [InlineData(DfuState.DfuError, DfuRequest.ClrStatus, true, DfuState.DfuIdle)]
    [InlineData(DfuState.DfuError, DfuRequest.GetState, true, DfuState.DfuError)]
    [InlineData(DfuState.DfuError, DfuRequest.Abort, false, DfuState.DfuError)]
    public void Request_InState_FollowsAppendixA(DfuState state, DfuRequest request, bool acknowledged, DfuState after)
    {
        DeviceDriver d = Into(state);
        SimulatedControlResult r = Issue(d, request);
        r.Status.Should().Be(acknowledged ? SimulatedControlStatus.Ack : SimulatedControlStatus.Stall);
        d.Device.State.Should().Be(after);
        if (!acknowledged && after == DfuState.DfuError && state != DfuState.DfuError)
        {
            d.Device.Status.Should().Be(DfuStatus.ErrStalledPkt);
        }
    }

    [Fact]
    public void RandomRequests_AnySequence_KeepInvariants()
    {
        var random = new Random(20261121);
        for (int run = 0; run < 50; run++)
        {
            DeviceDriver d = DeviceDriver.Create(random.Next(2) == 0 ? SimulatedProfiles.Dfu11 : SimulatedProfiles.Stm32F4);
            for (int i = 0; i < 200; i++)
            {
                byte request = (byte)random.Next(8);
                bool deviceToHost = random.Next(2) == 0;
                ushort length = (ushort)(random.Next(4) == 0 ? 0 : random.Next(1, 40));
                ushort value = (ushort)random.Next(4);
                byte[] data = deviceToHost ? [] : DeviceDriver.Pattern(length, i);
                if (!deviceToHost && request == 1 && value == 0 && length > 0 && random.Next(2) == 0)
                {
                    data = random.Next(2) == 0 ? DeviceDriver.Command(0x21, 0x0800_0000) : [0x41];
                    length = (ushort)data.Length;
                }

                DfuState before = d.Device.State;
                var setup = new UsbSetupPacket((byte)(deviceToHost ? 0xA1 : 0x21), request, value, 0, length);
                SimulatedControlResult r = d.Device.HandleControl(setup, data);
                if (r.Reenumerate || !d.Device.IsConnected)
                {
                    break;
                }

                Enum.IsDefined(d.Device.State).Should().BeTrue();
                r.Data.Length.Should().BeLessThanOrEqualTo(length);
                if (r.Status == SimulatedControlStatus.Stall && before != DfuState.DfuManifestWaitReset)
                {
                    d.Device.State.Should().Be(DfuState.DfuError, "a stalled class request enters dfuERROR ({0} in {1})", setup, before);
                }

                if (r.IsAck && request == (byte)DfuRequest.GetStatus && length == 6)
                {
                    DfuStatusReport.Parse(r.Data.Span).State.Should().Be(d.Device.State);
                }
            }
        }
    }
}
