using DfuSharp.Protocol;
using DfuSharp.Tests.Support;

namespace DfuSharp.Tests.Protocol;

public class DfuClientTests
{
    [Fact]
    public async Task GetStatusAsync_Reply_ParsedReport()
    {
        var t = new ScriptedTransport(ScriptedTransport.Dfu11()).Status(DfuState.DfuDnbusy, poll: 0x12345, status: DfuStatus.Ok, stringIndex: 4);
        var client = new DfuClient(t, 0);

        DfuStatusReport report = await client.GetStatusAsync();

        report.Should().Be(new DfuStatusReport(DfuStatus.Ok, 0x12345, DfuState.DfuDnbusy, 4));
        (await client.GetStatusTextAsync(report)).Should().Be("string 4");
        t.Requests.Should().Equal("GETSTATUS");
    }

    [Fact]
    public async Task GetStatusTextAsync_NoString_Null()
        => (await new DfuClient(new ScriptedTransport(ScriptedTransport.Dfu11()), 0)
            .GetStatusTextAsync(new DfuStatusReport(DfuStatus.ErrWrite, 0, DfuState.DfuError, 0))).Should().BeNull();

    [Fact]
    public async Task UploadAsync_DeviceSendsMoreThanAsked_ProtocolException()
    {
        var t = new ScriptedTransport(ScriptedTransport.Dfu11()) { OnUpload = (setup, buffer) => setup.Length + 1 };
        var client = new DfuClient(t, 0);

        await FluentActions.Awaiting(() => client.UploadAsync(0, new byte[8])).Should().ThrowAsync<DfuProtocolException>();
    }

    [Fact]
    public async Task OneRequestPerMethod_NoPolicy()
    {
        var t = new ScriptedTransport(ScriptedTransport.Dfu11());
        var client = new DfuClient(t, 0);

        await client.DetachAsync(500);
        await client.DnloadAsync(3, new byte[10]);
        await client.ClrStatusAsync();
        await client.AbortAsync();

        t.Requests.Should().Equal("DETACH", "DNLOAD 3 len 10", "CLRSTATUS", "ABORT");
    }

    [Fact]
    public async Task DnloadAsync_BlockLongerThanWLength_Throws()
        => await FluentActions.Awaiting(() => new DfuClient(new ScriptedTransport(ScriptedTransport.Dfu11()), 0).DnloadAsync(0, new byte[70_000]))
            .Should().ThrowAsync<ArgumentOutOfRangeException>();
}
