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
