using DfuSharp.Formats;
using DfuSharp.Planning;
using DfuSharp.Simulation;
using DfuSharp.Tests.EndToEnd;
using DfuSharp.Usb;

namespace DfuSharp.Tests.Planning;

/// <summary>The plan is the whole truth: every request the simulator receives follows from one step of the plan.</summary>
public class PlanTranscriptTests
{
    private static readonly byte[] Small = SimHarness.Random(2500, 77);

    [Theory]
    [InlineData("stm32f4", false)]
    [InlineData("stm32f4", true)]
    [InlineData("stm32f1-app", false)]
    [InlineData("stm32f1-app", true)]
    [InlineData("dfu11", false)]
    [InlineData("dfu11", true)]
    public async Task ExecuteAsync_DryRunPlan_TranscriptHoldsExactlyItsRequests(string profile, bool leave)
    {
        var sim = SimHarness.Create(profile);
        await using DfuDevice device = await sim.OpenAsync();
        DfuFile file = device.IsDfuSe
            ? SimHarness.DfuSeFile(device.Info.VendorId, device.Info.ProductId, 0, profile == "stm32f1-app" ? 0x0800_3000u : 0x0800_0000u, Small)
            : SimHarness.PlainFile(Small);
        // A plain DFU backup reads until the device sends a short block, a count only the device knows; DfuSe backups
        // are addressed and planned to the byte.
        Func<DfuFile, CancellationToken, ValueTask>? backup = device.IsDfuSe ? (_, _) => ValueTask.CompletedTask : null;
        TransferPlan plan = device.PlanDownload(file, new DownloadOptions { Verify = true, Leave = leave, Backup = backup });
        byte alt = device.Interface.Setting.Number;
        sim.Device.Transcript.Clear();

        await device.ExecuteAsync(plan, backup);

        Requests(sim.Device.Transcript).Should().Equal(Expected(plan, alt));
    }

    [Fact]
    public void Plan_WithBackupVerifyAndLeave_ListsEveryStepInOrder()
    {
        var device = new DfuTargetDevice
        {
            VendorId = 0x0483,
            ProductId = 0xDF11,
            Descriptor = new DfuFunctionalDescriptor(DfuAttributes.CanDownload | DfuAttributes.CanUpload | DfuAttributes.ManifestationTolerant, 255, 2048, 0x011A),
            AlternateSettings = [Setting(0, "@Internal Flash  /0x08000000/04*016Kg,01*064Kg,07*128Kg")],
        };
        DfuFile file = SimHarness.DfuSeFile(0x0483, 0xDF11, 0, 0x0800_3F00, new byte[0x200]);

        TransferPlan plan = TransferPlanner.Plan(device, file, new DownloadOptions { Verify = true, Leave = true, Backup = (_, _) => ValueTask.CompletedTask });

        plan.Steps.Should().Equal(
            TransferStep.Select(0),
            new TransferStep(TransferStepKind.Backup, 0, 0x0800_0000, 0x8000, 2),
            new TransferStep(TransferStepKind.Erase, 0, 0x0800_0000, 0x4000),
            new TransferStep(TransferStepKind.Erase, 0, 0x0800_4000, 0x4000),
            new TransferStep(TransferStepKind.SetAddress, 0, 0x0800_3F00),
            new TransferStep(TransferStepKind.Write, 0, 0x0800_3F00, 0x200, 2),
            new TransferStep(TransferStepKind.Verify, 0, 0x0800_3F00, 0x200, 2),
            new TransferStep(TransferStepKind.DfuSeLeave, 0, 0x0800_3F00));
    }

