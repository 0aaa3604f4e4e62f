using System.Collections.Immutable;

using DfuSharp.Cli.Infrastructure;

namespace DfuSharp.Cli.Commands.DfuUtil;

/// <summary>What a dfu-util 0.11 command line asks for, as <see cref="DfuUtilArguments.Parse"/> reads it.</summary>
internal sealed record DfuUtilRequest
{
    /// <summary>Gets a value indicating whether <c>-h</c> asked for the usage text.</summary>
    public bool Help { get; init; }

    /// <summary>Gets a value indicating whether <c>-V</c> asked for the version.</summary>
    public bool Version { get; init; }

    /// <summary>Gets a value indicating whether <c>-l</c> asked for the list of DFU interfaces.</summary>
    public bool List { get; init; }

    /// <summary>Gets a value indicating whether <c>-e</c> asked for a detach.</summary>
    public bool Detach { get; init; }

    /// <summary>Gets the <c>-E</c> delay in seconds, the longest wait for the board after a detach.</summary>
    public uint? DetachDelay { get; init; }

    /// <summary>Gets a value indicating whether <c>-R</c> asked for a USB reset at the end.</summary>
    public bool Reset { get; init; }

    /// <summary>Gets a value indicating whether <c>-w</c> asked to wait for the board to appear.</summary>
    public bool Wait { get; init; }

    /// <summary>Gets the <c>-D</c> file.</summary>
    public string? Download { get; init; }

    /// <summary>Gets the <c>-U</c> file.</summary>
    public string? Upload { get; init; }

    /// <summary>Gets the <c>-Z</c> expected upload size in bytes.</summary>
    public uint? UploadSize { get; init; }

    /// <summary>Gets the <c>-d</c> text, <c>VID:PID[,VID:PID]</c>.</summary>
    public string? Device { get; init; }

    /// <summary>Gets the <c>-n</c> device number (the bus address <c>-l</c> shows as devnum).</summary>
    public uint? DeviceNumber { get; init; }

    /// <summary>Gets the <c>-p</c> port path.</summary>
    public string? Path { get; init; }

    /// <summary>Gets the <c>-c</c> configuration value.</summary>
    public byte? Configuration { get; init; }

    /// <summary>Gets the <c>-i</c> interface number.</summary>
    public byte? Interface { get; init; }

    /// <summary>Gets the <c>-a</c> alternate setting, a number or a name.</summary>
    public string? Alternate { get; init; }

    /// <summary>Gets the <c>-S</c> serial numbers: run-time, then DFU mode (the same when one is given).</summary>
    public (string RunTime, string Dfu)? Serial { get; init; }

    /// <summary>Gets the <c>-t</c> transfer size in bytes.</summary>
    public ushort? TransferSize { get; init; }

    /// <summary>Gets what <c>-s</c> asked for.</summary>
    public DfuSeAddressOptions? DfuSe { get; init; }

    /// <summary>Gets a value indicating whether the command line asks for any device operation.</summary>
    public bool HasOperation => List || Detach || Download is not null || Upload is not null || Reset
                                || DfuSe is { Leave: true } or { MassErase: true } or { Unprotect: true };
}

/// <summary>
/// The <c>-s ADDR[:LEN][:leave|:force|:mass-erase|:unprotect|:will-reset]</c> modifiers of dfu-util 0.11.
/// </summary>
/// <param name="Address">The address, or <see langword="null"/> when <c>-s</c> gave only modifiers (<c>-s :leave</c>).</param>
/// <param name="Length">The upload length.</param>
/// <param name="Leave">Leave DFU mode afterwards (jump to the address).</param>
/// <param name="Force">Consent for mass erase and unprotect, and for writes the planner refuses without <c>--force</c>.</param>
/// <param name="MassErase">Erase the whole memory first.</param>
/// <param name="Unprotect">Remove read protection.</param>
/// <param name="WillReset">The device resets after the operation (option bytes).</param>
internal sealed record DfuSeAddressOptions(uint? Address, uint? Length, bool Leave, bool Force, bool MassErase, bool Unprotect, bool WillReset);

