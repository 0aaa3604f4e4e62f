using System.Globalization;

namespace DfuSharp.Cli.Infrastructure;

/// <summary>
/// Parses the numbers users type as dfu-util reads them, with C's <c>strtoul(text, NULL, 0)</c>: decimal
/// (<c>4096</c>), hexadecimal with a <c>0x</c> prefix (<c>0x08000000</c>, <c>0x0800_0000</c>), and octal with a leading
/// <c>0</c> (<c>010</c> is 8). A script written for dfu-util means the same address here. A leading zero followed by a
/// digit that is not octal (<c>08</c>, <c>09</c>) is refused, where strtoul would silently stop at it.
/// </summary>
internal static class CliNumbers
{
    /// <summary>Parses an unsigned number no larger than <paramref name="max"/>.</summary>
    public static bool TryParse(string? text, ulong max, out ulong value)
    {
        value = 0;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        string s = text.Trim().Replace("_", string.Empty, StringComparison.Ordinal);
        bool ok = s.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? s.Length > 2 && ulong.TryParse(s.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value)
            : s.Length > 1 && s[0] == '0'
                ? TryParseOctal(s.AsSpan(1), out value)
                : s.Length > 0 && char.IsAsciiDigit(s[0]) && ulong.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out value);
        return ok && value <= max;
    }

    private static bool TryParseOctal(ReadOnlySpan<char> digits, out ulong value)
    {
        value = 0;
        foreach (char c in digits)
        {
            if (c is < '0' or > '7' || value > ulong.MaxValue >> 3)
            {
                return false;
            }

            value = (value << 3) | (uint)(c - '0');
        }

        return true;
    }

    /// <summary>Parses a 32-bit address or size.</summary>
    public static bool TryParseUInt32(string? text, out uint value)
    {
        bool ok = TryParse(text, uint.MaxValue, out ulong v);
        value = (uint)v;
        return ok;
    }

    /// <summary>Parses a 16-bit identifier (VID, PID, bcdDevice, bcdDFU).</summary>
    public static bool TryParseUInt16(string? text, out ushort value)
    {
        bool ok = TryParse(text, ushort.MaxValue, out ulong v);
        value = (ushort)v;
        return ok;
    }

    /// <summary>Parses an 8-bit value (alternate setting).</summary>
    public static bool TryParseByte(string? text, out byte value)
    {
        bool ok = TryParse(text, byte.MaxValue, out ulong v);
        value = (byte)v;
        return ok;
    }
}
