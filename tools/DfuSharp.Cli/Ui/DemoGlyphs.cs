using System.Text;

using Terminal.Gui.Configuration;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace DfuSharp.Cli.Ui;

/// <summary>
/// The demonstrator's plain-ASCII mode (<c>dfusharp ui --ascii</c>, and by itself when the locale is not UTF-8): every
/// glyph Terminal.Gui draws (lines, corners, check boxes, bars, arrows) becomes a 7-bit character and shadows are off,
/// for terminals and serial consoles without Unicode. Every glyph is named here (no reflection: the CLI is trimmed).
/// </summary>
internal static class DemoGlyphs
{
    private static readonly string[] s_localeVariables = ["LC_ALL", "LC_CTYPE", "LANG"];

    /// <summary>
    /// Whether the terminal's locale is UTF-8, by the POSIX rule: the first of LC_ALL, LC_CTYPE and LANG that is set
    /// decides; none set is the "C" locale, which is ASCII. Windows consoles are taken as Unicode.
    /// </summary>
    public static bool LocaleIsUtf8(Func<string, string?> environment, bool isWindows)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (isWindows)
        {
            return true;
        }

        string? locale = s_localeVariables.Select(environment).FirstOrDefault(v => !string.IsNullOrEmpty(v));
        return locale is not null
            && (locale.Contains("UTF-8", StringComparison.OrdinalIgnoreCase) || locale.Contains("UTF8", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Switches every glyph to ASCII and turns shadows off; disposing the result restores what was there.</summary>
    public static IDisposable UseAscii()
    {
        var restore = new Restore(GlyphSettings.Current, ButtonSettings.Current, WindowSettings.Current, DialogSettings.Current);
        ButtonSettings.Current = ButtonSettings.Current with { DefaultShadow = ShadowStyles.None };
        WindowSettings.Current = WindowSettings.Current with { DefaultShadow = ShadowStyles.None };
        DialogSettings.Current = DialogSettings.Current with { DefaultShadow = ShadowStyles.None };
        GlyphSettings.Current = Ascii();
        return restore;
    }

    private static GlyphSettings Ascii() => GlyphSettings.Current with
    {
            WideGlyphReplacement = new Rune('?'),
            File = new Rune(' '),
            Folder = new Rune('/'),
            HorizontalEllipsis = new Rune('~'),
            VerticalFourDots = new Rune(':'),
            Null = new Rune(' '),
            CheckStateChecked = new Rune('X'),
            CheckStateUnChecked = new Rune('-'),
            CheckStateNone = new Rune('?'),
            Selected = new Rune('*'),
            UnSelected = new Rune(' '),
            RightArrow = new Rune('>'),
            LeftArrow = new Rune('<'),
            DownArrow = new Rune('v'),
            UpArrow = new Rune('^'),
            LeftDefaultIndicator = new Rune('>'),
            RightDefaultIndicator = new Rune('<'),
            LeftBracket = new Rune('['),
            RightBracket = new Rune(']'),
            BlocksMeterSegment = new Rune('#'),
            ContinuousMeterSegment = new Rune('#'),
            Stipple = new Rune('.'),
            Diamond = new Rune('*'),
            Close = new Rune('x'),
            Minimize = new Rune('_'),
            Maximize = new Rune('^'),
            Dot = new Rune('.'),
            DottedSquare = new Rune('.'),
            BlackCircle = new Rune('o'),
            Expand = new Rune('+'),
            Collapse = new Rune('-'),
            IdenticalTo = new Rune('='),
            Move = new Rune('+'),
            SizeHorizontal = new Rune('-'),
            SizeVertical = new Rune('|'),
            SizeTopLeft = new Rune('\\'),
            SizeTopRight = new Rune('/'),
            SizeBottomRight = new Rune('\\'),
            SizeBottomLeft = new Rune('/'),
            Apple = new Rune('@'),
            AppleBMP = new Rune('@'),
            Copy = new Rune('c'),
            HLine = new Rune('-'),
            VLine = new Rune('|'),
            HLineDbl = new Rune('-'),
            VLineDbl = new Rune('|'),
            HLineHvDa2 = new Rune('-'),
            VLineHvDa3 = new Rune('|'),
            HLineHvDa3 = new Rune('-'),
            HLineHvDa4 = new Rune('-'),
            VLineHvDa2 = new Rune('|'),
            VLineHvDa4 = new Rune('|'),
            HLineDa2 = new Rune('-'),
            VLineDa3 = new Rune('|'),
            HLineDa3 = new Rune('-'),
            HLineDa4 = new Rune('-'),
            VLineDa2 = new Rune('|'),
            VLineDa4 = new Rune('|'),
            HLineHv = new Rune('-'),
            VLineHv = new Rune('|'),
            HalfLeftLine = new Rune('-'),
            HalfTopLine = new Rune('|'),
            HalfRightLine = new Rune('-'),
            HalfBottomLine = new Rune('|'),
            HalfLeftLineHv = new Rune('-'),
            HalfTopLineHv = new Rune('|'),
            HalfRightLineHv = new Rune('-'),
            HalfBottomLineLt = new Rune('|'),
            RightSideLineLtHv = new Rune('|'),
            BottomSideLineLtHv = new Rune('-'),
            LeftSideLineHvLt = new Rune('|'),
            TopSideLineHvLt = new Rune('-'),
            ULCorner = new Rune('+'),
            ULCornerDbl = new Rune('+'),
            ULCornerR = new Rune('+'),
            ULCornerHv = new Rune('+'),
            ULCornerHvLt = new Rune('+'),
            ULCornerLtHv = new Rune('+'),
            ULCornerDblSingle = new Rune('+'),
            ULCornerSingleDbl = new Rune('+'),
            LLCorner = new Rune('+'),
            LLCornerHv = new Rune('+'),
            LLCornerHvLt = new Rune('+'),
            LLCornerLtHv = new Rune('+'),
            LLCornerDbl = new Rune('+'),
            LLCornerSingleDbl = new Rune('+'),
            LLCornerDblSingle = new Rune('+'),
            LLCornerR = new Rune('+'),
            URCorner = new Rune('+'),
            URCornerDbl = new Rune('+'),
            URCornerR = new Rune('+'),
            URCornerHv = new Rune('+'),
            URCornerHvLt = new Rune('+'),
            URCornerLtHv = new Rune('+'),
            URCornerDblSingle = new Rune('+'),
            URCornerSingleDbl = new Rune('+'),
            LRCorner = new Rune('+'),
            LRCornerDbl = new Rune('+'),
            LRCornerR = new Rune('+'),
            LRCornerHv = new Rune('+'),
            LRCornerDblSingle = new Rune('+'),
            LRCornerSingleDbl = new Rune('+'),
            LRCornerLtHv = new Rune('+'),
            LRCornerHvLt = new Rune('+'),
            LeftTee = new Rune('+'),
            LeftTeeDblH = new Rune('+'),
            LeftTeeDblV = new Rune('+'),
            LeftTeeDbl = new Rune('+'),
            LeftTeeHvH = new Rune('+'),
            LeftTeeHvV = new Rune('+'),
            LeftTeeHvDblH = new Rune('+'),
            RightTee = new Rune('+'),
            RightTeeDblH = new Rune('+'),
            RightTeeDblV = new Rune('+'),
            RightTeeDbl = new Rune('+'),
            RightTeeHvH = new Rune('+'),
            RightTeeHvV = new Rune('+'),
            RightTeeHvDblH = new Rune('+'),
            TopTee = new Rune('+'),
            TopTeeDblH = new Rune('+'),
            TopTeeDblV = new Rune('+'),
            TopTeeDbl = new Rune('+'),
            TopTeeHvH = new Rune('+'),
            TopTeeHvV = new Rune('+'),
            TopTeeHvDblH = new Rune('+'),
            BottomTee = new Rune('+'),
            BottomTeeDblH = new Rune('+'),
            BottomTeeDblV = new Rune('+'),
            BottomTeeDbl = new Rune('+'),
            BottomTeeHvH = new Rune('+'),
            BottomTeeHvV = new Rune('+'),
            BottomTeeHvDblH = new Rune('+'),
            Cross = new Rune('+'),
            CrossDblH = new Rune('+'),
            CrossDblV = new Rune('+'),
            CrossDbl = new Rune('+'),
            CrossHvH = new Rune('+'),
            CrossHvV = new Rune('+'),
            CrossHv = new Rune('+'),
            ShadowVerticalStart = new Rune(' '),
            ShadowVertical = new Rune(' '),
            ShadowHorizontalStart = new Rune(' '),
            ShadowHorizontal = new Rune(' '),
            ShadowHorizontalEnd = new Rune(' '),
    };

    private sealed class Restore(GlyphSettings glyphs, ButtonSettings button, WindowSettings window, DialogSettings dialog) : IDisposable
    {
        public void Dispose()
        {
            GlyphSettings.Current = glyphs;
            ButtonSettings.Current = button;
            WindowSettings.Current = window;
            DialogSettings.Current = dialog;
        }
    }
}