    [Fact]
    public void Plan_PlainDeviceNotManifestationTolerant_ResetReenumerateVerify()
    {
        var device = new DfuTargetDevice
        {
            VendorId = 0x1209,
            ProductId = 0x0001,
            Descriptor = new DfuFunctionalDescriptor(DfuAttributes.CanDownload | DfuAttributes.CanUpload, 255, 1024, 0x0110),
            AlternateSettings = [Setting(0, "Flash")],
        };

        TransferPlan plan = TransferPlanner.Plan(device, SimHarness.PlainFile(new byte[1500]), new DownloadOptions { Verify = true });

        plan.Steps.Should().Equal(
            TransferStep.Select(0),
            new TransferStep(TransferStepKind.Write, 0, 0, 1024, 0),
            new TransferStep(TransferStepKind.Write, 0, 1024, 476, 1),
            new TransferStep(TransferStepKind.Manifest, 0, Block: 2),
            new TransferStep(TransferStepKind.ResetAfterManifest, 0),
            new TransferStep(TransferStepKind.Reenumerate, 0),
            TransferStep.Select(0),
            new TransferStep(TransferStepKind.VerifyFirmware, 0, 0, 1500));
    }

    internal static UsbAlternateSettingInfo Setting(byte number, string name) => new()
    {
        Number = number,
        InterfaceClass = UsbAlternateSettingInfo.DfuClass,
        InterfaceSubClass = UsbAlternateSettingInfo.DfuSubClass,
        InterfaceProtocol = 2,
        Name = name,
    };

    private static List<string> Requests(Transcript transcript)
        => [.. transcript.Entries
            .Where(e => e.Name is not ("DFU_GETSTATUS" or "DFU_GETSTATE"))
            .Select(e => e.Setup is { } s ? $"{e.Name} {s.Value} {s.Length}" : e.Name)];

    // What each kind of step sends, apart from the GETSTATUS polls between requests.
    private static List<string> Expected(TransferPlan plan, byte openAlt)
    {
        var requests = new List<string>();
        byte current = openAlt;
        int size = plan.TransferSize;
        foreach (TransferStep step in plan.Steps)
        {
            switch (step.Kind)
            {
                case TransferStepKind.SelectAlternateSetting when step.AlternateSetting != current:
                    requests.Add($"SET_INTERFACE {step.AlternateSetting} 0");
                    current = step.AlternateSetting;
                    break;
                case TransferStepKind.Erase or TransferStepKind.SetAddress:
                    requests.Add("DFU_DNLOAD 0 5");
                    break;
                case TransferStepKind.MassErase:
                    requests.Add("DFU_DNLOAD 0 1");
                    break;
                case TransferStepKind.Write:
                    requests.Add($"DFU_DNLOAD {step.Block} {step.Length}");
                    break;
                case TransferStepKind.Manifest:
                    requests.Add($"DFU_DNLOAD {step.Block} 0");
                    break;
                case TransferStepKind.Backup or TransferStepKind.Verify:
                    requests.Add("DFU_DNLOAD 0 5");
                    requests.Add("DFU_ABORT 0 0");
                    for (int offset = 0, block = step.Block; offset < step.Length; offset += size, block++)
                    {
                        requests.Add($"DFU_UPLOAD {block} {Math.Min(size, step.Length - offset)}");
                    }

                    requests.Add("DFU_ABORT 0 0");
                    break;
                case TransferStepKind.VerifyFirmware:
                    for (int offset = 0, block = 0; offset < step.Length; offset += size, block++)
                    {
                        requests.Add($"DFU_UPLOAD {block} {Math.Min(size, step.Length - offset)}");
                    }

                    requests.Add("DFU_ABORT 0 0");
                    break;
                case TransferStepKind.Abort:
                    requests.Add("DFU_ABORT 0 0");
                    break;
                case TransferStepKind.DfuSeLeave:
                    requests.Add("DFU_DNLOAD 0 5");
                    requests.Add("DFU_DNLOAD 2 0");
                    break;
                case TransferStepKind.UsbReset or TransferStepKind.ResetAfterManifest:
                    requests.Add("BUS_RESET");
                    break;
            }
        }

        return requests;
    }
}
