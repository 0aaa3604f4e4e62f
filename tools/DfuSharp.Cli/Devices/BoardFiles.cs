using System.Globalization;
using System.Text;

using DfuSharp.Cli.Infrastructure;
using DfuSharp.Usb;

namespace DfuSharp.Cli.Devices;

/// <summary>
/// The output file of each board in a many-board run (<c>upload FILE</c>, <c>download --backup FILE</c>). The name may
/// hold placeholders: <c>{path}</c> (the port path), <c>{serial}</c> (the serial number, <c>noserial</c> when the board
/// has none) and <c>{n}</c> (the board's place in the run, from 1). A name without a placeholder gets <c>-{path}</c>
/// before its extension when there are several boards (<c>fw.bin</c> → <c>fw-1-1.4.bin</c>); with one board it is used
/// as it is. Characters a file name cannot hold (<c>/</c>, <c>\</c>, <c>:</c> …) become <c>_</c>.
/// </summary>
internal static class BoardFiles
{
    /// <summary>The placeholders a file name may hold.</summary>
    public static readonly string[] Placeholders = ["{path}", "{serial}", "{n}"];

    /// <summary>Names each board's file, by port path.</summary>
    /// <exception cref="CliException">Two boards would get the same file (64): <c>{serial}</c> with boards whose serial
    /// numbers collide (ST ROMs), for example.</exception>
    public static IReadOnlyDictionary<string, string> Name(string option, string template, IReadOnlyList<UsbDeviceInfo> boards)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(boards);
        bool placeholders = Placeholders.Any(p => template.Contains(p, StringComparison.Ordinal));
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        var owners = new Dictionary<string, UsbDeviceInfo>(StringComparer.Ordinal);
        for (int i = 0; i < boards.Count; i++)
        {
            UsbDeviceInfo board = boards[i];
            string name = placeholders ? Fill(template, board, i + 1)
                : boards.Count == 1 ? template
                : Suffixed(template, Safe(board.PortPath));
            string full = Path.GetFullPath(name);
            if (owners.TryGetValue(full, out UsbDeviceInfo? other))
            {
                throw CliException.Usage(
                    $"{option} {template}: boards {BoardProgressLines.BoardName(other)} and {BoardProgressLines.BoardName(board)} would share the file {name}; "
                    + "name it with {path} (serial numbers collide on ST ROMs)");
            }

            owners[full] = board;
            names[board.PortPath] = name;
        }

        return names;
    }

    private static string Fill(string template, UsbDeviceInfo board, int number)
        => template
            .Replace("{path}", Safe(board.PortPath), StringComparison.Ordinal)
            .Replace("{serial}", board.SerialNumber is { Length: > 0 } serial ? Safe(serial) : "noserial", StringComparison.Ordinal)
            .Replace("{n}", number.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);

    private static string Suffixed(string template, string suffix)
    {
        string folder = Path.GetDirectoryName(template) ?? string.Empty;
        string file = Path.GetFileName(template);
        int dot = file.LastIndexOf('.');
        string named = dot > 0 ? $"{file[..dot]}-{suffix}{file[dot..]}" : $"{file}-{suffix}";
        return folder.Length == 0 ? named : Path.Combine(folder, named);
    }

    private static string Safe(string text)
    {
        char[] invalid = Path.GetInvalidFileNameChars();
        var safe = new StringBuilder(text.Length);
        foreach (char c in text)
        {
            safe.Append(c is '/' or '\\' or ':' || invalid.Contains(c) ? '_' : c);
        }

        return safe.Length == 0 ? "unknown" : safe.ToString();
    }
}
