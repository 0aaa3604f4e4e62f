using System.CommandLine;
using System.CommandLine.Parsing;

using DfuSharp.Cli.Files;
using DfuSharp.Cli.Infrastructure;

namespace DfuSharp.Cli.Commands;

/// <summary>One input of <c>file pack</c>: a file, its kind, and for a raw binary the address it goes to.</summary>
internal sealed record PackInput(FirmwareKind Kind, string Path, uint Address);

/// <summary>One target of <c>file pack</c>: its alternate setting, name and inputs, in command-line order.</summary>
internal sealed record PackGroup(byte AlternateSetting, string? Name, IReadOnlyList<PackInput> Inputs);

/// <summary>
/// Groups the inputs of <c>file pack</c> into targets. System.CommandLine collects each option's values separately
/// and loses how they interleave, so this walks the parse result's tokens in order: every <c>--alt</c> starts a new
/// target, every <c>--name</c> names the current one, and every input joins the current one.
/// </summary>
internal static class PackPlan
{
    public static IReadOnlyList<PackGroup> FromTokens(ParseResult parse, Option bin, Option hex, Option srec, Option alt, Option name)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var groups = new List<(byte Alt, string? Name, List<PackInput> Inputs)>();
        var current = (Alt: (byte)0, Name: (string?)null, Inputs: new List<PackInput>());
        bool explicitTarget = false;
        Option? pending = null;
        Option[] options = [bin, hex, srec, alt, name];

        foreach (Token token in parse.Tokens)
        {
            if (token.Type == TokenType.Option)
            {
                // Token.Symbol is not public in System.CommandLine 2.0; the token's text names the option.
                pending = Array.Find(options, o => o.Name == token.Value || o.Aliases.Contains(token.Value));
                continue;
            }

            if (token.Type != TokenType.Argument || pending is null)
            {
                continue;
            }

            Option option = pending;
            pending = null;
            string value = token.Value;
            if (option == alt)
            {
                if (!CliNumbers.TryParseByte(value, out byte number))
                {
                    throw CliException.Usage($"--alt: '{value}' is not a number from 0 to 255");
                }

                if (explicitTarget || current.Inputs.Count > 0 || current.Name is not null)
                {
                    groups.Add(current);
                }

                current = (number, null, new List<PackInput>());
                explicitTarget = true;
            }
            else if (option == name)
            {
                if (current.Name is not null)
                {
                    throw CliException.Usage($"--name: target for alternate setting {current.Alt} is already named '{current.Name}'; put --alt between names");
                }

                current.Name = value;
            }
            else if (option == bin)
            {
                current.Inputs.Add(ParseBin(value));
            }
            else if (option == hex)
            {
                current.Inputs.Add(new PackInput(FirmwareKind.Hex, value, 0));
            }
            else if (option == srec)
            {
                current.Inputs.Add(new PackInput(FirmwareKind.Srec, value, 0));
            }
        }

        if (explicitTarget || current.Inputs.Count > 0 || current.Name is not null)
        {
            groups.Add(current);
        }

        if (groups.Sum(g => g.Inputs.Count) == 0)
        {
            throw CliException.Usage("pack needs at least one input: --bin ADDR:FILE, --hex FILE or --srec FILE");
        }

        var empty = groups.FirstOrDefault(g => g.Inputs.Count == 0);
        if (empty.Inputs is not null)
        {
            throw CliException.Usage($"--alt {empty.Alt}: this target has no inputs; put --bin, --hex or --srec after it");
        }

        return groups.Select(g => new PackGroup(g.Alt, g.Name, g.Inputs)).ToArray();
    }

    private static PackInput ParseBin(string value)
    {
        int colon = value.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || colon == value.Length - 1 || !CliNumbers.TryParseUInt32(value[..colon], out uint address))
        {
            throw CliException.Usage($"--bin: '{value}' is not ADDR:FILE (for example 0x08000000:app.bin)");
        }

        return new PackInput(FirmwareKind.Bin, value[(colon + 1)..], address);
    }
}
