using Terminal.Gui.App;
using Terminal.Gui.Views;

namespace DfuSharp.Cli.Ui;

/// <summary>The questions the demonstrator asks the user: confirmations and the firmware file. Always called on the UI
/// thread; the tests answer them without a terminal.</summary>
internal interface IDemoPrompts
{
    /// <summary>Asks a yes/no question; <see langword="true"/> for yes.</summary>
    bool Confirm(string title, string message);

    /// <summary>Lets the user pick a file; <see langword="null"/> when cancelled.</summary>
    string? PickFile(string title, string? current);

    /// <summary>Shows the file generator modally; returns the file it wrote, or <see langword="null"/>.</summary>
    string? Generate(DemoGeneratorDialog dialog);
}

/// <summary>The prompts as Terminal.Gui dialogs: <see cref="MessageBox"/>, <see cref="OpenDialog"/> and the generator.</summary>
internal sealed class TerminalPrompts(Func<IApplication?> app) : IDemoPrompts
{
    /// <inheritdoc/>
    public bool Confirm(string title, string message)
        => app() is { } application && MessageBox.Query(application, title, message, "_Yes", "_No") == 0;

    /// <inheritdoc/>
    public string? PickFile(string title, string? current)
    {
        if (app() is not { } application)
        {
            return null;
        }

        using var dialog = new OpenDialog { Title = title, AllowsMultipleSelection = false };
        if (!string.IsNullOrEmpty(current))
        {
            dialog.Path = Path.GetFullPath(current);
        }

        application.Run(dialog);
        return dialog.Canceled ? null : dialog.Path;
    }

    /// <inheritdoc/>
    public string? Generate(DemoGeneratorDialog dialog)
    {
        ArgumentNullException.ThrowIfNull(dialog);
        if (app() is not { } application)
        {
            return null;
        }

        application.Run(dialog);
        return dialog.Written;
    }
}
