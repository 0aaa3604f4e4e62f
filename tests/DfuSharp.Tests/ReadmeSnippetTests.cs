using DfuSharp;
using DfuSharp.Formats;
using DfuSharp.LibUsb;
using DfuSharp.Simulation;

namespace DfuSharp.Tests;

/// <summary>
/// The README's library snippets are the code between the snippet markers below, which this project compiles (and,
/// for the simulator, runs): a snippet that stops compiling fails the build, and one edited only in the README fails
/// this test.
/// </summary>
public class ReadmeSnippetTests
{
    [Theory]
    [InlineData("flash")]
    [InlineData("hex")]
    [InlineData("simulate")]
    [InlineData("skip")]
    public void Readme_LibrarySnippet_IsTheCodeCompiledHere(string name)
    {
        string readme = File.ReadAllText(TestPaths.InRepo("README.md"));
        string code = Snippet(File.ReadAllText(TestPaths.InRepo("tests", "DfuSharp.Tests", "ReadmeSnippetTests.cs")), name);

        Normalize(readme).Should().Contain(Normalize(code), $"README.md must show the \"{name}\" snippet exactly as it compiles here");
    }

    [Fact]
    public async Task SimulateSnippet_Runs_FlashesTheSimulatedBoard()
    {
        DownloadResult result = await SimulateAsync();

        result.Verified.Should().BeTrue();
    }

    // snippet: flash
    internal static async Task FlashAsync(CancellationToken cancellationToken)
    {
        using var usb = new LibUsbDeviceProvider();
        await using DfuDevice device = await DfuDevice.OpenAsync(usb, DfuDeviceSelector.Parse("0483:df11"), cancellationToken: cancellationToken);

        DfuFile file = DfuFile.Read(await File.ReadAllBytesAsync("firmware.dfu", cancellationToken));
        var options = new DownloadOptions { Verify = true, Leave = true, Backup = SaveBackupAsync };
        var plan = device.PlanDownload(file, options);     // pure: every step, after the file-vs-device checks
        Console.WriteLine(plan);                           // "DfuSe plan: 4096 bytes in 2 block(s) … leave to 0x08000000"
        DownloadResult result = await device.ExecuteAsync(plan, options.Backup,
            new Progress<DfuProgress>(p => Console.Write($"\r{p.Phase}: {p.Completed}/{p.Total}")),
            cancellationToken);                            // cancelling aborts the device back to dfuIDLE
        Console.WriteLine(result);

        static async ValueTask SaveBackupAsync(DfuFile backup, CancellationToken ct)
            => await File.WriteAllBytesAsync("before.dfu", backup.ToArray(), ct); // every byte the plan erases
    }

    // end snippet

    // snippet: skip
    internal static async Task ReflashAsync(DfuDevice device, DfuFile file, CancellationToken cancellationToken)
    {
        var options = new DownloadOptions { Verify = true, SkipUnchanged = true };
        var plan = await device.PlanDownloadAsync(file, options, cancellationToken: cancellationToken); // reads only
        Console.WriteLine($"{plan.KeptSectors.Length} sector(s) already hold the new content");
        DownloadResult result = await device.ExecuteAsync(plan, cancellationToken: cancellationToken);  // erases and writes the rest
        Console.WriteLine(result);                         // verify still reads back the whole image
    }

    // end snippet

    // snippet: hex
    internal static async Task FlashHexAsync(DfuDevice device, CancellationToken cancellationToken)
    {
        MemoryImage image = IntelHex.Read(await File.ReadAllBytesAsync("app.hex", cancellationToken)).Image;
        await device.DownloadAsync(image, alternateSetting: 0, new DownloadOptions { Verify = true }, cancellationToken: cancellationToken);
    }

    // end snippet

    // snippet: simulate
    internal static async Task<DownloadResult> SimulateAsync()
    {
        var time = new VirtualTimeProvider();
        var bus = new SimulatedUsbBus(time);
        bus.Add("stm32f4");
        await using DfuDevice device = await DfuDevice.OpenFirstAsync(bus, options: new DfuDeviceOptions { TimeProvider = time });
        return await device.DownloadAsync(MemoryImage.FromBytes(0x0800_0000, [1, 2, 3, 4]), options: new DownloadOptions { Verify = true });
    }

    // end snippet

    // The body of the method after "// snippet: NAME", without its braces.
    private static string Snippet(string source, string name)
    {
        int start = source.IndexOf($"// snippet: {name}\n", StringComparison.Ordinal);
        int end = source.IndexOf("// end snippet", start, StringComparison.Ordinal);
        string method = source[start..end];
        int open = method.IndexOf("\n    {\n", StringComparison.Ordinal) + "\n    {\n".Length;
        int close = method.LastIndexOf("\n    }\n", StringComparison.Ordinal);
        return method[open..close];
    }

    private static string Normalize(string text)
        => string.Join('\n', text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0));
}
