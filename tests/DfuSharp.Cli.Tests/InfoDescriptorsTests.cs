using System.Text.Json;
using DfuSharp.Simulation;
using DfuSharp.Usb;

namespace DfuSharp.Cli.Tests;

/// <summary><c>info</c> shows the USB standard descriptors (issue #14): in <c>--json</c> under <c>descriptors</c>, numbers as JSON numbers.</summary>
public sealed class InfoDescriptorsTests
{
    private readonly SimCli _cli = new();

    public static TheoryData<string> Profiles() => [.. SimulatedProfiles.Names];

    [Theory]
    [MemberData(nameof(Profiles))]
    public async Task InfoJson_EveryProfile_DescriptorsMatchTheSimulatedBytes(string profile)
    {
        UsbDescriptorSet expected = SimulatedDfuDevice.Create(profile, new SimulatedDeviceOptions { TimeProvider = new VirtualTimeProvider() }).Device.Descriptors!;

        CliRun run = await _cli.RunAsync("info", "--device", $"sim:{profile}", "--json");

        run.ExitCode.Should().Be(0, run.ToString());
        JsonElement descriptors = run.Json().GetProperty("descriptors");
        JsonElement device = descriptors.GetProperty("device");
        UsbDeviceDescriptor d = expected.Device;
        var fields = new Dictionary<string, int>
        {
            ["bcdUSB"] = d.bcdUSB, ["bDeviceClass"] = d.bDeviceClass, ["bDeviceSubClass"] = d.bDeviceSubClass,
            ["bDeviceProtocol"] = d.bDeviceProtocol, ["bMaxPacketSize0"] = d.bMaxPacketSize0, ["idVendor"] = d.idVendor,
            ["idProduct"] = d.idProduct, ["bcdDevice"] = d.bcdDevice, ["iManufacturer"] = d.iManufacturer,
            ["iProduct"] = d.iProduct, ["iSerialNumber"] = d.iSerialNumber, ["bNumConfigurations"] = d.bNumConfigurations,
        };
        device.EnumerateObject().Select(p => p.Name).Should().BeEquivalentTo(fields.Keys);
        foreach ((string name, int value) in fields)
        {
            device.GetProperty(name).ValueKind.Should().Be(JsonValueKind.Number, name);
            device.GetProperty(name).GetInt32().Should().Be(value, name);
        }

        JsonElement[] configurations = [.. descriptors.GetProperty("configurations").EnumerateArray()];
        configurations.Should().HaveCount(expected.Configurations.Length);
        for (int c = 0; c < configurations.Length; c++)
        {
            UsbConfigurationDescriptor config = expected.Configurations[c];
            configurations[c].GetProperty("bConfigurationValue").GetInt32().Should().Be(config.bConfigurationValue);
            configurations[c].GetProperty("bmAttributes").GetInt32().Should().Be(config.bmAttributes);
            configurations[c].GetProperty("bMaxPower").GetInt32().Should().Be(config.bMaxPower);
            JsonElement[] interfaces = [.. configurations[c].GetProperty("interfaces").EnumerateArray()];
            interfaces.Select(i => (
                    i.GetProperty("bInterfaceNumber").GetInt32(), i.GetProperty("bAlternateSetting").GetInt32(),
                    i.GetProperty("bInterfaceClass").GetInt32(), i.GetProperty("bInterfaceSubClass").GetInt32(),
                    i.GetProperty("bInterfaceProtocol").GetInt32(), i.GetProperty("iInterface").GetInt32()))
                .Should().Equal(config.Interfaces.Select(i => (
                    (int)i.bInterfaceNumber, (int)i.bAlternateSetting, (int)i.bInterfaceClass, (int)i.bInterfaceSubClass,
                    (int)i.bInterfaceProtocol, (int)i.iInterface)));
            interfaces.Should().OnlyContain(i => i.GetProperty("name").ValueKind == JsonValueKind.String);
        }
    }

    [Fact]
    public async Task Info_Text_ShowsTheUsbDescriptors()
    {
        CliRun run = await _cli.RunAsync("info", "--device", "sim:stm32f4");

        run.ExitCode.Should().Be(0, run.ToString());
        run.Stdout.Should().Contain("USB:         bcdUSB 0x0200, class 0/0/0, bMaxPacketSize0 64, bcdDevice 0x2200, 1 configuration(s)")
            .And.Contain("Configuration 1: bmAttributes 0x80, bMaxPower 100 mA, 4 interface setting(s)")
            .And.Contain("  interface 0 alt 1: class 0xFE/0x01/0x02 \"@Option Bytes  /0x1FFFC000/01*016 e\"");
    }
}
