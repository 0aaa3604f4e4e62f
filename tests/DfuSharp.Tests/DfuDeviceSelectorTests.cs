using DfuSharp.Usb;

namespace DfuSharp.Tests;

public class DfuDeviceSelectorTests
{
    [Fact]
    public void Parse_VidPid_BothSet()
        => DfuDeviceSelector.Parse("0483:df11").Should().Be(new DfuDeviceSelector { VendorId = 0x0483, ProductId = 0xDF11 });

    [Fact]
    public void Parse_AllKeys_EachSet()
        => DfuDeviceSelector.Parse("0483:*,serial=ABC,path=1-1.4,alt=Internal Flash,intf=0").Should().Be(new DfuDeviceSelector
        {
            VendorId = 0x0483, SerialNumber = "ABC", PortPath = "1-1.4", AlternateName = "Internal Flash", InterfaceNumber = 0,
        });

    [Fact]
    public void Parse_NumericAlt_AlternateSetting()
        => DfuDeviceSelector.Parse("alt=1").AlternateSetting.Should().Be(1);

    [Theory]
    [InlineData("0483")]
    [InlineData("zz:df11")]
    [InlineData("colour=red")]
    [InlineData("intf=300")]
    public void Parse_Malformed_FormatException(string text)
        => FluentActions.Invoking(() => DfuDeviceSelector.Parse(text)).Should().Throw<FormatException>();

    [Fact]
    public void MatchesInterface_LayoutMemoryName_Matches()
    {
        var info = Support.ScriptedTransport.DfuSeF4();
        var selector = new DfuDeviceSelector { AlternateName = "option bytes" };
        info.DfuInterfaces.Where(selector.MatchesInterface).Select(i => i.Setting.Number).Should().Equal((byte)1);
    }
}

public class DfuDeviceSelectorPairTests
{
    private static readonly UsbDeviceInfo s_runtime = Device(0x1209, 0xDF10, mode: 1, "A", "1-1");
    private static readonly UsbDeviceInfo s_dfu = Device(0x1209, 0xDF11, mode: 2, "A", "1-1");

    [Fact]
    public void Parse_TwoPairs_RuntimeAndDfuModeIds()
        => DfuDeviceSelector.Parse("0483:5740,0483:df11").Should().Be(new DfuDeviceSelector
        {
            VendorId = 0x0483, ProductId = 0x5740, DfuVendorId = 0x0483, DfuProductId = 0xDF11, HasDfuModeIds = true,
        });

    [Fact]
    public void Parse_WildcardDfuModePair_AnyIdsInDfuMode()
    {
        DfuDeviceSelector selector = DfuDeviceSelector.Parse("1209:df10,*:*");
        selector.HasDfuModeIds.Should().BeTrue();
        selector.DfuVendorId.Should().BeNull();
        selector.Matches(Device(0xCAFE, 0xBEEF, 2, "A", "1-1"), Dfu(Device(0xCAFE, 0xBEEF, 2, "A", "1-1"))).Should().BeTrue();
    }

    [Fact]
    public void Parse_ThreePairs_FormatException()
        => FluentActions.Invoking(() => DfuDeviceSelector.Parse("1:2,3:4,5:6")).Should().Throw<FormatException>().WithMessage("*two*");

    [Theory]
    [InlineData("0483:df11")]
    [InlineData("*:df11,serial=3276375B3034")]
    [InlineData("1209:df10,1209:df11,path=1-1.4,alt=Internal Flash")]
    [InlineData("0483:*,*:*,intf=0,alt=2")]
    public void ToString_Parse_RoundTrips(string text)
    {
        DfuDeviceSelector selector = DfuDeviceSelector.Parse(text);
        DfuDeviceSelector.Parse(selector.ToString()).Should().Be(selector);
    }

