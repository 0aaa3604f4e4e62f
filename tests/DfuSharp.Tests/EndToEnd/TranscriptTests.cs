using DfuSharp.Formats;

namespace DfuSharp.Tests.EndToEnd;

/// <summary>
/// Golden request transcripts of a small download on each profile. To refresh them after a deliberate protocol change,
/// run with DFUSHARP_UPDATE_GOLDEN=1 and review the diff.
/// </summary>
public class TranscriptTests
{
    private static readonly byte[] Small = [.. Enumerable.Range(0, 3000).Select(i => (byte)(i * 7))];

    [Theory]
    [InlineData("stm32f4")]
    [InlineData("stm32f1-app")]
    [InlineData("dfu11")]
    [InlineData("runtime")]
    [InlineData("hid-runtime")]
    public async Task DownloadAsync_SmallFile_MatchesGoldenTranscript(string profile)
    {
        var sim = SimHarness.Create(profile);

        // A HID application is a candidate only when the selector names it.
        DfuDeviceSelector? selector = sim.Device.Profile.IsHid ? new DfuDeviceSelector { VendorId = sim.Device.Profile.VendorId } : null;
        await using (DfuDevice device = await sim.OpenAsync(selector))
        {
            var p = sim.Device.Profile.DfuModeProfile is { } dfu && sim.Device.Profile.IsHid ? dfu : sim.Device.Profile;
            DfuFile file = p.IsDfuSe
                ? SimHarness.DfuSeFile(p.VendorId, p.ProductId, 0, profile == "stm32f1-app" ? 0x0800_3000u : 0x0800_0000u, Small)
                : SimHarness.PlainFile(Small);
            await device.DownloadAsync(file, new DownloadOptions { Verify = true, Leave = p.IsDfuSe });
        }

        string actual = sim.Device.Transcript.Render();
        string path = Path.Combine(AppContext.BaseDirectory, "TestData", "Transcripts", $"download-{profile}.txt");
        string source = Path.Combine(SourceDirectory(), "TestData", "Transcripts", $"download-{profile}.txt");
        if (Environment.GetEnvironmentVariable("DFUSHARP_UPDATE_GOLDEN") == "1")
        {
            await File.WriteAllTextAsync(source, actual);
        }

        File.Exists(path).Should().BeTrue($"the golden transcript {path} must exist (create it with DFUSHARP_UPDATE_GOLDEN=1)");
        actual.Should().Be(await File.ReadAllTextAsync(path));
    }

    private static string SourceDirectory([System.Runtime.CompilerServices.CallerFilePath] string file = "")
        => Path.GetDirectoryName(Path.GetDirectoryName(file)!)!;
}
