using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace DfuSharp.Cli.Json;

/// <summary>The JSON object printed on standard output when a command run with <c>--json</c> fails.</summary>
/// <param name="Error">The file and what is wrong with it.</param>
internal sealed record ErrorJson(string Error);

/// <summary>The <c>file info --json</c> object (issue #2 gives its exact shape).</summary>
internal sealed record FileInfoJson(
    string Kind,
    SuffixJson? Suffix,
    PrefixJson? Prefix,
    IReadOnlyList<TargetJson> Targets,
    IReadOnlyList<SegmentJson> Segments);

/// <summary>The DFU suffix facts.</summary>
internal sealed record SuffixJson(int VendorId, int ProductId, int DeviceVersion, int DfuVersion, int Length, uint Crc, bool CrcValid);

/// <summary>A dfu-util vendor prefix.</summary>
internal sealed record PrefixJson(string Type, int Length);

/// <summary>A DfuSe target.</summary>
internal sealed record TargetJson(int AlternateSetting, string? Name, IReadOnlyList<SegmentJson> Elements);

/// <summary>A run of bytes at an address: a DfuSe element, or a segment of a memory image.</summary>
internal sealed record SegmentJson(uint Address, long Size, string Sha256);

/// <summary>
/// Source-generated serialization for everything the CLI prints as JSON: camelCase names, nulls written out, no
/// reflection (the tool stays trimmable).
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    WriteIndented = true)]
[JsonSerializable(typeof(ErrorJson))]
[JsonSerializable(typeof(FileInfoJson))]
[JsonSerializable(typeof(ListJson))]
[JsonSerializable(typeof(InfoJson))]
[JsonSerializable(typeof(JsonObject))]
[JsonSerializable(typeof(DownloadJson))]
[JsonSerializable(typeof(UploadJson))]
[JsonSerializable(typeof(EraseJson))]
[JsonSerializable(typeof(DeviceActionJson))]
[JsonSerializable(typeof(BoardPhaseJson))]
[JsonSerializable(typeof(BoardsSummaryJson))]
[JsonSerializable(typeof(ErrorLineJson))]
internal sealed partial class CliJsonContext : JsonSerializerContext;

/// <summary>The serializer settings every JSON output uses.</summary>
internal static class CliJson
{
    /// <summary>
    /// Gets the context: that of <see cref="CliJsonContext"/>, with the relaxed encoder so that quotes, apostrophes and
    /// non-ASCII names in messages and target names print as themselves (the output goes to a terminal or a pipe,
    /// never into HTML).
    /// </summary>
    public static CliJsonContext Context { get; } = new(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    /// <summary>Gets the context of <c>--json-lines</c>: the same settings, one object a line.</summary>
    public static CliJsonContext Lines { get; } = new(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        WriteIndented = false,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
