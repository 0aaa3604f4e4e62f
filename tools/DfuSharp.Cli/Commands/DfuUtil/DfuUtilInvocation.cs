namespace DfuSharp.Cli.Commands.DfuUtil;

/// <summary>
/// A rig switches from dfu-util to dfusharp by changing the program name: when the executable runs under the name
/// <c>dfu-util</c> (a copy or a hard link named so; the .NET host resolves a symbolic link to the executable's own
/// name), its whole command line is a dfu-util one.
/// </summary>
internal static class DfuUtilInvocation
{
    /// <summary>The program name that makes dfusharp behave as <c>dfusharp dfu-util</c>.</summary>
    public const string ProgramName = "dfu-util";

    /// <summary>Returns the dfusharp arguments for a process started as <paramref name="programPath"/>: the arguments
    /// behind <c>dfu-util</c> when the program is named <c>dfu-util</c> (or <c>dfu-util.exe</c>), else them unchanged.</summary>
    /// <param name="args">The process's arguments, without the program name.</param>
    /// <param name="programPath">How the process was started: <c>argv[0]</c>, or the path of the executable.</param>
    /// <returns>The arguments for <see cref="CliApp.RunAsync(string[], Infrastructure.CliContext, CancellationToken)"/>.</returns>
    public static string[] Arguments(string[] args, string? programPath)
    {
        ArgumentNullException.ThrowIfNull(args);
        // Either separator: a Windows argv[0] seen on any platform still names its program.
        string path = programPath ?? string.Empty;
        string file = path[(path.LastIndexOfAny(['/', '\\']) + 1)..];
        string name = file.EndsWith(".exe", StringComparison.OrdinalIgnoreCase) ? file[..^4] : file;
        return string.Equals(name, ProgramName, StringComparison.OrdinalIgnoreCase) ? [ProgramName, .. args] : args;
    }

    /// <summary>Gets the name the process was started under: <c>argv[0]</c> as the shell passed it (a symbolic link
    /// keeps its own name there), else the executable's path.</summary>
    /// <returns>The program path, or <see langword="null"/> when the runtime does not know it.</returns>
    public static string? CurrentProgramPath()
    {
        string[] commandLine = Environment.GetCommandLineArgs();
        return commandLine.Length > 0 && !commandLine[0].EndsWith(".dll", StringComparison.OrdinalIgnoreCase)
            ? commandLine[0]
            : Environment.ProcessPath;
    }
}