    [Theory]
    [InlineData("1", (byte)1, null)]
    [InlineData(" Option Bytes ", null, "Option Bytes")]
    [InlineData("256", null, "256")]
    public void WithAlternate_NumberOrName_SetsOneClearsTheOther(string text, byte? number, string? name)
    {
        DfuDeviceSelector selector = new DfuDeviceSelector { AlternateSetting = 7, AlternateName = "old" }.WithAlternate(text);
        selector.AlternateSetting.Should().Be(number);
        selector.AlternateName.Should().Be(name);
    }

    [Fact]
    public void WithAlternate_Empty_FormatException()
        => FluentActions.Invoking(() => new DfuDeviceSelector().WithAlternate(" ")).Should().Throw<FormatException>();

    [Fact]
    public void Matches_TwoPairs_RuntimeInterfaceByFirstDfuInterfaceBySecond()
    {
        DfuDeviceSelector selector = DfuDeviceSelector.Parse("1209:df10,1209:df11");
        selector.Matches(s_runtime, Dfu(s_runtime)).Should().BeTrue();
        selector.Matches(s_dfu, Dfu(s_dfu)).Should().BeTrue();
        DfuDeviceSelector.Parse("1209:df11,1209:df10").Matches(s_dfu, Dfu(s_dfu)).Should().BeFalse("a DFU-mode interface must have the DFU-mode ids");
    }

    [Fact]
    public void Matches_OnePair_AppliesToBothModes()
    {
        DfuDeviceSelector selector = DfuDeviceSelector.Parse("1209:df11");
        selector.Matches(s_dfu, Dfu(s_dfu)).Should().BeTrue();
        selector.Matches(s_runtime, Dfu(s_runtime)).Should().BeFalse();
        selector.MatchesDfuModeIds(s_runtime).Should().BeTrue("without a DFU-mode pair, any ids are accepted after a detach");
    }

    [Fact]
    public void MatchesInterface_RuntimeSetting_IgnoresTheAlternateSetting()
    {
        var selector = new DfuDeviceSelector { AlternateName = "Internal Flash", AlternateSetting = 3 };
        selector.MatchesInterface(Dfu(s_runtime)).Should().BeTrue();
        selector.MatchesInterface(Dfu(s_dfu)).Should().BeFalse();
        (selector with { InterfaceNumber = 1 }).MatchesInterface(Dfu(s_runtime)).Should().BeFalse();
    }

    [Fact]
    public void MatchesDevice_SerialAndPath_BothMustMatch()
    {
        DfuDeviceSelector.Parse("serial=A,path=1-1").MatchesDevice(s_dfu).Should().BeTrue();
        DfuDeviceSelector.Parse("serial=A,path=1-2").MatchesDevice(s_dfu).Should().BeFalse();
        DfuDeviceSelector.Parse("serial=a").MatchesDevice(s_dfu).Should().BeFalse("serial numbers compare ordinally");
    }

    [Theory]
    [InlineData("", false)]
    [InlineData("alt=1,intf=0", false)]
    [InlineData("*:df11", true)]
    [InlineData("serial=A", true)]
    [InlineData("path=1-1", true)]
    public void IdentifiesDevice_OnlyIdsSerialOrPath(string text, bool expected)
        => DfuDeviceSelector.Parse(text).IdentifiesDevice().Should().Be(expected);

    private static DfuInterfaceInfo Dfu(UsbDeviceInfo device) => device.DfuInterfaces.Single();

    private static UsbDeviceInfo Device(ushort vid, ushort pid, byte mode, string serial, string path) => new()
    {
        VendorId = vid,
        ProductId = pid,
        SerialNumber = serial,
        PortPath = path,
        Configurations =
        [
            new UsbConfigurationInfo(1, [new UsbInterfaceInfo(0, [new UsbAlternateSettingInfo
            {
                Number = 0, InterfaceClass = 0xFE, InterfaceSubClass = 1, InterfaceProtocol = mode, Name = "Internal Flash",
            }])]),
        ],
    };
}
