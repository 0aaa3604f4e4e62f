using System.CommandLine;

namespace DfuSharp.Cli.Infrastructure;

/// <summary>
/// Makes the help the same everywhere: the root is called <c>dfusharp</c> in usage lines, whatever the running assembly
/// is called, and every placeholder is an upper-case name in angle brackets (<c>&lt;FILE&gt;</c>, <c>&lt;ADDRESS&gt;</c>).
/// </summary>
internal static class CliHelp
{
    private static readonly System.Text.RegularExpressions.Regex s_placeholder =
        new("<[a-z][a-z0-9-]*>", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    /// <summary>
    /// Writes what System.CommandLine printed itself (help, version, completions) with the root named
    /// <paramref name="name"/> in its usage lines, and their placeholders in upper case.
    /// </summary>
    /// <remarks>
    /// A <see cref="RootCommand"/> takes the running assembly's name, which cannot be changed: DfuSharp.Cli under the
    /// JIT (the assembly cannot be called dfusharp, which would shadow the DfuSharp library), dfusharp as a native
    /// binary, testhost in tests. Its help layout cannot be customized in System.CommandLine 2.0 (HelpContext is not
    /// public), so the usage lines are corrected after they are written: only they start with two spaces and the root's name.
    /// </remarks>
    public static string NameRoot(string text, string rootName, string name)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(rootName);
        if (rootName == name)
        {
            return text;
        }

        var lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i];
            string prefix = "  " + rootName;
            if (line.StartsWith(prefix, StringComparison.Ordinal)
                && (line.Length == prefix.Length || line[prefix.Length] is ' ' or '\r'))
            {
                lines[i] = "  " + name + line[prefix.Length..];
            }

            if (lines[i].StartsWith("  " + name, StringComparison.Ordinal))
            {
                lines[i] = s_placeholder.Replace(lines[i], m => m.Value.ToUpperInvariant());
            }
        }

        return string.Join('\n', lines);
    }

    /// <summary>
    /// Gives every argument and option value below <paramref name="command"/> an upper-case placeholder
    /// (<c>&lt;FILE&gt;</c>); <see cref="NameRoot"/> does the same for the argument names System.CommandLine puts in
    /// usage lines.
    /// </summary>
    public static void UpperCasePlaceholders(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        foreach (Argument argument in command.Arguments)
        {
            argument.HelpName = (argument.HelpName ?? argument.Name).ToUpperInvariant();
        }

        // An option without a help name would show its own name in lower case (--profile <profile>); one that has
        // one keeps it, as some list literal values (lpc|stellaris).
        foreach (Option option in command.Options)
        {
            if (option.HelpName is null && option.Arity.MaximumNumberOfValues > 0 && option is not System.CommandLine.Help.HelpOption)
            {
                option.HelpName = option.Name.TrimStart('-').ToUpperInvariant();
            }
        }

        foreach (Command subcommand in command.Subcommands)
        {
            UpperCasePlaceholders(subcommand);
        }
    }
}
