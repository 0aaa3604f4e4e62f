using System.Globalization;

using DfuSharp.Cli.Infrastructure;
using DfuSharp.Formats;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace DfuSharp.Cli.Ui;

/// <summary>
/// The integrated DFU file generator (AN1603's "DFU file manager"): hex, srec and bin inputs become a DfuSe or plain
/// .dfu with VID, PID, bcdDevice, target alternate setting and name, written by <see cref="DemoPack"/> (the code path of
/// <c>dfusharp file pack</c>).
/// </summary>
internal sealed class DemoGeneratorDialog : Dialog
{
    private readonly TextField _inputs;
    private readonly TextField _output;
    private readonly CheckBox _dfuSe;
    private readonly TextField _vid;
    private readonly TextField _pid;
    private readonly TextField _did;
    private readonly TextField _alt;
    private readonly TextField _name;
    private readonly Label _status;

    public DemoGeneratorDialog(ushort vendorId = 0x0483, ushort productId = 0xDF11, ushort deviceVersion = 0)
    {
        Title = "DFU file generator";
        Width = Dim.Percent(80);
        Height = 16;
        var inv = CultureInfo.InvariantCulture;
        Add(new Label { Text = "Inputs (; between): FILE.hex, FILE.srec or ADDR:FILE.bin", X = 0, Y = 0 });
        _inputs = new TextField { X = 0, Y = 1, Width = Dim.Fill() };
        Add(new Label { Text = "Output .dfu:", X = 0, Y = 2 });
        _output = new TextField { Text = "firmware.dfu", X = 13, Y = 2, Width = Dim.Fill() };
        _dfuSe = new CheckBox { Text = "DfuSe (off: plain DFU 1.1 with a suffix)", X = 0, Y = 3, Value = CheckState.Checked };
        Add(new Label { Text = "VID", X = 0, Y = 4 });
        _vid = new TextField { Text = "0x" + vendorId.ToString("X4", inv), X = 4, Y = 4, Width = 8 };
        Add(new Label { Text = "PID", X = 14, Y = 4 });
        _pid = new TextField { Text = "0x" + productId.ToString("X4", inv), X = 18, Y = 4, Width = 8 };
        Add(new Label { Text = "bcdDevice", X = 28, Y = 4 });
        _did = new TextField { Text = "0x" + deviceVersion.ToString("X4", inv), X = 38, Y = 4, Width = 8 };
        Add(new Label { Text = "Target alt", X = 0, Y = 5 });
        _alt = new TextField { Text = "0", X = 11, Y = 5, Width = 5 };
        Add(new Label { Text = "name", X = 18, Y = 5 });
        _name = new TextField { Text = "Internal Flash", X = 23, Y = 5, Width = Dim.Fill() };
        _status = new Label { Text = string.Empty, X = 0, Y = 7, Width = Dim.Fill(), Height = 3 };
        var generate = new Button { Text = "_Write .dfu", X = 0, Y = 10 };
        generate.Accepting += (_, e) =>
        {
            e.Handled = true;
            if (Generate())
            {
                App?.RequestStop();
            }
        };
        var cancel = new Button { Text = "_Close", X = Pos.Right(generate) + 2, Y = 10 };
        cancel.Accepting += (_, e) =>
        {
            e.Handled = true;
            App?.RequestStop();
        };
        Add(_inputs, _output, _dfuSe, _vid, _pid, _did, _alt, _name, _status, generate, cancel);
    }

    /// <summary>Gets the file written, once <see cref="Generate"/> succeeded.</summary>
    public string? Written { get; private set; }

    /// <summary>Gets the dialog's status line (the summary, or why nothing was written).</summary>
    public string StatusText => _status.Text;

    /// <summary>Sets the fields as a user would type them.</summary>
    public void Configure(string inputs, string output, bool dfuSe, string vid, string pid, string did, string alt, string? name)
    {
        _inputs.Text = inputs;
        _output.Text = output;
        _dfuSe.Value = dfuSe ? CheckState.Checked : CheckState.UnChecked;
        _vid.Text = vid;
        _pid.Text = pid;
        _did.Text = did;
        _alt.Text = alt;
        _name.Text = name ?? string.Empty;
    }

    /// <summary>Writes the file; <see langword="true"/> when it was written. Inputs are small files on the local disk,
    /// so the UI thread does it.</summary>
    public bool Generate()
    {
        try
        {
            var request = new PackRequest(
                _inputs.Text, _output.Text, _dfuSe.Value == CheckState.Checked,
                Number16(_vid.Text, "VID"), Number16(_pid.Text, "PID"), Number16(_did.Text, "bcdDevice"),
                CliNumbers.TryParseByte(_alt.Text, out byte alt) ? alt : throw CliException.Usage($"target alt: '{_alt.Text}' is not 0 to 255"),
                _name.Text);
            _status.Text = Task.Run(() => DemoPack.WriteAsync(request, CancellationToken.None)).GetAwaiter().GetResult();
            Written = request.OutputPath;
            return true;
        }
        catch (Exception ex) when (ex is CliException or DfuFormatException or IOException or UnauthorizedAccessException)
        {
            _status.Text = "Not written: " + ex.Message;
            return false;
        }
    }

    private static ushort Number16(string text, string what)
        => CliNumbers.TryParseUInt16(text, out ushort value) ? value : throw CliException.Usage($"{what}: '{text}' is not 0 to 0xFFFF");
}
