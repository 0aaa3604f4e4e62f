using System.Globalization;
using System.Text.RegularExpressions;
using DfuSharp.Formats;

namespace DfuSharp.Formats.Tests;

/// <summary>
/// Agreement with dfu-util's own tools (Debian dfu-util 0.11): what dfu-suffix, dfu-prefix and dfuse-pack write we
/// read right, and what we write they accept and describe the same way. Skipped visibly when the tools are absent.
/// </summary>
public sealed class DfuPeerTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [PeerTheory("dfu-suffix")]
    [InlineData(new string[0], 0xFFFF, 0xFFFF, 0xFFFF, 0x0100)]
    [InlineData(new[] { "-v", "0x0483" }, 0x0483, 0xFFFF, 0xFFFF, 0x0100)]
    [InlineData(new[] { "-v", "0x1234", "-p", "0xabcd", "-d", "0x0200" }, 0x1234, 0xABCD, 0x0200, 0x0100)]
    [InlineData(new[] { "-p", "0x0001", "-S", "0x011a" }, 0xFFFF, 0x0001, 0xFFFF, 0x011A)]
    public void Read_DfuSuffixAddOutput_SuffixFieldsAndFirmware(string[] options, int vid, int pid, int did, int spec)
    {
        byte[] firmware = DfuTestHelpers.RandomBytes(options.Length, 1000 + options.Length);
        string path = _dir.File("app.dfu");
        File.WriteAllBytes(path, firmware);

        Run("dfu-suffix", [.. options, "-a", path]);
        byte[] written = File.ReadAllBytes(path);

        DfuFileInfo info = DfuFile.Inspect(written);
        info.CrcValid.Should().BeTrue();
        info.File.Firmware.ToArray().Should().Equal(firmware);
        info.File.Suffix.Should().Be(new DfuSuffix { VendorId = (ushort)vid, ProductId = (ushort)pid, DeviceVersion = (ushort)did, DfuVersion = (ushort)spec });

        // The same model written by us is the same file, byte for byte.
        new DfuFile { Firmware = firmware, Suffix = info.File.Suffix }.ToArray().Should().Equal(written);
    }

    [PeerTheory("dfu-suffix", "dfu-prefix")]
    [InlineData(0x2000u, 4096)]
    [InlineData(0x0000u, 1)]
    [InlineData(0x0003_FC00u, 777)]
    public void Read_DfuPrefixStellarisOutput_PrefixAndFirmware(uint address, int length)
    {
        byte[] firmware = DfuTestHelpers.RandomBytes(length, length);
        string path = _dir.File("stellaris.dfu");
        File.WriteAllBytes(path, firmware);
        Run("dfu-suffix", ["-v", "0x1cbe", "-p", "0x00ff", "-a", path]);
        Run("dfu-prefix", ["-s", $"0x{address:X}", "-a", path]);
        byte[] written = File.ReadAllBytes(path);

        DfuFile file = DfuFile.Read(written);

        file.Prefix!.Type.Should().Be(DfuPrefixType.Stellaris);
        file.Prefix.StellarisAddress.Should().Be(address);
        file.Prefix.Should().Be(DfuPrefixes.CreateStellaris(address, length));
        file.Firmware.ToArray().Should().Equal(firmware);
        new DfuFile { Prefix = DfuPrefixes.CreateStellaris(address, length), Firmware = firmware, Suffix = file.Suffix }
            .ToArray().Should().Equal(written);
    }

    [PeerTheory("dfu-suffix", "dfu-prefix")]
    [InlineData(0)]
    [InlineData(511)]
    [InlineData(4096)]
    [InlineData(4097)]
    public void Read_DfuPrefixLpcOutput_PrefixAndFirmware(int length)
    {
        byte[] firmware = DfuTestHelpers.RandomBytes(length + 1, length);
        string path = _dir.File("lpc.dfu");
        File.WriteAllBytes(path, firmware);
        Run("dfu-suffix", ["-a", path]);
        Run("dfu-prefix", ["-L", "-a", path]);
        byte[] written = File.ReadAllBytes(path);

        DfuFile file = DfuFile.Read(written);

        file.Prefix.Should().Be(DfuPrefixes.CreateLpc(length));
        file.Firmware.ToArray().Should().Equal(firmware);
        new DfuFile { Prefix = DfuPrefixes.CreateLpc(length), Firmware = firmware, Suffix = file.Suffix }
            .ToArray().Should().Equal(written);
    }

    [PeerFact("dfuse-pack")]
    public void Read_DfusePackBinaryGroups_TargetsPerAltRun()
    {
        byte[] a = DfuTestHelpers.RandomBytes(10, 300);
        byte[] b = DfuTestHelpers.RandomBytes(11, 17);
        byte[] c = DfuTestHelpers.RandomBytes(12, 16);
        byte[] d = DfuTestHelpers.RandomBytes(13, 1);
        File.WriteAllBytes(_dir.File("a.bin"), a);
        File.WriteAllBytes(_dir.File("b.bin"), b);
        File.WriteAllBytes(_dir.File("c.bin"), c);
        File.WriteAllBytes(_dir.File("d.bin"), d);
        string output = _dir.File("groups.dfu");

        // dfuse-pack starts a new target whenever the alternate setting changes; alt 0 comes back as a third target.
        Run("dfuse-pack", [
            "-D", "0x1209:0x70b1",
            "-b", $"0x08000000@0:{_dir.File("a.bin")}", "-b", $"0x08010000@0:{_dir.File("b.bin")}",
            "-b", $"0x1FFFC000@1:{_dir.File("c.bin")}", "-b", $"0x08020000@0:{_dir.File("d.bin")}", output]);

        DfuFileInfo info = DfuFile.Inspect(File.ReadAllBytes(output));

        info.DfuSeImageSizeConvention.Should().Be(DfuSeImageSizeConvention.IncludesSuffix);
        info.File.Suffix.Should().Be(new DfuSuffix { VendorId = 0x1209, ProductId = 0x70B1, DeviceVersion = 0, DfuVersion = DfuSuffix.DfuSe });
        info.File.DfuSe.Should().Be(new DfuSeImage([
            new DfuSeTarget(0, "ST...", [new DfuSeElement(0x0800_0000, a), new DfuSeElement(0x0801_0000, b)]),
            new DfuSeTarget(1, "ST...", [new DfuSeElement(0x1FFF_C000, c)]),
            new DfuSeTarget(0, "ST...", [new DfuSeElement(0x0802_0000, d)]),
        ]));
    }

    [PeerFact("dfuse-pack")]
    public void Read_DfusePackDefaultAltOption_EveryTargetOnThatAlt()
    {
        byte[] a = DfuTestHelpers.RandomBytes(20, 64);
        File.WriteAllBytes(_dir.File("a.bin"), a);
        string output = _dir.File("alt3.dfu");

        Run("dfuse-pack", ["-a", "3", "-b", $"0x20000000:{_dir.File("a.bin")}", output]);

        DfuFile file = DfuFile.Read(File.ReadAllBytes(output));
        file.Suffix.Should().Be(new DfuSuffix { VendorId = 0x0483, ProductId = 0xDF11, DeviceVersion = 0, DfuVersion = DfuSuffix.DfuSe });
        file.DfuSe.Should().Be(new DfuSeImage([new DfuSeTarget(3, "ST...", [new DfuSeElement(0x2000_0000, a)])]));
    }

    [PeerFact("dfuse-pack", "srec_cat")]
    public void Read_DfusePackIntelHex_OneElementPerContiguousRun()
    {
        byte[] low = DfuTestHelpers.RandomBytes(30, 200);
        byte[] high = DfuTestHelpers.RandomBytes(31, 70);
        File.WriteAllBytes(_dir.File("low.bin"), low);
        File.WriteAllBytes(_dir.File("high.bin"), high);
        string hex = _dir.File("in.hex");
        Run("srec_cat", [
            _dir.File("low.bin"), "-binary", "-offset", "0x08000000",
            _dir.File("high.bin"), "-binary", "-offset", "0x08010000", "-o", hex, "-intel"]);
        string output = _dir.File("hex.dfu");

        Run("dfuse-pack", ["-i", hex, output]);

        DfuFile.Read(File.ReadAllBytes(output)).DfuSe.Should().Be(new DfuSeImage([
            new DfuSeTarget(0, "ST...", [new DfuSeElement(0x0800_0000, low), new DfuSeElement(0x0801_0000, high)]),
        ]));
    }

    public static TheoryData<string> OurFiles => new() { "plain", "ids", "extended", "stellaris", "lpc", "dfuse", "empty" };

    [PeerTheory("dfu-suffix")]
    [MemberData(nameof(OurFiles))]
    public void Check_OurFile_DfuSuffixAcceptsWithSameFields(string kind)
    {
        DfuFile file = OurFile(kind);
        string path = _dir.File(kind + ".dfu");
        byte[] bytes = file.ToArray();
        File.WriteAllBytes(path, bytes);

        PeerResult result = Run("dfu-suffix", ["-c", path]);

        string text = result.StandardOutput;
        HexField(text, "BCD device").Should().Be(file.Suffix!.DeviceVersion);
        HexField(text, "Product ID").Should().Be(file.Suffix.ProductId);
        HexField(text, "Vendor ID").Should().Be(file.Suffix.VendorId);
        HexField(text, "BCD DFU").Should().Be(file.Suffix.DfuVersion);
        HexField(text, "CRC").Should().Be(DfuFile.Inspect(bytes).StoredCrc);
        int.Parse(Field(text, "Length"), CultureInfo.InvariantCulture).Should().Be(file.Suffix.Length);
        if (file.Prefix?.Type == DfuPrefixType.Stellaris)
        {
            HexField(text, "Address").Should().Be(file.Prefix.StellarisAddress);
        }
    }

    [PeerFact("dfuse-pack")]
    public void Dump_OurDfuSeFile_DfusePackListsAndDumpsTheSameElements()
    {
        DfuFile file = OurFile("dfuse");
        string path = _dir.File("ours.dfu");
        byte[] bytes = file.ToArray();
        File.WriteAllBytes(path, bytes);

        PeerResult result = Run("dfuse-pack", ["-d", path]);

        string[] lines = result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Should().NotContain(l => l.Contains("ERROR", StringComparison.Ordinal));
        DfuSeImage image = file.DfuSe!;
        lines.Should().Contain($"b'DfuSe' v1, image size: {bytes.Length - 16}, targets: {image.Targets.Length}");
        var expected = new List<string>();
        for (int t = 0; t < image.Targets.Length; t++)
        {
            DfuSeTarget target = image.Targets[t];
            string name = target.Name is null ? string.Empty : $"b'{target.Name}'";
            long size = target.Elements.Sum(e => 8L + e.Data.Length);
            expected.Add($"b'Target' {t}, alt setting: {target.AlternateSetting}, name: \"{name}\", size: {size}, elements: {target.Elements.Length}");
            for (int e = 0; e < target.Elements.Length; e++)
            {
                DfuSeElement element = target.Elements[e];
                expected.Add($"  {e}, address: 0x{element.Address:x8}, size: {element.Data.Length}");
                File.ReadAllBytes($"{path}.target{t}.image{e}.bin").Should().Equal(element.Data.ToArray());
            }
        }

        lines.Where(l => l.StartsWith("b'Target'", StringComparison.Ordinal) || l.StartsWith("  ", StringComparison.Ordinal) && !l.StartsWith("    ", StringComparison.Ordinal))
            .Should().Equal(expected);
        lines.Should().Contain($"usb: {file.Suffix!.VendorId:x4}:{file.Suffix.ProductId:x4}, device: 0x{file.Suffix.DeviceVersion:x4}, dfu: 0x011a, b'UFD', 16, 0x{DfuFile.Inspect(bytes).StoredCrc:x8}");
    }

    private static DfuFile OurFile(string kind)
    {
        byte[] firmware = DfuTestHelpers.RandomBytes(kind.Length, 2000);
        var ids = new DfuSuffix { VendorId = 0x0483, ProductId = 0xDF11, DeviceVersion = 0x2200, DfuVersion = DfuSuffix.Dfu11 };
        return kind switch
        {
            "plain" => new DfuFile { Firmware = firmware, Suffix = new DfuSuffix() },
            "ids" => new DfuFile { Firmware = firmware, Suffix = ids },
            "extended" => new DfuFile { Firmware = firmware, Suffix = ids with { Extra = new byte[] { 0x4D, 0x44, 1, 2, 3 } } },
            "stellaris" => new DfuFile { Prefix = DfuPrefixes.CreateStellaris(0x2000, firmware.Length), Firmware = firmware, Suffix = new DfuSuffix { VendorId = 0x1CBE, ProductId = 0x00FF } },
            "lpc" => new DfuFile { Prefix = DfuPrefixes.CreateLpc(firmware.Length), Firmware = firmware, Suffix = new DfuSuffix { VendorId = 0x1FC9, ProductId = 0x000C } },
            "empty" => new DfuFile { Suffix = new DfuSuffix() },
            "dfuse" => DfuFile.FromDfuSe(
                new DfuSeImage([
                    new DfuSeTarget(0, "Internal Flash", [new DfuSeElement(0x0800_0000, firmware), new DfuSeElement(0x0800_C000, firmware.AsMemory(0, 3))]),
                    new DfuSeTarget(1, "Option Bytes", [new DfuSeElement(0x1FFF_C000, new byte[16])]),
                    new DfuSeTarget(0, null, [new DfuSeElement(0x0801_0000, ReadOnlyMemory<byte>.Empty)]),
                ]),
                new DfuSuffix { VendorId = 0x0483, ProductId = 0xDF11, DeviceVersion = 0x2200, DfuVersion = DfuSuffix.DfuSe }),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
    }

    private PeerResult Run(string program, string[] arguments)
    {
        PeerResult result = PeerTools.Run(program, arguments, _dir.Path, TimeSpan.FromSeconds(30));
        result.ExitCode.Should().Be(0, result.ToString());
        return result;
    }

    private static string Field(string text, string name)
    {
        Match match = Regex.Match(text, $@"^{Regex.Escape(name)}:\s*(\S+)\s*$", RegexOptions.Multiline);
        match.Success.Should().BeTrue($"dfu-suffix printed no {name} line:\n{text}");
        return match.Groups[1].Value;
    }

    private static uint HexField(string text, string name)
        => uint.Parse(Field(text, name).AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
}
