using DfuSharp.Simulation;
using DfuSharp.Usb;

namespace DfuSharp.Tests.EndToEnd;

public class RoundTripTests
{
    private const DfuAttributes Base = DfuAttributes.CanDownload | DfuAttributes.CanUpload;

    public static TheoryData<string, bool, bool, int> Cases()
    {
        var data = new TheoryData<string, bool, bool, int>();
        foreach (string profile in new[] { "stm32f4", "stm32f1-app", "dfu11", "runtime" })
        {
            foreach (bool tolerant in new[] { true, false })
            {
                foreach (bool willDetach in new[] { true, false })
                {
                    foreach (int transferSize in new[] { 0, 256 })
                    {
                        data.Add(profile, tolerant, willDetach, transferSize);
                    }
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task DownloadVerifyUploadEraseLeave_EveryProfileAndAttribute_RoundTrips(string profileName, bool tolerant, bool willDetach, int transferSize)
    {
        SimulatedDeviceProfile profile = Vary(SimulatedProfiles.Get(profileName), tolerant, willDetach, transferSize);
        var sim = SimHarness.Create(profile);
        var progress = new List<DfuProgress>();
        var reporter = new SyncProgress(progress.Add);

        if (profile.IsDfuSe)
        {
            uint address = profileName == "stm32f1-app" ? 0x0800_3000u : 0x0800_0000u;
            byte[] data = SimHarness.Random(5000 + transferSize, transferSize + (tolerant ? 1 : 2) + (willDetach ? 4 : 8));
            await using (DfuDevice device = await sim.OpenAsync())
            {
                DownloadResult result = await device.DownloadAsync(
                    SimHarness.DfuSeFile(profile.VendorId, profile.ProductId, 0, address, data), new DownloadOptions { Verify = true }, reporter);
                result.Verified.Should().BeTrue();
                result.Outcome.Should().Be(DfuLeaveOutcome.StayedInDfuMode);
                sim.Device.State.Should().Be(DfuSharp.Protocol.DfuState.DfuIdle);

                byte[] read = await device.UploadAsync(new UploadOptions { Address = address, Length = data.Length });
                read.Should().Equal(data);

                await device.DfuSe.EraseAsync(address, 1, null, reporter);
                byte[] erased = await device.UploadAsync(new UploadOptions { Address = address, Length = 1024 });
                erased.Should().OnlyContain(b => b == 0xFF);

                DfuLeaveOutcome left = await device.DfuSe.LeaveAsync(address, reporter);
                left.Should().BeOneOf(DfuLeaveOutcome.Left, DfuLeaveOutcome.Disconnected);
                device.IsOpen.Should().BeFalse();
            }

            progress.Where(p => p.Phase == DfuPhase.Download).Select(p => p.Completed).Should().BeInAscendingOrder().And.EndWith(data.Length);
            progress.Where(p => p.Phase == DfuPhase.Erase).Should().NotBeEmpty().And.OnlyContain(p => p.Unit == DfuProgressUnit.Sectors);
            progress.Where(p => p.Phase == DfuPhase.Verify).Select(p => p.Completed).Should().EndWith(data.Length);
            progress.Where(p => p.Phase == DfuPhase.Leave).Select(p => p.Completed).Should().Equal(0L, 1L);
            return;
        }

        byte[] firmware = SimHarness.Random(3000 + transferSize, transferSize + (tolerant ? 11 : 12) + (willDetach ? 14 : 18));
        await using (DfuDevice device = await sim.OpenAsync())
        {
            DownloadResult result = await device.DownloadAsync(SimHarness.PlainFile(firmware), new DownloadOptions { Verify = true }, reporter);
            result.Verified.Should().BeTrue();
            device.IsOpen.Should().BeTrue();
            device.Mode.Should().Be(DfuMode.Dfu);

            byte[] read = await device.UploadAsync();
            read.Should().Equal(firmware);
        }

        sim.Device.Firmware.ToArray().Should().Equal(firmware);
        progress.Where(p => p.Phase == DfuPhase.Download).Select(p => p.Completed).Should().EndWith(firmware.Length);
        progress.Where(p => p.Phase == DfuPhase.Manifest).Select(p => p.Completed).Should().Equal(0L, 1L);
        if (profileName == "runtime")
        {
            progress.Where(p => p.Phase == DfuPhase.Detach).Should().NotBeEmpty();
        }
    }

    internal static SimulatedDeviceProfile Vary(SimulatedDeviceProfile profile, bool tolerant, bool willDetach, int transferSize)
    {
        DfuAttributes attributes = Base
            | (tolerant ? DfuAttributes.ManifestationTolerant : DfuAttributes.None)
            | (willDetach ? DfuAttributes.WillDetach : DfuAttributes.None);
        ushort size = transferSize == 0 ? profile.TransferSize : (ushort)transferSize;
        return profile with
        {
            Attributes = attributes,
            TransferSize = size,
            DfuModeProfile = profile.DfuModeProfile is { } dfu ? dfu with { Attributes = attributes, TransferSize = size } : null,
        };
    }

    internal sealed class SyncProgress(Action<DfuProgress> onReport) : IProgress<DfuProgress>
    {
        public void Report(DfuProgress value) => onReport(value);
    }
}
