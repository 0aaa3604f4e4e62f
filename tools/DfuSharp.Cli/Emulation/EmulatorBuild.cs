using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace DfuSharp.Cli.Emulation;

/// <summary>
/// Finds the C part of the emulator (tools/usb-emulator/usb-emulator.c) and builds it once per source and umockdev
/// version into the user's cache (<c>$XDG_CACHE_HOME/dfusharp/usb-emulator</c>, else <c>~/.cache/…</c>), never into
/// the source tree.
/// </summary>
internal static class EmulatorBuild
{
    /// <summary>The name of the C source, as an embedded resource and in tools/usb-emulator.</summary>
    public const string SourceName = "usb-emulator.c";

    /// <summary>The environment variable naming the C source explicitly.</summary>
    public const string SourceVariable = "DFUSHARP_EMULATOR_SOURCE";

    /// <summary>What a Debian or Ubuntu machine installs to build and run the emulator.</summary>
    public const string DebianPackages = "gcc pkg-config libumockdev-dev umockdev";

    private static readonly string[] s_pkgConfigModules = ["umockdev-1.0", "glib-2.0", "gobject-2.0"];

    private static readonly string[] s_compilerFlags = ["-O2", "-Wall", "-Wextra", "-Werror"];

    private static readonly TimeSpan s_toolTimeout = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Reads the C source: <c>$DFUSHARP_EMULATOR_SOURCE</c> (a checkout's file, edited or not), else the copy in this
    /// assembly, else tools/usb-emulator in the checkout around the CLI.
    /// </summary>
    /// <returns>The source text, or <see langword="null"/> when none is found.</returns>
    public static string? ReadSource()
    {
        if (Environment.GetEnvironmentVariable(SourceVariable) is { Length: > 0 } named)
        {
            return File.Exists(named) ? File.ReadAllText(named) : null;
        }

        using (Stream? embedded = typeof(EmulatorBuild).Assembly.GetManifestResourceStream(SourceName))
        {
            if (embedded is not null)
            {
                using var reader = new StreamReader(embedded, Encoding.UTF8);
                return reader.ReadToEnd();
            }
        }

        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "tools", "usb-emulator", SourceName);
            if (File.Exists(candidate))
            {
                return File.ReadAllText(candidate);
            }
        }

        return null;
    }

    /// <summary>Names the missing build tools, or returns <see langword="null"/> when gcc, pkg-config and umockdev are there.</summary>
    /// <param name="find">Finds a program on PATH.</param>
    /// <returns>A sentence for the user, or <see langword="null"/>.</returns>
    public static string? MissingTools(Func<string, string?> find)
    {
        ArgumentNullException.ThrowIfNull(find);
        var missing = new List<string>();
        if (find("gcc") is null)
        {
            missing.Add("gcc");
        }

        if (find("pkg-config") is not { } pkgConfig)
        {
            missing.Add("pkg-config");
        }
        else if (Run(pkgConfig, ["--exists", .. s_pkgConfigModules]).ExitCode != 0)
        {
            missing.Add("libumockdev-dev (pkg-config finds no umockdev-1.0)");
        }

        return missing.Count == 0
            ? null
            : $"building the USB emulator needs {string.Join(", ", missing)}; Debian and Ubuntu: sudo apt install {DebianPackages}";
    }

    /// <summary>Returns the built emulator, building it first when this source and umockdev have no build yet.</summary>
    /// <param name="source">The C source.</param>
    /// <param name="find">Finds a program on PATH.</param>
    /// <param name="built">Told the path when a new build was made.</param>
    /// <returns>The executable's path.</returns>
    /// <exception cref="InvalidOperationException">The compiler failed; the message holds its output.</exception>
    public static string Ensure(string source, Func<string, string?> find, Action<string> built)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(find);
        ArgumentNullException.ThrowIfNull(built);
        string pkgConfig = find("pkg-config") ?? "pkg-config";
        ToolResult flags = Run(pkgConfig, ["--cflags", "--libs", .. s_pkgConfigModules]);
        ToolResult version = Run(pkgConfig, ["--modversion", "umockdev-1.0"]);
        string key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
            string.Join('\n', source, string.Join(' ', s_compilerFlags), flags.Output, version.Output))))[..16];

        string dir = Path.Combine(CacheRoot(), "usb-emulator", key);
        string executable = Path.Combine(dir, "usb-emulator");
        if (File.Exists(executable))
        {
            return executable;
        }

        Directory.CreateDirectory(dir);
        string unique = $"{Environment.ProcessId}.{Guid.NewGuid():N}";
        string sourceFile = Path.Combine(dir, $"{SourceName}.{unique}");
        string temporary = Path.Combine(dir, $"usb-emulator.{unique}");
        File.WriteAllText(sourceFile, source);
        try
        {
            ToolResult compiled = Run(
                find("gcc") ?? "gcc",
                [.. s_compilerFlags, "-x", "c", "-o", temporary, sourceFile, .. flags.Output.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)]);
            if (compiled.ExitCode != 0)
            {
                throw new InvalidOperationException($"building the USB emulator failed:\n{compiled.Error}");
            }

            // Parallel runs may build at once: each compiles to its own file, and the rename is atomic.
            File.Move(temporary, executable, overwrite: true);
        }
        finally
        {
            File.Delete(sourceFile);
            File.Delete(temporary);
        }

        built(executable);
        return executable;
    }

    /// <summary>
    /// The cache folder of dfusharp, created: <c>$XDG_CACHE_HOME/dfusharp</c>, else <c>~/.cache/dfusharp</c>, else (no
    /// home, or one that cannot be written, as for some CI users) a folder in the temporary folder.
    /// </summary>
    /// <returns>The folder.</returns>
    public static string CacheRoot()
    {
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        string? preferred = Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg && Path.IsPathRooted(xdg)
            ? Path.Combine(xdg, "dfusharp")
            : home.Length > 0 ? Path.Combine(home, ".cache", "dfusharp") : null;
        if (preferred is not null)
        {
            try
            {
                return Directory.CreateDirectory(preferred).FullName;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Fall back to the temporary folder below.
            }
        }

        return Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"dfusharp-{Environment.UserName}")).FullName;
    }

    /// <summary>Runs a build tool to completion within a bounded time.</summary>
    /// <param name="program">The program.</param>
    /// <param name="arguments">Its arguments.</param>
    /// <returns>Its exit code, trimmed standard output and standard error.</returns>
    /// <exception cref="TimeoutException">It did not finish in time (it is killed).</exception>
    private static ToolResult Run(string program, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {program}");
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(s_toolTimeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} did not finish within {s_toolTimeout.TotalMinutes} minutes");
        }

        return new ToolResult(process.ExitCode, output.GetAwaiter().GetResult().Trim(), error.GetAwaiter().GetResult().Trim());
    }

    private sealed record ToolResult(int ExitCode, string Output, string Error);
}
