using System.Text.Json;

namespace DfuSharp.Cli.Tests;

/// <summary>What one in-process run of dfusharp did.</summary>
internal sealed record CliRun(int ExitCode, string Stdout, string Stderr)
{
    public JsonElement Json()
    {
        using var document = JsonDocument.Parse(Stdout);
        return document.RootElement.Clone();
    }

    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
}

/// <summary>Runs dfusharp in process through <see cref="CliApp.RunAsync"/>.</summary>
internal static class CliRunner
{
    public static async Task<CliRun> RunAsync(params string[] args) => await RunAsync(CancellationToken.None, args);

    public static async Task<CliRun> RunAsync(CancellationToken cancellationToken, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int code = await CliApp.RunAsync(args, stdout, stderr, cancellationToken);
        return new CliRun(code, stdout.ToString(), stderr.ToString());
    }
}

/// <summary>A temporary folder, deleted on dispose.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "dfusharp-cli-" + Guid.NewGuid().ToString("N"));

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public string Copy(string source, string? name = null)
    {
        string target = File(name ?? System.IO.Path.GetFileName(source));
        System.IO.File.Copy(source, target);
        return target;
    }

    public string Write(string name, byte[] content)
    {
        string target = File(name);
        System.IO.File.WriteAllBytes(target, content);
        return target;
    }

    /// <summary>Files left in the folder, temporary ones included.</summary>
    public string[] Entries() => Directory.GetFiles(Path).Select(System.IO.Path.GetFileName).ToArray()!;

    public void Dispose() => Directory.Delete(Path, recursive: true);
}

/// <summary>A fact that needs Linux (its /proc files provoke I/O errors no portable file can).</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class LinuxFactAttribute : FactAttribute
{
    public LinuxFactAttribute()
    {
        if (!OperatingSystem.IsLinux())
        {
            Skip = "needs Linux (/proc/self/mem, /dev/zero)";
        }
    }
}