/// <summary>
/// Reads a dfu-util 0.11 command line as its getopt_long does: short options cluster (<c>-lw</c>), a value follows its
/// option attached (<c>-a0</c>) or as the next word, long options take <c>--alt 0</c> or <c>--alt=0</c> and may be
/// shortened to any unique prefix, <c>--</c> ends the options, and any other word is an error. Numbers are read as
/// strtoul with base 0 reads them: <c>0x</c> hexadecimal, a leading 0 octal, otherwise decimal; VID and PID are
/// hexadecimal. Every error is a usage error (exit 64), as dfu-util's.
/// </summary>
internal static class DfuUtilArguments
{
    private static readonly ImmutableArray<(string Long, char Short, bool Value)> s_options =
    [
        ("help", 'h', false),
        ("version", 'V', false),
        ("verbose", 'v', false),
        ("list", 'l', false),
        ("detach", 'e', false),
        ("detach-delay", 'E', true),
        ("devnum", 'n', true),
        ("device", 'd', true),
        ("path", 'p', true),
        ("configuration", 'c', true),
        ("cfg", 'c', true),
        ("interface", 'i', true),
        ("intf", 'i', true),
        ("altsetting", 'a', true),
        ("alt", 'a', true),
        ("serial", 'S', true),
        ("transfer-size", 't', true),
        ("upload", 'U', true),
        ("upload-size", 'Z', true),
        ("download", 'D', true),
        ("reset", 'R', false),
        ("dfuse-address", 's', true),
        ("wait", 'w', false),
    ];

    /// <summary>Parses a dfu-util command line (without the program name).</summary>
    /// <param name="args">The words.</param>
    /// <returns>What they ask for.</returns>
    /// <exception cref="CliException">An unknown option, a missing or malformed value, a stray word, or a combination
    /// dfu-util refuses (exit 64).</exception>
    public static DfuUtilRequest Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var request = new DfuUtilRequest();
        for (int i = 0; i < args.Count; i++)
        {
            string word = args[i];
            if (word == "--")
            {
                if (i + 1 < args.Count)
                {
                    throw CliException.Usage($"unexpected argument: {args[i + 1]}");
                }

                break;
            }

            if (word.StartsWith("--", StringComparison.Ordinal))
            {
                int eq = word.IndexOf('=', StringComparison.Ordinal);
                string name = eq < 0 ? word[2..] : word[2..eq];
                (string Long, char Short, bool Value) option = FindLong(name);
                string? value = null;
                if (option.Value)
                {
                    value = eq >= 0 ? word[(eq + 1)..]
                        : i + 1 < args.Count ? args[++i]
                        : throw CliException.Usage($"option '--{option.Long}' requires an argument");
                }
                else if (eq >= 0)
                {
                    throw CliException.Usage($"option '--{option.Long}' doesn't allow an argument");
                }

                request = Apply(request, option.Short, value);
                continue;
            }

            if (word.Length < 2 || word[0] != '-')
            {
                throw CliException.Usage($"unexpected argument: {word}");
            }

            for (int j = 1; j < word.Length; j++)
            {
                char letter = word[j];
                (string Long, char Short, bool Value) option = s_options.FirstOrDefault(o => o.Short == letter);
                if (option.Long is null)
                {
                    throw CliException.Usage($"invalid option -- '{letter}'");
                }

                if (!option.Value)
                {
                    request = Apply(request, letter, null);
                    continue;
                }

                string value = j + 1 < word.Length ? word[(j + 1)..]
                    : i + 1 < args.Count ? args[++i]
                    : throw CliException.Usage($"option requires an argument -- '{letter}'");
                request = Apply(request, letter, value);
                break;
            }
        }

