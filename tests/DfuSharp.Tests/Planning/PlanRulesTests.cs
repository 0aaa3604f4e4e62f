using DfuSharp.Formats;
using DfuSharp.Planning;
using DfuSharp.Usb;

namespace DfuSharp.Tests.Planning;

/// <summary>File-versus-device rules of the planner, without a transport.</summary>
public class PlanRulesTests
{
    private static readonly DfuTargetDevice StRom = new()
    {
        VendorId = 0x0483,
        ProductId = 0xDF11,
        DeviceVersion = 0x2200,
        Descriptor = new DfuFunctionalDescriptor(DfuAttributes.CanDownload | DfuAttributes.CanUpload | DfuAttributes.ManifestationTolerant, 255, 2048, 0x011A),
        AlternateSettings =
        [
            PlanTranscriptTests.Setting(0, "@Internal Flash  /0x08000000/04*016Kg,01*064Kg,07*128Kg"),
            PlanTranscriptTests.Setting(1, "@Option Bytes  /0x1FFFC000/01*016 e"),
            PlanTranscriptTests.Setting(2, "@OTP Memory /0x1FFF7800/01*512 e,01*016 e"),
        ],
    };

    private static readonly DfuTargetDevice PlainDevice = StRom with
    {
        VendorId = 0x1209,
        ProductId = 0xDF11,
        Descriptor = new DfuFunctionalDescriptor(DfuAttributes.CanDownload | DfuAttributes.CanUpload | DfuAttributes.ManifestationTolerant, 255, 1024, 0x0110),
        AlternateSettings = [PlanTranscriptTests.Setting(0, "Flash")],
    };

    private static DfuFile File(ushort vid, ushort pid, ushort bcd, byte alt = 0, uint address = 0x0800_0000, int length = 16)
        => new()
        {
            DfuSe = new DfuSeImage([new DfuSeTarget(alt, null, [new DfuSeElement(address, new byte[length])])]),
            Suffix = new DfuSuffix { VendorId = vid, ProductId = pid, DeviceVersion = bcd, DfuVersion = DfuSuffix.DfuSe },
        };

    [Fact]
    public void Plan_BcdDeviceZero_NoWarning()
        => TransferPlanner.Plan(StRom, File(0x0483, 0xDF11, 0x0000)).Warnings.Should().BeEmpty();

    [Fact]
    public void Plan_OtherBcdDevice_WarnsAndPlans()
        => TransferPlanner.Plan(StRom, File(0x0483, 0xDF11, 0x1234)).Warnings.Should().ContainSingle().Which.Should().Contain("0x1234").And.Contain("0x2200");

    [Fact]
    public void Plan_OtherVidPid_RefusedAndForceable()
    {
        FluentActions.Invoking(() => TransferPlanner.Plan(StRom, File(0x1234, 0x5678, 0xFFFF)))
            .Should().Throw<DfuFileMismatchException>().Where(e => e.CanForce);
        TransferPlanner.Plan(StRom, File(0x1234, 0x5678, 0xFFFF), new DownloadOptions { Force = true }).Warnings.Should().ContainSingle();
    }

    [Fact]
    public void Plan_DfuSeFileToPlainDevice_RefusedEvenWithForce()
        => FluentActions.Invoking(() => TransferPlanner.Plan(PlainDevice, File(0xFFFF, 0xFFFF, 0xFFFF), new DownloadOptions { Force = true }))
            .Should().Throw<DfuFileMismatchException>().Where(e => !e.CanForce);

    [Fact]
    public void Plan_EmptyImage_Refused()
        => FluentActions.Invoking(() => TransferPlanner.Plan(StRom, MemoryImage.Empty))
            .Should().Throw<DfuFileMismatchException>().Where(e => !e.CanForce).WithMessage("*no data*");

    [Fact]
    public void Plan_OptionBytesWithForceOnly_NeedsConsent()
        => FluentActions.Invoking(() => TransferPlanner.Plan(StRom, File(0x0483, 0xDF11, 0, alt: 1, address: 0x1FFF_C000), new DownloadOptions { Force = true }))
            .Should().Throw<DfuConsentRequiredException>().Where(e => e.Consent == DfuConsent.OptionBytes);

    [Fact]
    public void Plan_Otp_NeedsIrreversibleConsent()
        => FluentActions.Invoking(() => TransferPlanner.Plan(StRom, File(0x0483, 0xDF11, 0, alt: 2, address: 0x1FFF_7800), new DownloadOptions { AllowOptionBytes = true }))
            .Should().Throw<DfuConsentRequiredException>().Where(e => e.Consent == DfuConsent.Irreversible);

    [Fact]
    public void Plan_MemoryImageToPlainDevice_Refused()
        => FluentActions.Invoking(() => TransferPlanner.Plan(PlainDevice, MemoryImage.FromBytes(0x0800_0000, [1, 2, 3])))
            .Should().Throw<DfuFileMismatchException>().Where(e => !e.CanForce);

    [Fact]
    public void Plan_DfuSeDeviceInRuntimeMode_AsksForDetach()
        => FluentActions.Invoking(() => TransferPlanner.Plan(StRom with { Mode = DfuMode.Runtime }, MemoryImage.FromBytes(0x0800_0000, [1])))
            .Should().Throw<NotSupportedException>().WithMessage("*detach*");

    [Fact]
    public void Plan_BinWithAddressAndLeave_LeavesToTheAddress()
    {
        TransferPlan plan = TransferPlanner.Plan(StRom, MemoryImage.FromBytes(0x0800_4000, new byte[64]), 0, new DownloadOptions { Leave = true });

        plan.Steps[^1].Should().Be(new TransferStep(TransferStepKind.DfuSeLeave, 0, 0x0800_4000));
    }

    [Fact]
    public void Plan_MassEraseWithBackup_BacksUpEveryErasableSector()
    {
        TransferPlan plan = TransferPlanner.Plan(StRom, File(0x0483, 0xDF11, 0), new DownloadOptions
        {
            Erase = DfuSeEraseMode.Mass,
            Backup = (_, _) => ValueTask.CompletedTask,
        });

        plan.BackupBytes.Should().Be(1024 * 1024);
        plan.Steps.Count(s => s.Kind == TransferStepKind.MassErase).Should().Be(1);
    }
}
