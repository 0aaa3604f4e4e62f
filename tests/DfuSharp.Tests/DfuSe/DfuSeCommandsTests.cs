using DfuSharp.DfuSe;

namespace DfuSharp.Tests.DfuSe;

public class DfuSeCommandsTests
{
    [Fact]
    public void SetAddress_Flash_CommandThenLittleEndianAddress()
        => DfuSeCommands.SetAddress(0x0800_4000).Should().Equal(0x21, 0x00, 0x40, 0x00, 0x08);

    [Fact]
    public void Erase_Page_CommandThenLittleEndianAddress()
        => DfuSeCommands.Erase(0x0802_0000).Should().Equal(0x41, 0x00, 0x00, 0x02, 0x08);

    [Fact]
    public void MassErase_IsEraseCommandAlone() => DfuSeCommands.MassErase().Should().Equal(0x41);

    [Fact]
    public void ReadUnprotect_IsOneByte() => DfuSeCommands.ReadUnprotect().Should().Equal(0x92);

    [Fact]
    public void ParseCommandList_StRom_ListsAllFour()
        => DfuSeCommands.ParseCommandList([0x00, 0x21, 0x41, 0x92]).Should().Equal(
            DfuSeCommand.GetCommands, DfuSeCommand.SetAddress, DfuSeCommand.Erase, DfuSeCommand.ReadUnprotect);

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 0x21, 0x41 })]
    public void ParseCommandList_NotStartingWithGetCommands_ThrowsProtocolException(byte[] reply)
        => FluentActions.Invoking(() => DfuSeCommands.ParseCommandList(reply)).Should().Throw<DfuProtocolException>();
}
