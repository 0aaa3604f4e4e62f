using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace DfuSharp.Cli.Json;

/// <summary>A <c>--json-lines</c> object: a board entered a phase (<c>"event": "phase"</c>).</summary>
/// <param name="Event">Always <c>phase</c>.</param>
/// <param name="Command">The command: download, upload, erase, detach.</param>
/// <param name="Path">The board's port path.</param>
/// <param name="SerialNumber">The board's serial number, or <see langword="null"/>.</param>
/// <param name="Phase">The phase: detach, erase, write, manifest, verify, read, …</param>
/// <param name="Completed">How much of the phase is done when it starts (usually 0).</param>
/// <param name="Total">How much the phase has to do.</param>
/// <param name="Unit">bytes, sectors or steps.</param>
/// <param name="ElapsedSeconds">The time since the board started.</param>
internal sealed record BoardPhaseJson(
    string Event, string Command, string Path, string? SerialNumber, string Phase, long Completed, long Total, string Unit, double ElapsedSeconds);

/// <summary>The last <c>--json-lines</c> object of a run (<c>"event": "summary"</c>).</summary>
/// <param name="Event">Always <c>summary</c>.</param>
/// <param name="Command">The command.</param>
/// <param name="Succeeded">How many boards succeeded.</param>
/// <param name="Failed">How many boards failed.</param>
/// <param name="ExitCode">The exit code of the process.</param>
/// <param name="ElapsedSeconds">The wall time of the run.</param>
internal sealed record BoardsSummaryJson(string Event, string Command, int Succeeded, int Failed, int ExitCode, double ElapsedSeconds);

/// <summary>The last <c>--json-lines</c> object of a run that failed as a whole (no board, a bad option, a file that
/// cannot be read), before or instead of a summary.</summary>
/// <param name="Event">Always <c>error</c>.</param>
/// <param name="Error">What went wrong.</param>
/// <param name="ExitCode">The exit code of the process.</param>
internal sealed record ErrorLineJson(string Event, string Error, int ExitCode);

/// <summary>
/// Writes the objects of a many-board run: a board is <c>{ "path", "serialNumber", "exitCode", …the single-board result…,
/// "error"? }</c> (the single-board object's properties are copied in, so a board reads like the command's own
/// <c>--json</c> object with its place on the bus in front), and the run is
/// <c>{ "command", "boards": [ … ], "succeeded", "failed", "exitCode", "elapsedSeconds" }</c>.
/// </summary>
internal static class ManyJson
{
    /// <summary>Writes one board as an object.</summary>
    public static void WriteBoard<T>(Utf8JsonWriter writer, string? eventName, string path, string? serialNumber, int exitCode, T? result,
        JsonTypeInfo<T> type, string? error)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        if (eventName is not null)
        {
            writer.WriteString("event", eventName);
        }

        writer.WriteString("path", path);
        writer.WriteString("serialNumber", serialNumber);
        writer.WriteNumber("exitCode", exitCode);
        if (result is not null)
        {
            JsonElement element = JsonSerializer.SerializeToElement(result, type);
            foreach (JsonProperty property in element.EnumerateObject())
            {
                if (property.NameEquals("path") || property.NameEquals("serialNumber") || property.NameEquals("exitCode") || property.NameEquals("error"))
                {
                    continue;
                }

                property.WriteTo(writer);
            }
        }

        if (error is not null)
        {
            writer.WriteString("error", error);
        }

        writer.WriteEndObject();
    }

    /// <summary>Writes a whole object with the CLI's JSON settings (indented for <c>--json</c>, one line for <c>--json-lines</c>).</summary>
    public static string Write(bool indented, Action<Utf8JsonWriter> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = indented, Encoder = CliJson.Context.Options.Encoder }))
        {
            write(writer);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
