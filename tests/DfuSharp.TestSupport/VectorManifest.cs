using Xunit;

using System.Text.Json;

namespace DfuSharp.TestSupport;

/// <summary>One file of ../shared/vectors/MANIFEST.json.</summary>
/// <param name="Name">Its path relative to the vectors folder, for example <c>gen/dfuse/two_targets_optbytes.dfu</c>.</param>
/// <param name="Kind"><c>dfu-suffix</c>, <c>dfuse</c>, <c>hex</c>, <c>srec</c>, <c>bin</c> or <c>corrupt</c>.</param>
/// <param name="Expected">The <c>expected</c> facts object.</param>
/// <param name="Expect">The <c>expect</c> object (strict_parser, required_error_codes, ...).</param>
public sealed record VectorEntry(string Name, string Kind, JsonElement Expected, JsonElement Expect)
{
    /// <summary>The file's full path.</summary>
    public string FullPath => TestPaths.Vector(Name);

    /// <summary>The file's bytes.</summary>
    public byte[] ReadBytes() => File.ReadAllBytes(FullPath);

    /// <summary>The <c>expected.format</c> value (dfu, dfuse, hex, srec, bin), or null.</summary>
    public string? Format => Expected.TryGetProperty("format", out var f) ? f.GetString() : null;

    /// <summary>The <c>expect.required_error_codes</c> of a corrupt file.</summary>
    public IReadOnlyList<string> RequiredErrorCodes =>
        Expect.TryGetProperty("required_error_codes", out var codes)
            ? codes.EnumerateArray().Select(c => c.GetString()!).ToArray()
            : [];

    /// <inheritdoc/>
    public override string ToString() => Name;
}

/// <summary>Reads ../shared/vectors/MANIFEST.json.</summary>
public static class VectorManifest
{
    private static readonly Lazy<IReadOnlyList<VectorEntry>> s_entries = new(Load);

    /// <summary>Every entry, or none when the vectors are absent.</summary>
    public static IReadOnlyList<VectorEntry> Entries => s_entries.Value;

    /// <summary>The entry with this name.</summary>
    public static VectorEntry Get(string name) => Entries.Single(e => e.Name == name);

    /// <summary>
    /// Theory data: the names of the entries that satisfy <paramref name="predicate"/>. When the vectors are absent it
    /// holds one placeholder row so that xunit reports the theory as skipped (by a Vectors* attribute), not as empty.
    /// </summary>
    public static TheoryData<string> Names(Func<VectorEntry, bool> predicate)
    {
        var data = new TheoryData<string>();
        if (!TestPaths.VectorsAvailable)
        {
            data.Add("(vectors absent)");
            return data;
        }

        foreach (var e in Entries.Where(predicate))
        {
            data.Add(e.Name);
        }

        return data;
    }

    private static IReadOnlyList<VectorEntry> Load()
    {
        if (!TestPaths.VectorsAvailable)
        {
            return [];
        }

        using var doc = JsonDocument.Parse(File.ReadAllBytes(TestPaths.Vector("MANIFEST.json")));
        return doc.RootElement.GetProperty("files").EnumerateArray()
            .Select(f => new VectorEntry(
                f.GetProperty("name").GetString()!,
                f.GetProperty("kind").GetString()!,
                f.GetProperty("expected").Clone(),
                f.GetProperty("expect").Clone()))
            .ToArray();
    }
}