        return Check(request);
    }

    /// <summary>Reads a number as C's <c>strtoul(text, NULL, 0)</c> does, but whole: <c>0x</c> hexadecimal, a leading
    /// 0 octal, otherwise decimal; trailing characters are an error rather than ignored.</summary>
    /// <param name="text">The text.</param>
    /// <param name="value">The number.</param>
    /// <returns><see langword="true"/> when the whole text is a number that fits 32 bits.</returns>
    public static bool TryParseNumber(string? text, out uint value)
    {
        value = 0;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        (string digits, int radix) = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? (text[2..], 16)
            : text.Length > 1 && text[0] == '0' ? (text[1..], 8)
            : (text, 10);
        if (digits.Length == 0)
        {
            return false;
        }

        ulong result = 0;
        foreach (char c in digits)
        {
            int digit = c switch
            {
                >= '0' and <= '9' => c - '0',
                >= 'a' and <= 'f' => c - 'a' + 10,
                >= 'A' and <= 'F' => c - 'A' + 10,
                _ => int.MaxValue,
            };
            if (digit >= radix)
            {
                return false;
            }

            result = (result * (ulong)radix) + (ulong)digit;
            if (result > uint.MaxValue)
            {
                return false;
            }
        }

        value = (uint)result;
        return true;
    }

    /// <summary>Parses the <c>-s</c> text: <c>ADDR[:LEN][:leave|:force|:mass-erase|:unprotect|:will-reset]</c>.</summary>
    /// <param name="text">The text after <c>-s</c>.</param>
    /// <returns>The address and its modifiers.</returns>
    /// <exception cref="CliException">A malformed number or an unknown modifier (exit 64).</exception>
    public static DfuSeAddressOptions ParseDfuSe(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string[] parts = text.Split(':');
        uint? address = null;
        if (parts[0].Length > 0)
        {
            address = TryParseNumber(parts[0], out uint a) ? a : throw CliException.Usage($"-s: invalid address \"{parts[0]}\"");
        }

        var options = new DfuSeAddressOptions(address, null, false, false, false, false, false);
        foreach (string part in parts.Skip(1))
        {
            options = part switch
            {
                "leave" => options with { Leave = true },
                "force" => options with { Force = true },
                "mass-erase" => options with { MassErase = true },
                "unprotect" => options with { Unprotect = true },
                "will-reset" => options with { WillReset = true },
                _ when TryParseNumber(part, out uint length) && options.Length is null => options with { Length = length },
                _ => throw CliException.Usage($"-s: invalid DfuSe modifier \"{part}\"; expected a length, leave, force, mass-erase, unprotect or will-reset"),
            };
        }

        if ((options.MassErase || options.Unprotect) && !options.Force)
        {
            throw CliException.Usage($"-s {text}: {(options.MassErase ? "mass-erase" : "unprotect")} erases the whole device and needs \"force\" too (-s ADDR:{(options.MassErase ? "mass-erase" : "unprotect")}:force)");
        }

        return options;
    }

    private static (string Long, char Short, bool Value) FindLong(string name)
    {
        var exact = s_options.Where(o => o.Long == name).ToList();
        if (exact.Count == 1)
        {
            return exact[0];
        }

        // getopt_long takes a unique prefix; "--conf" is --configuration, "--d" is ambiguous.
        var prefixed = s_options.Where(o => name.Length > 0 && o.Long.StartsWith(name, StringComparison.Ordinal)).ToList();
        return prefixed.Select(o => o.Short).Distinct().Count() switch
        {
            1 => prefixed[0],
            0 => throw CliException.Usage($"unrecognized option '--{name}'"),
            _ => throw CliException.Usage($"option '--{name}' is ambiguous; possibilities: {string.Join(' ', prefixed.Select(o => "--" + o.Long))}"),
        };
    }

    private static DfuUtilRequest Apply(DfuUtilRequest request, char option, string? value) => option switch
    {
        'h' => request with { Help = true },
        'V' => request with { Version = true },
        'v' => throw CliException.Usage("-v (verbose) is not supported: dfusharp dfu-util prints its own progress, not dfu-util's protocol trace"),
        'l' => request with { List = true },
        'e' => request with { Detach = true },
        'E' => request with { DetachDelay = Number(value!, "-E", "a number of seconds") },
        'n' => request with { DeviceNumber = Number(value!, "-n", "a device number") },
        'd' => request with { Device = value },
        'p' => request with { Path = value!.Length > 0 ? value : throw CliException.Usage("-p needs a port path (BUS-PORT.PORT…)") },
        'c' => request with { Configuration = Byte(value!, "-c") },
        'i' => request with { Interface = Byte(value!, "-i") },
        'a' => request with { Alternate = value!.Length > 0 ? value : throw CliException.Usage("-a needs a number or a name") },
        'S' => request with { Serial = SplitSerial(value!) },
        't' => request with { TransferSize = Number(value!, "-t", "a transfer size") is var t and > 0 and <= ushort.MaxValue ? (ushort)t : throw CliException.Usage($"-t: invalid transfer size \"{value}\"; expected 1 to 65535") },
        'U' => request with { Upload = File(value!, "-U") },
        'Z' => request with { UploadSize = Number(value!, "-Z", "a size in bytes") },
        'D' => request with { Download = File(value!, "-D") },
        'R' => request with { Reset = true },
        's' => request with { DfuSe = ParseDfuSe(value!) },
        _ => request with { Wait = true },
    };

    private static DfuUtilRequest Check(DfuUtilRequest request)
    {
        if (request.Download is not null && request.Upload is not null)
        {
            throw CliException.Usage("-D and -U cannot be combined; dfu-util does one of them per run");
        }

        if (request.List && (request.Download is not null || request.Upload is not null || request.Detach))
        {
            throw CliException.Usage("-l lists devices; it cannot be combined with -D, -U or -e");
        }

        if (request.UploadSize is not null && request.Upload is null)
        {
            throw CliException.Usage("-Z applies only to an upload (-U)");
        }

        if (request.DfuSe is { } dfuse)
        {
            if (dfuse.Length is not null && request.Upload is null)
            {
                throw CliException.Usage("-s ADDR:LEN: a length applies only to an upload (-U)");
            }

            if (dfuse.MassErase && request.Upload is not null)
            {
                throw CliException.Usage("-s …:mass-erase cannot be combined with an upload (-U)");
            }

            if (dfuse.Unprotect && (request.Download is not null || request.Upload is not null))
            {
                throw CliException.Usage("-s …:unprotect removes read protection and resets the device; it cannot be combined with -D or -U");
            }

            if (dfuse.WillReset && request.Download is null)
            {
                throw CliException.Usage("-s …:will-reset applies only to a download (-D)");
            }
        }

        return request;
    }

    private static (string, string) SplitSerial(string value)
    {
        int comma = value.IndexOf(',', StringComparison.Ordinal);
        (string runTime, string dfu) = comma < 0 ? (value, value) : (value[..comma], value[(comma + 1)..]);
        return runTime.Length > 0 || dfu.Length > 0 ? (runTime, dfu) : throw CliException.Usage("-S needs a serial number");
    }

    private static string File(string value, string option)
        => value.Length > 0 ? value : throw CliException.Usage($"{option} needs a file name");

    private static uint Number(string value, string option, string what)
        => TryParseNumber(value, out uint number) ? number : throw CliException.Usage($"{option}: \"{value}\" is not {what} (decimal, 0x hexadecimal or 0 octal)");

    private static byte Byte(string value, string option)
        => Number(value, option, "a number from 0 to 255") is var n and <= byte.MaxValue
            ? (byte)n
            : throw CliException.Usage($"{option}: {value} is larger than 255");
}
