using System.Globalization;

namespace DfuSharp.Cli.Tests;

/// <summary>
/// Builds samples/FirmwareUpdate and samples/DfuDkTour once (from the sources, as a user would with <c>dotnet run</c>)
/// and runs them against their simulated boards.
/// </summary>
public sealed class SampleBuilds
{
    private readonly Dictionary<string, Lazy<(string? Dll, string Log)>> _builds = new(StringComparer.Ordinal)
    {
        ["FirmwareUpdate"] = new(() => Build("FirmwareUpdate")),
        ["DfuDkTour"] = new(() => Build("DfuDkTour")),
    };

    /// <summary>Gets the built sample's assembly, building it on first use.</summary>
    /// <param name="name">The folder under samples/.</param>
    /// <returns>The path of its .dll.</returns>
    public string Dll(string name)
    {
        (string? dll, string log) = _builds[name].Value;
        dll.Should().NotBeNull($"samples/{name} must build:\n{log}");
        return dll!;
    }

    private static (string? Dll, string Log) Build(string name)
    {
        string configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        PeerResult built = PeerTools.Run(
            "dotnet",
            ["build", TestPaths.InRepo("samples", name, $"{name}.csproj"), "-c", configuration, "--nologo", "-v", "q"],
            timeout: TimeSpan.FromMinutes(5));
        string dll = TestPaths.InRepo("samples", name, "bin", configuration, "net10.0", $"{name}.dll");
        return (built.ExitCode == 0 && File.Exists(dll) ? dll : null, built.ToString());
    }
}

public sealed class RunnableSamplesTests(SampleBuilds builds) : IClassFixture<SampleBuilds>, IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private PeerResult Run(string sample, params string[] arguments)
        => PeerTools.Run("dotnet", [builds.Dll(sample), .. arguments], _dir.Path, TimeSpan.FromMinutes(2));

    [Fact]
    public void FirmwareUpdate_NoArguments_DetachesTheHidBoardAndUpdatesIt()
    {
        PeerResult run = Run("FirmwareUpdate");

        run.ExitCode.Should().Be(0, run.ToString());
        string[] lines = run.StandardOutput.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        lines[0].Should().Be("File:     blinky-stm32f4.dfu: VID 0x0483, PID 0xDF11, version 0xFFFF");
        lines.Should().Contain(l => l.StartsWith("Board:    0483:5750", StringComparison.Ordinal) && l.EndsWith("Runtime mode", StringComparison.Ordinal))
            .And.Contain("Detach:   HID DETACH report (FindAndDetachHID)")
            .And.Contain(l => l.StartsWith("Board:    0483:df11", StringComparison.Ordinal) && l.EndsWith("Dfu mode", StringComparison.Ordinal))
            .And.Contain(l => l.StartsWith("Progress:", StringComparison.Ordinal) && l.Contains("% Download: ", StringComparison.Ordinal))
            .And.Contain(l => l.StartsWith("Progress: 100% Verify: 4096 of 4096 bytes", StringComparison.Ordinal));
        int[] percents = [.. lines.Where(l => l.StartsWith("Progress:", StringComparison.Ordinal)).Select(l => int.Parse(l["Progress:".Length..l.IndexOf('%', StringComparison.Ordinal)], CultureInfo.InvariantCulture))];
        percents.Should().BeInAscendingOrder("the percentage is the whole operation's, which never goes back");
        lines[^1].Should().StartWith("Done:").And.Contain("verified True");
    }

    [Fact]
    public async Task FirmwareUpdate_FileForAnotherBoard_RefusesWithTheDataExitCode()
    {
        string other = _dir.File("other.dfu");
        CliRun pack = await CliRunner.RunAsync("file", "pack", other, "--alt", "0", "--name", "Internal Flash",
            "--bin", "0x08000000:" + TestPaths.InRepo("samples", "blinky-stm32f4.bin"), "--vid", "0x0483", "--pid", "0xdf12");
        pack.ExitCode.Should().Be(0, pack.ToString());

        PeerResult run = Run("FirmwareUpdate", "--file", other);

        run.ExitCode.Should().Be(65, run.ToString());
        run.StandardOutput.Should().Contain("Mismatch: the file is for 0483:df12, the board is 0483:df11")
            .And.NotContain("Progress:");
    }

    [Fact]
    public void DfuDkTour_NoArguments_WalksEveryStep()
    {
        PeerResult run = Run("DfuDkTour");

        run.ExitCode.Should().Be(0, run.ToString());
        string output = run.StandardOutput;
        string[] steps = ["1. Enumerate", "2. Open", "3. Descriptors", "4. Detach", "5. Raw requests", "6. Upgrade with upload", "7. Close", "8. Device changes", "Done"];
        steps.Select(s => output.IndexOf(s, StringComparison.Ordinal)).Should().BeInAscendingOrder().And.NotContain(-1);
        output.Should().Contain("device: bcdUSB 0x0200 class 0/0/0 bMaxPacketSize0 64 idVendor 0x1209 idProduct 0xDF10")
            .And.Contain("languages: 0x0409")
            .And.Contain("interface 0 alt 0: class 0xFE/0x01/0x02 \"@Internal Flash  /0x08000000/04*016Kg,01*064Kg,07*128Kg\"")
            .And.Contain("now 0483:df11")
            .And.Contain("DNLOAD block 0 (Set Address Pointer 0x08000000); GETSTATUS -> OK, dfuDNBUSY")
            .And.Contain("GETSTATUS -> OK, dfuDNLOAD-IDLE")
            .And.Contain("GETSTATUS -> errSTALLEDPKT, dfuERROR")
            .And.Contain("CLRSTATUS; GETSTATE -> dfuIDLE")
            .And.Contain("downloaded blinky-stm32f4.dfu: 4096 bytes, verified True")
            .And.Contain("[device change] Left 1209:df10")
            .And.Contain("[device change] Arrived 0483:df11");
        output.Should().MatchRegex(@"backup: \d+ bytes to ");
    }
}
