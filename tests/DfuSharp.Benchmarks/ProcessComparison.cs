using System.Buffers;
using System.Diagnostics;
using System.Globalization;

using DfuSharp.Formats;

namespace DfuSharp.Benchmarks;

/// <summary>
/// Hex → DfuSe conversion as whole processes, as a user runs them: <c>dfusharp file convert in.hex out.dfu</c> against
/// <c>srec_cat in.hex -intel -offset -ADDR -o x.bin -binary</c> followed by <c>dfuse-pack -b ADDR:x.bin out.dfu</c>,
/// on the same input. Wall time per run (start-up included), median of N runs after one warm-up; prints the ratio.
/// Usage: <c>process [--dfusharp PATH] [--runs N] [--size BYTES]</c>.
/// </summary>
internal static class ProcessComparison
{
    public static int Run(string[] args)
    {
        string dfusharp = Option(args, "--dfusharp") ?? Environment.GetEnvironmentVariable("DFUSHARP_CLI")
            ?? Path.Combine(FindRepoRoot(), "tools", "DfuSharp.Cli", "bin", "Release", "net10.0", OperatingSystem.IsWindows() ? "dfusharp.exe" : "dfusharp");
        int runs = int.Parse(Option(args, "--runs") ?? "10", CultureInfo.InvariantCulture);
        int size = int.Parse(Option(args, "--size") ?? (1024 * 1024).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        if (!File.Exists(dfusharp))
        {
            Console.Error.WriteLine($"dfusharp not found at {dfusharp}; build it with: dotnet build -c Release tools/DfuSharp.Cli");
            return 66;
        }

        string dir = Directory.CreateTempSubdirectory("dfusharp-bench-").FullName;
        try
        {
            string hex = Path.Combine(dir, "in.hex");
            var writer = new ArrayBufferWriter<byte>();
            IntelHex.Write(MemoryImage.FromBytes(BenchmarkData.FlashBase, BenchmarkData.Firmware(size)), writer);
            File.WriteAllBytes(hex, writer.WrittenSpan.ToArray());
            string address = $"0x{BenchmarkData.FlashBase:X8}";

            (TimeSpan ours, TimeSpan theirs) = Interleaved(runs,
                () => Exec(dfusharp, "file", "convert", hex, Path.Combine(dir, "ours.dfu")),
                () =>
                {
                    Exec("srec_cat", hex, "-intel", "-offset", "-" + address, "-o", Path.Combine(dir, "x.bin"), "-binary");
                    Exec("dfuse-pack", "-b", $"{address}:{Path.Combine(dir, "x.bin")}", Path.Combine(dir, "theirs.dfu"));
                });
            (TimeSpan startup, _) = Interleaved(runs, () => Exec(dfusharp, "--help"), () => { });

            var a = DfuFile.Read(File.ReadAllBytes(Path.Combine(dir, "ours.dfu"))).DfuSe!;
            var b = DfuFile.Read(File.ReadAllBytes(Path.Combine(dir, "theirs.dfu"))).DfuSe!;
            bool same = a.Targets.Single().Elements.Single().Data.Span.SequenceEqual(b.Targets.Single().Elements.Single().Data.Span);

            Console.WriteLine($"hex -> DfuSe, {size} data bytes ({new FileInfo(hex).Length} bytes of HEX), median of {runs} runs");
            Console.WriteLine($"  dfusharp file convert:     {ours.TotalMilliseconds,8:F1} ms");
            Console.WriteLine($"  srec_cat + dfuse-pack:     {theirs.TotalMilliseconds,8:F1} ms");
            Console.WriteLine($"  ratio (theirs / ours):     {theirs / ours,8:F2}x");
            Console.WriteLine($"  dfusharp --help (start-up): {startup.TotalMilliseconds,7:F1} ms");
            Console.WriteLine($"  same element data:         {same}");
            return same ? 0 : 1;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    // Alternates the two commands run by run, so that a change in machine load hits both alike; one warm-up each.
    private static (TimeSpan First, TimeSpan Second) Interleaved(int runs, Action first, Action second)
    {
        first();
        second();
        var a = new List<TimeSpan>();
        var b = new List<TimeSpan>();
        for (int i = 0; i < runs; i++)
        {
            a.Add(Time(first));
            b.Add(Time(second));
        }

        return (Median(a), Median(b));
    }

    private static TimeSpan Time(Action action)
    {
        long start = Stopwatch.GetTimestamp();
        action();
        return Stopwatch.GetElapsedTime(start);
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
