namespace DfuSharp.Formats;

/// <summary>The line terminators of a text firmware file (Intel HEX, S-record).</summary>
[Flags]
public enum LineEndings
{
    /// <summary>No terminated line (an empty file, or a single line without a terminator).</summary>
    None = 0,

    /// <summary>Lines end with LF (0x0A).</summary>
    Lf = 1,

    /// <summary>Lines end with CR LF (0x0D 0x0A).</summary>
    CrLf = 2,
}
