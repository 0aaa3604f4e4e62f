using System.Globalization;

using DfuSharp.Cli.Infrastructure;

namespace DfuSharp.Cli.Ui;

/// <summary>One range of the erase field: <c>ADDR+LEN</c>, and <c>@ALT</c> when it is not alternate setting 0.</summary>
/// <param name="Address">The first address.</param>
/// <param name="Length">The length in bytes; every sector it touches is erased once.</param>
/// <param name="AlternateSetting">The memory, or <see langword="null"/> for the one in use.</param>
internal readonly record struct EraseRange(uint Address, uint Length, byte? AlternateSetting)
{
    /// <summary>The range as the erase field shows it.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"0x{Address:X8}+{Length}{(AlternateSetting is { } alt and not 0 ? "@" + alt.ToString(CultureInfo.InvariantCulture) : string.Empty)}");

    /// <summary>
    /// Reads the erase field: ranges separated by commas, each <c>ADDR+LEN</c> with an optional <c>@ALT</c>, numbers
    /// decimal or 0x hex as on the command line, LEN with an optional K suffix (KiB).
    /// </summary>
    /// <exception cref="FormatException">A range is not ADDR+LEN[@ALT], or its length is 0.</exception>
    public static IReadOnlyList<EraseRange> ParseList(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ranges = new List<EraseRange>();
        foreach (string part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string body = part;
            byte? alt = null;
            int at = part.IndexOf('@', StringComparison.Ordinal);
            if (at >= 0)
            {
                body = part[..at];
                alt = CliNumbers.TryParseByte(part[(at + 1)..], out byte a) ? a : throw Bad(part);
            }

            int plus = body.IndexOf('+', StringComparison.Ordinal);
            if (plus <= 0 || !CliNumbers.TryParseUInt32(body[..plus], out uint address))
            {
                throw Bad(part);
            }

            string lengthText = body[(plus + 1)..];
            uint scale = 1;
            if (lengthText.EndsWith('K') || lengthText.EndsWith('k'))
            {
                scale = 1024;
                lengthText = lengthText[..^1];
            }

            if (!CliNumbers.TryParseUInt32(lengthText, out uint length) || length == 0 || length > uint.MaxValue / scale)
            {
                throw Bad(part);
            }

            ranges.Add(new EraseRange(address, length * scale, alt));
        }

        return ranges.Count > 0 ? ranges : throw new FormatException("Type ranges to erase (ADDR+LEN, e.g. 0x08000000+16K) or pick sectors in the properties pane (Enter).");
    }

    private static FormatException Bad(string part)
        => new($"'{part}' is not ADDR+LEN[@ALT] (for example 0x08000000+16K or 0x1FFFC000+16@1).");
}
