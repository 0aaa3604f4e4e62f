using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using DfuSharp.Simulation;
using DfuSharp.Usb;

namespace DfuSharp.Tests.LibUsb;

/// <summary>lsusb (usbutils) lists the emulated boards and decodes their DFU functional descriptor.</summary>
[Collection(UsbEmulatorCollection.Name)]
[Trait("Category", "Emulator")]
public sealed partial class LsusbEmulatorTests() : EmulatorTestBase("dfusharp-lsusb-")
{
    [EmulatorTheory("lsusb")]
    [InlineData("stm32f4", "0483:df11", "Bus 001 Device 002: ID 0483:df11", "wTransferSize                    2048 bytes", "bcdDFUVersion                   1.1a")]
    [InlineData("dfu11", "1209:df11", "Bus 001 Device 002: ID 1209:df11", "wTransferSize                    1024 bytes", "bcdDFUVersion                   1.10")]
    public void Verbose_Profile_PrintsTheDfuFunctionalDescriptor(string profile, string id, string header, string transferSize, string version)
    {
        EmulatorResult result = UsbEmulator.Run(profile, $"lsusb -v -d {id}", Dir);

        result.Process.ExitCode.Should().Be(0, result.ToString());
        result.Process.StandardOutput.Should().Contain(header)
            .And.Contain("bInterfaceSubClass      1 Device Firmware Update")
            .And.Contain("Device Firmware Upgrade Interface Descriptor")
            .And.Contain(transferSize)
            .And.Contain(version);
    }

    /// <summary>Every profile the emulator can serve (new profiles are covered as they are added).</summary>
    public static TheoryData<string> Profiles() => [.. SimulatedProfiles.Names];

    /// <summary>
    /// lsusb -v decodes the emulated board's device, configuration and interface descriptors; every field it prints
    /// equals both <c>dfusharp info --json</c>'s <c>descriptors</c> (read through libusb in the emulated process) and
    /// the simulator's own parsed descriptors (the records' fields that the JSON leaves out: bLength, bDescriptorType,
    /// wTotalLength, bNumInterfaces, iConfiguration, bNumEndpoints).
    /// </summary>
    [EmulatorTheory("lsusb")]
    [MemberData(nameof(Profiles))]
    public void Verbose_EveryProfile_EveryDescriptorFieldMatchesInfoJson(string profile)
    {
        UsbDescriptorSet expected = SimulatedDfuDevice.Create(profile, new SimulatedDeviceOptions { TimeProvider = new VirtualTimeProvider() }).Device.Descriptors!;
        string id = $"{expected.Device.idVendor:x4}:{expected.Device.idProduct:x4}";

        EmulatorResult result = UsbEmulator.Run(profile, $"lsusb -v -d {id} > lsusb.txt; $DFUSHARP info --json --device {id} > info.json", Dir);

        result.Process.ExitCode.Should().Be(0, result.ToString());
        Lsusb lsusb = Lsusb.Parse(File.ReadAllLines(Path.Combine(Dir, "lsusb.txt")));
        JsonElement json = Json("info.json").GetProperty("descriptors");
        JsonElement device = json.GetProperty("device");
        foreach (string field in (string[])["bcdUSB", "bDeviceClass", "bDeviceSubClass", "bDeviceProtocol", "bMaxPacketSize0", "idVendor", "idProduct",
                     "bcdDevice", "iManufacturer", "iProduct", "iSerialNumber", "bNumConfigurations"])
        {
            device.GetProperty(field).GetInt32().Should().Be(lsusb.Device[field], $"{profile}: device {field}");
        }

        UsbDeviceDescriptor d = expected.Device;
        lsusb.Device["bLength"].Should().Be(d.bLength);
        lsusb.Device["bDescriptorType"].Should().Be(d.bDescriptorType);
        lsusb.Device["bcdUSB"].Should().Be(d.bcdUSB);
        lsusb.Device["idVendor"].Should().Be(d.idVendor);
        lsusb.Device["bNumConfigurations"].Should().Be(d.bNumConfigurations);

        JsonElement[] configurations = [.. json.GetProperty("configurations").EnumerateArray()];
        configurations.Should().HaveCount(lsusb.Configurations.Count).And.HaveCount(expected.Configurations.Length);
        for (int c = 0; c < configurations.Length; c++)
        {
            Dictionary<string, int> printed = lsusb.Configurations[c];
            UsbConfigurationDescriptor config = expected.Configurations[c];
            configurations[c].GetProperty("bConfigurationValue").GetInt32().Should().Be(printed["bConfigurationValue"]);
            configurations[c].GetProperty("bmAttributes").GetInt32().Should().Be(printed["bmAttributes"]);
            (configurations[c].GetProperty("bMaxPower").GetInt32() * 2).Should().Be(printed["MaxPower"], "lsusb prints bMaxPower in mA (2 mA units)");
            printed["bLength"].Should().Be(config.bLength);
            printed["bDescriptorType"].Should().Be(config.bDescriptorType);
            printed["wTotalLength"].Should().Be(config.wTotalLength);
            printed["bNumInterfaces"].Should().Be(config.bNumInterfaces);
            printed["iConfiguration"].Should().Be(config.iConfiguration);

            JsonElement[] interfaces = [.. configurations[c].GetProperty("interfaces").EnumerateArray()];
            List<(Dictionary<string, int> Fields, string Name)> printedInterfaces = lsusb.Interfaces[c];
            interfaces.Should().HaveCount(printedInterfaces.Count).And.HaveCount(config.Interfaces.Length);
            for (int i = 0; i < interfaces.Length; i++)
            {
                (Dictionary<string, int> fields, string name) = printedInterfaces[i];
                foreach (string field in (string[])["bInterfaceNumber", "bAlternateSetting", "bInterfaceClass", "bInterfaceSubClass", "bInterfaceProtocol", "iInterface"])
                {
                    interfaces[i].GetProperty(field).GetInt32().Should().Be(fields[field], $"{profile}: interface {i} {field}");
                }

                interfaces[i].GetProperty("name").GetString().Should().Be(name.Length == 0 ? null : name, $"{profile}: interface {i}'s string");
                fields["bLength"].Should().Be(config.Interfaces[i].bLength);
                fields["bDescriptorType"].Should().Be(config.Interfaces[i].bDescriptorType);
                fields["bNumEndpoints"].Should().Be(config.Interfaces[i].bNumEndpoints);
            }
        }
    }

