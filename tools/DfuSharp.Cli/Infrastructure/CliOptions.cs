using System.CommandLine;
using System.CommandLine.Parsing;

namespace DfuSharp.Cli.Infrastructure;

/// <summary>Factories for the options and arguments several commands share, so that they parse and read the same.</summary>
internal static class CliOptions
{
    /// <summary>The name of the option that switches a command to JSON output; <see cref="CliApp"/> looks for it.</summary>
    public const string JsonName = "--json";

    /// <summary>Creates <c>--json</c>.</summary>
    public static Option<bool> Json() => new(JsonName) { Description = "Print one JSON object on standard output." };

    /// <summary>Creates an option holding a 32-bit number (decimal or 0x hex).</summary>
    public static Option<uint?> UInt32(string name, string description, string helpName = "A")
        => new(name)
        {
            Description = description,
            HelpName = helpName,
            CustomParser = r => Parse<uint>(r, CliNumbers.TryParseUInt32, "a 32-bit number (decimal or 0x hex)"),
        };

    /// <summary>Creates an option holding a 16-bit number (decimal or 0x hex).</summary>
    public static Option<ushort?> UInt16(string name, string description, string helpName = "N")
        => new(name)
        {
            Description = description,
            HelpName = helpName,
            CustomParser = r => Parse<ushort>(r, CliNumbers.TryParseUInt16, "a 16-bit number (decimal or 0x hex)"),
        };

    /// <summary>Creates an option holding an 8-bit number (decimal or 0x hex).</summary>
    public static Option<byte?> Byte(string name, string description, string helpName = "N")
        => new(name)
        {
            Description = description,
            HelpName = helpName,
            CustomParser = r => Parse<byte>(r, CliNumbers.TryParseByte, "a number from 0 to 255"),
        };

    /// <summary>Creates a required file argument.</summary>
    public static Argument<string> File(string name, string description)
        => new(name) { Description = description, Arity = ArgumentArity.ExactlyOne };

    private delegate bool TryParser<T>(string? text, out T value);

    private static T? Parse<T>(ArgumentResult result, TryParser<T> parser, string expected)
        where T : struct
    {
        string? text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : null;
        if (parser(text, out T value))
        {
            return value;
        }

        string option = result.Parent is OptionResult o ? o.Option.Name : result.Argument.Name;
        result.AddError($"{option}: '{text}' is not {expected}");
        return null;
    }
}
