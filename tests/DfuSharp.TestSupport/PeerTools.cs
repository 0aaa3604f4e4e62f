using System.Diagnostics;

namespace DfuSharp.TestSupport;

/// <summary>Finds and runs the reference peer programs (dfu-util's tools, srec_cat, umockdev).</summary>
public static class PeerTools
{
    /// <summary>The full path of a program on PATH, or null.</summary>
    public static string? Find(string program)
    {
        if (OperatingSystem.IsWindows())
        {
            return null;
        }

        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator))
        {
            string candidate = Path.Combine(dir, program);
            if (dir.Length > 0 && File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>Why tests needing these programs are skipped, or null when all are present.</summary>
    public static string? SkipReason(params string[] programs)
    {
        string[] missing = programs.Where(p => Find(p) is null).ToArray();
        return missing.Length == 0
            ? null
            : $"reference peer(s) not installed: {string.Join(", ", missing)} (Debian: bash eng/install-peers.sh)";
    }

    /// <summary>
    /// The Python 3 interpreter that imports <paramref name="module"/> (the system's /usr/bin/python3 first, where
    /// Debian installs python3-* packages, then python3 on PATH), or null.
    /// </summary>
    public static string? FindPython(string module)
    {
        string[] candidates = ["/usr/bin/python3", Find("python3") ?? string.Empty];
        return candidates.Distinct().FirstOrDefault(python => python.Length > 0 && File.Exists(python)
            && Run(python, ["-c", $"import {module}"], timeout: TimeSpan.FromSeconds(30)).ExitCode == 0);
    }

    /// <summary>Why tests needing a Python module are skipped, or null when an interpreter imports it.</summary>
    /// <param name="module">The module, e.g. <c>usb</c> (pyusb).</param>
    /// <param name="package">The Debian package that provides it, e.g. <c>python3-usb</c>.</param>
    public static string? PythonSkipReason(string module, string package)
        => FindPython(module) is null
            ? $"no python3 that imports {module} (Debian: {package}; bash eng/install-peers.sh)"
            : null;

    /// <summary>Runs a program to completion and returns its exit code, standard output and standard error.</summary>
    /// <exception cref="TimeoutException">It did not finish within the timeout (it is killed).</exception>
    public static PeerResult Run(string program, IEnumerable<string> arguments, string? workingDirectory = null,
        TimeSpan? timeout = null, IDictionary<string, string>? environment = null)
    {
        var psi = new ProcessStartInfo(Find(program) ?? program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (string a in arguments)
        {
            psi.ArgumentList.Add(a);
        }

        if (environment is not null)
        {
            foreach (var (k, v) in environment)
            {
                psi.Environment[k] = v;
            }
        }

        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {program}");
        process.StandardInput.Close();
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout ?? TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', psi.ArgumentList)} did not finish");
        }

        return new PeerResult(process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
    }
}

/// <summary>What a peer program did.</summary>
public sealed record PeerResult(int ExitCode, string StandardOutput, string StandardError)
{
    /// <inheritdoc/>
    public override string ToString() => $"exit {ExitCode}\nstdout:\n{StandardOutput}\nstderr:\n{StandardError}";
}
