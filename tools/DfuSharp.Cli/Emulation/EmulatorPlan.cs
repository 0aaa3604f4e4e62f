using System.Text;
using DfuSharp.Cli.Commands;
using DfuSharp.Simulation;

namespace DfuSharp.Cli.Emulation;

/// <summary>What <c>dfusharp emulate</c> was asked to do.</summary>
/// <param name="Profiles">Simulated profiles, one board each, at ports after the <paramref name="ModelCommands"/> boards.</param>
/// <param name="StateFile">The <c>--sim-state</c> file of the only board, or <see langword="null"/>.</param>
/// <param name="Instant">Drop the profiles' timings.</param>
/// <param name="Faults">Fault specifications for every simulated board.</param>
/// <param name="StatsFile">Where the emulator writes its counters, or <see langword="null"/>.</param>
/// <param name="ModelCommands">Shell commands of other device models, one board each, at the first ports.</param>
/// <param name="Verbose">Log every control transfer to standard error.</param>
/// <param name="Command">The command to run with the boards on its bus, and its arguments.</param>
internal sealed record EmulateRequest(
    IReadOnlyList<string> Profiles,
    string? StateFile,
    bool Instant,
    IReadOnlyList<string> Faults,
    string? StatsFile,
    IReadOnlyList<string> ModelCommands,
    bool Verbose,
    IReadOnlyList<string> Command);

/// <summary>
/// Turns an <see cref="EmulateRequest"/> into the usb-emulator command line: one <c>--model</c> shell command per
/// board (a <c>dfusharp sim serve</c> for each profile), then the command. Pure: no file system, no processes.
/// </summary>
internal static class EmulatorPlan
{
    /// <summary>The boards one emulator serves (usb-emulator.c, MAX_DEVICES).</summary>
    public const int MaxBoards = 8;

    /// <summary>Checks a request before anything is built or started.</summary>
    /// <param name="request">The request.</param>
    /// <returns>A usage error message, or <see langword="null"/> when the request is sound.</returns>
    public static string? Validate(EmulateRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        int boards = request.Profiles.Count + request.ModelCommands.Count;
        if (boards == 0)
        {
            return "needs at least one --profile or --model-cmd.";
        }

        if (boards > MaxBoards)
        {
            return $"serves at most {MaxBoards} boards, not {boards}.";
        }

        if (request.StateFile is not null && boards != 1)
        {
            return "--sim-state needs exactly one board.";
        }

        if (request.Command.Count == 0)
        {
            return "needs a command to run after --.";
        }

        if (request.Profiles.FirstOrDefault(p => !SimulatedProfiles.Names.Contains(p, StringComparer.OrdinalIgnoreCase)) is { } unknown)
        {
            return $"unknown profile \"{unknown}\"; known: {string.Join(", ", SimulatedProfiles.Names)}.";
        }

        foreach (string fault in request.Faults)
        {
            try
            {
                SimFaultSpec.Parse(fault);
            }
            catch (FormatException ex)
            {
                return $"--fault: {ex.Message}";
            }
        }

        return null;
    }

    /// <summary>The device model command of each board, in port order.</summary>
    /// <param name="request">The request.</param>
    /// <param name="cli">How to start this CLI, already quoted for the shell (for example <c>'/usr/bin/dotnet' '/x/DfuSharp.Cli.dll'</c>).</param>
    /// <returns>Shell commands.</returns>
    public static IReadOnlyList<string> Models(EmulateRequest request, string cli)
    {
        ArgumentNullException.ThrowIfNull(request);
        var models = new List<string>(request.ModelCommands);
        foreach (string profile in request.Profiles)
        {
            var model = new StringBuilder($"{cli} sim serve --profile {ShellQuote(profile)} --stdio");
            if (request.StateFile is not null)
            {
                model.Append(" --sim-state ").Append(ShellQuote(request.StateFile));
            }

            foreach (string fault in request.Faults)
            {
                model.Append(" --fault ").Append(ShellQuote(fault));
            }

            if (request.Instant)
            {
                model.Append(" --instant");
            }

            models.Add(model.ToString());
        }

        return models;
    }

    /// <summary>The usb-emulator arguments: options, one <c>--model</c> per board, <c>--</c>, the command.</summary>
    /// <param name="request">The request.</param>
    /// <param name="cli">How to start this CLI, quoted for the shell.</param>
    /// <returns>The arguments.</returns>
    public static IReadOnlyList<string> EmulatorArguments(EmulateRequest request, string cli)
    {
        ArgumentNullException.ThrowIfNull(request);
        var arguments = new List<string>();
        if (request.Verbose)
        {
            arguments.Add("-v");
        }

        if (request.StatsFile is not null)
        {
            arguments.AddRange(["--stats", request.StatsFile]);
        }

        foreach (string model in Models(request, cli))
        {
            arguments.AddRange(["--model", model]);
        }

        arguments.Add("--");
        arguments.AddRange(request.Command);
        return arguments;
    }

    /// <summary>Quotes a word for a POSIX shell: single quotes, each embedded quote as <c>'\''</c>.</summary>
    /// <param name="word">The word.</param>
    /// <returns>The quoted word.</returns>
    public static string ShellQuote(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        return "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
    }
}
