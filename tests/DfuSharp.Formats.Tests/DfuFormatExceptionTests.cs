namespace DfuSharp.Formats.Tests;

public sealed class DfuFormatExceptionTests
{
    [Fact]
    public void Message_BinaryDefect_EndsWithTheByteOffset()
        => new DfuFormatException(DfuFormatError.Malformed, "The file has no DFU suffix.", 0).Message
            .Should().Be("The file has no DFU suffix at byte offset 0");

    [Fact]
    public void Message_TextDefect_EndsWithTheLine()
        => new DfuFormatException(DfuFormatError.Malformed, "Bad record checksum.", 1, 0).Message
            .Should().Be("Bad record checksum at line 1");

    [Fact]
    public void Message_NoOffset_IsTheMessage()
        => new DfuFormatException(DfuFormatError.Malformed, "Bad suffix.").Message.Should().Be("Bad suffix.");
}