    /// <summary>The device, configuration and interface descriptor fields <c>lsusb -v</c> printed.</summary>
    private sealed partial class Lsusb
    {
        public Dictionary<string, int> Device { get; } = [];

        public List<Dictionary<string, int>> Configurations { get; } = [];

        public List<List<(Dictionary<string, int> Fields, string Name)>> Interfaces { get; } = [];

        public static Lsusb Parse(string[] lines)
        {
            var parsed = new Lsusb();
            Dictionary<string, int>? current = null;
            foreach (string line in lines)
            {
                string trimmed = line.Trim();
                if (trimmed.EndsWith(':'))
                {
                    current = trimmed switch
                    {
                        "Device Descriptor:" => parsed.Device,
                        "Configuration Descriptor:" => Add(parsed.Configurations),
                        "Interface Descriptor:" => AddInterface(parsed),
                        _ => null,
                    };
                    continue;
                }

                Match m = Field().Match(line);

                // lsusb shortens iSerialNumber to "iSerial".
                string name = m.Groups[1].Value == "iSerial" ? "iSerialNumber" : m.Groups[1].Value;
                if (current is null || !m.Success || current.ContainsKey(name))
                {
                    continue;
                }

                current[name] = Number(m.Groups[2].Value);
                if (name == "iInterface")
                {
                    List<(Dictionary<string, int> Fields, string Name)> settings = parsed.Interfaces[^1];
                    settings[^1] = (settings[^1].Fields, m.Groups[3].Value.TrimEnd());
                }
            }

            return parsed;
        }

        private static Dictionary<string, int> Add(List<Dictionary<string, int>> list)
        {
            list.Add([]);
            return list[^1];
        }

        private static Dictionary<string, int> AddInterface(Lsusb parsed)
        {
            if (parsed.Interfaces.Count < parsed.Configurations.Count)
            {
                parsed.Interfaces.Add([]);
            }

            parsed.Interfaces[^1].Add(([], string.Empty));
            return parsed.Interfaces[^1][^1].Fields;
        }

        // "22.00" is BCD (bcdUSB, bcdDevice); "0x0483" hex; "100mA" MaxPower; else decimal.
        private static int Number(string text)
        {
            if (text.Contains('.', StringComparison.Ordinal))
            {
                string[] parts = text.Split('.');
                return (int.Parse(parts[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture) << 8) | int.Parse(parts[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            }

            return text.StartsWith("0x", StringComparison.Ordinal)
                ? int.Parse(text[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture)
                : int.Parse(text.Replace("mA", string.Empty, StringComparison.Ordinal), CultureInfo.InvariantCulture);
        }

        [GeneratedRegex(@"^\s+(b\w+|i\w+|w\w+|MaxPower|idVendor|idProduct)\s+(\d+mA|0x[0-9a-fA-F]+|[0-9a-f]+\.[0-9a-f]{2}|\d+)(?: (.*))?$")]
        private static partial Regex Field();
    }
}
