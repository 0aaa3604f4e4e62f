using System.Buffers;
using System.Diagnostics;
using System.Globalization;

using DfuSharp.Formats;

namespace DfuSharp.Benchmarks;

/// <summary>
/// Whole processes, as a user runs them, wall time with start-up included, median of N runs after one warm-up, the
/// commands interleaved run by run so that a change in machine load hits them alike:
/// <list type="bullet">
/// <item>hex → DfuSe: <c>dfusharp file convert in.hex out.dfu</c>, JIT and native, against <c>dfuse-pack -i in.hex out.dfu</c>,
/// at each size;</item>
/// <item>start-up: <c>dfusharp file info samples/blinky-stm32f4.dfu</c>, native against JIT.</item>
/// </list>
/// The JIT dfusharp is the output of <c>dotnet build -c Release tools/DfuSharp.Cli</c>; the native one is that of
/// <c>dotnet publish -c Release -r RID tools/DfuSharp.Cli</c>. Either may be left out.
/// Usage: <c>process [--jit PATH] [--native PATH] [--runs N] [--sizes BYTES,BYTES…]</c>.
/// </summary>
internal static class ProcessComparison
{
    private const string Peer = "dfuse-pack -i";

    public static int Run(string[] args)
    {
        string root = FindRepoRoot();
        string executable = OperatingSystem.IsWindows() ? "dfusharp.exe" : "dfusharp";
        var tools = new List<(string Name, string Path)>();
        AddIfPresent(tools, "JIT", Option(args, "--jit") ?? Path.Combine(root, "tools", "DfuSharp.Cli", "bin", "Release", "net10.0", executable));
        AddIfPresent(tools, "native", Option(args, "--native") ?? Path.Combine(root, "tools", "DfuSharp.Cli", "bin", "Release", "net10.0", RuntimeIdentifier(), "publish", executable));
        if (tools.Count == 0)
        {
            Console.Error.WriteLine("No dfusharp found; build it with `dotnet build -c Release tools/DfuSharp.Cli` (JIT) "
                                    + "or `dotnet publish -c Release -r RID tools/DfuSharp.Cli` (native), or pass --jit/--native PATH.");
            return 66;
        }

        int runs = int.Parse(Option(args, "--runs") ?? "7", CultureInfo.InvariantCulture);
        int[] sizes = [.. (Option(args, "--sizes") ?? "1048576,16777216").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture))];
        string dir = Directory.CreateTempSubdirectory("dfusharp-bench-").FullName;
        bool same = true;
        try
        {
            foreach (int size in sizes)
            {
                same &= Convert(tools, dir, size, runs);
            }

            StartUp(tools, Path.Combine(root, "samples", "blinky-stm32f4.dfu"), runs);
            return same ? 0 : 1;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static bool Convert(List<(string Name, string Path)> tools, string dir, int size, int runs)
    {
        string hex = Path.Combine(dir, "in.hex");
        var writer = new ArrayBufferWriter<byte>();
        IntelHex.Write(MemoryImage.FromBytes(BenchmarkData.FlashBase, BenchmarkData.Firmware(size)), writer);
        File.WriteAllBytes(hex, writer.WrittenSpan.ToArray());
        string theirs = Path.Combine(dir, "theirs.dfu");

        var commands = new List<(string Name, Action Run)> { (Peer, () => Exec("dfuse-pack", "-i", hex, theirs)) };
        commands.AddRange(tools.Select(t => ($"dfusharp file convert ({t.Name})", (Action)(() => Exec(t.Path, "file", "convert", hex, Path.Combine(dir, t.Name + ".dfu"))))));
        TimeSpan[] medians = Interleaved(runs, commands);

        Console.WriteLine($"hex -> DfuSe, {size} data bytes ({new FileInfo(hex).Length} bytes of HEX), median of {runs} runs");
        bool same = true;
        byte[] expected = Element(theirs);
        for (int i = 0; i < commands.Count; i++)
        {
            string ratio = i == 0 ? "1.00 (baseline)" : (medians[i] / medians[0]).ToString("F2", CultureInfo.InvariantCulture) + "x the time";
            Console.WriteLine($"  {commands[i].Name,-34} {medians[i].TotalMilliseconds,9:F1} ms   {ratio}");
            if (i > 0)
            {
                same &= Element(Path.Combine(dir, tools[i - 1].Name + ".dfu")).AsSpan().SequenceEqual(expected);
            }
        }

        Console.WriteLine($"  same element data as {Peer}: {same}");
        return same;
    }

    private static void StartUp(List<(string Name, string Path)> tools, string sample, int runs)
    {
        TimeSpan[] medians = Interleaved(runs, [.. tools.Select(t => ($"dfusharp file info ({t.Name})", (Action)(() => Exec(t.Path, "file", "info", sample))))]);
        Console.WriteLine($"start-up: dfusharp file info {Path.GetFileName(sample)}, median of {runs} runs");
        for (int i = 0; i < tools.Count; i++)
        {
            string ratio = i == 0 ? "1.00 (baseline)" : (medians[i] / medians[0]).ToString("F2", CultureInfo.InvariantCulture) + "x the time";
            Console.WriteLine($"  {tools[i].Name,-34} {medians[i].TotalMilliseconds,9:F1} ms   {ratio}");
        }
    }

    private static byte[] Element(string dfu) => DfuFile.Read(File.ReadAllBytes(dfu)).DfuSe!.Targets.Single().Elements.Single().Data.ToArray();

    private static void AddIfPresent(List<(string Name, string Path)> tools, string name, string path)
    {
        if (File.Exists(path))
        {
            tools.Add((name, path));
        }
        else
        {
            Console.Error.WriteLine($"({name} dfusharp not found at {path}; left out)");
        }
    }

    // Runs the commands in turn, run by run; one warm-up each; the median wall time of each.
    private static TimeSpan[] Interleaved(int runs, List<(string Name, Action Run)> commands)
    {
        var times = commands.Select(_ => new List<TimeSpan>()).ToArray();
        foreach ((_, Action run) in commands)
        {
            run();
        }

        for (int r = 0; r < runs; r++)
        {
            for (int i = 0; i < commands.Count; i++)
            {
                long start = Stopwatch.GetTimestamp();
                commands[i].Run();
                times[i].Add(Stopwatch.GetElapsedTime(start));
            }
        }

        return [.. times.Select(Median)];
    }

    private static TimeSpan Median(List<TimeSpan> times)
    {
        times.Sort();
        return times[times.Count / 2];
    }

    private static void Exec(string program, params string[] arguments)
    {
        var psi = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in arguments)
        {
            psi.ArgumentList.Add(argument);
        }

        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {program}");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        _ = stdout.Result;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} exited with {process.ExitCode}: {stderr}");
        }
    }

    private static string RuntimeIdentifier() => System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier;

    internal static string? Option(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    internal static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "DfuSharp.sln")))
            {
                return dir.FullName;
            }
        }

        return Environment.CurrentDirectory;
    }
}
