using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using DfuSharp.Formats;

namespace DfuSharp.Formats.Tests;

/// <summary>Compares decoded text and binary images with the <c>expected</c> facts of MANIFEST.json.</summary>
internal static partial class MemoryImageExpectedFacts
{
    /// <summary>Errors whose manifest text names no line: the line a strict parser stops at, read off the file.</summary>
    private static readonly Dictionary<string, int> s_knownLines = new()
    {
        // Line 5 writes 0x0110..0x011F again, with opt16.bin's bytes instead of small.bin's (line 1).
        ["corrupt/hex_overlap_conflict.hex"] = 5,

        // The S5 record (line 6) says 1 after four S1 records.
        ["corrupt/srec_count_mismatch.srec"] = 6,
    };

    private static readonly Lazy<Dictionary<string, string[]>> s_sameDataAs = new(LoadSameDataAs);

    /// <summary>The manifest's <c>same_data_as</c> partners of a file.</summary>
    public static IReadOnlyList<string> SameDataAs(string name)
        => s_sameDataAs.Value.TryGetValue(name, out string[]? partners) ? partners : [];

    public static void ShouldHaveSegments(this MemoryImage image, JsonElement expected)
    {
        var actual = image.Segments.Select(s => (Address: (long)s.Address, Size: (long)s.Length, Sha256: Sha256(s.Data.Span))).ToArray();
        var wanted = expected.TryGetProperty("segments", out JsonElement segments)
            ? segments.EnumerateArray().Select(s => (
                Address: s.GetProperty("address").GetInt64(),
                Size: s.GetProperty("size").GetInt64(),
                Sha256: s.GetProperty("sha256").GetString()!)).ToArray()
            : [];
        actual.Should().Equal(wanted);
        image.DataBytes.Should().Be(expected.GetProperty("data_bytes").GetInt64());
    }

    public static string Sha256(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(SHA256.HashData(data));

    public static int[] RecordCounts(JsonElement expected, int types, Func<int, string> key)
    {
        JsonElement counts = expected.GetProperty("record_counts");
        return Enumerable.Range(0, types)
            .Select(t => counts.TryGetProperty(key(t), out JsonElement n) ? n.GetInt32() : 0)
            .ToArray();
    }

    public static LineEndings LineEndings(JsonElement expected) => expected.GetProperty("line_endings").EnumerateArray()
        .Aggregate(Formats.LineEndings.None, (all, e) => all | (e.GetString() == "CRLF" ? Formats.LineEndings.CrLf : Formats.LineEndings.Lf));

    public static DfuFormatError ErrorFor(string code) => code switch
    {
        "record_checksum_mismatch" => DfuFormatError.RecordChecksumMismatch,
        "record_length_mismatch" => DfuFormatError.RecordLengthMismatch,
        "missing_eof_record" => DfuFormatError.MissingEofRecord,
        "overlapping_data" => DfuFormatError.OverlappingData,
        "count_record_mismatch" => DfuFormatError.CountRecordMismatch,
        _ => throw new ArgumentOutOfRangeException(nameof(code), code, "not a text-format error code"),
    };

    /// <summary>The line the required error is reported at: from the manifest's error text, a known line, or after the last line.</summary>
    public static int ExpectedLine(VectorEntry entry, string code, byte[] bytes)
    {
        foreach (JsonElement error in entry.Expected.GetProperty("errors").EnumerateArray())
        {
            string text = error.GetString()!;
            Match match = LinePattern().Match(text);
            if (text.StartsWith(code, StringComparison.Ordinal) && match.Success)
            {
                return int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        if (s_knownLines.TryGetValue(entry.Name, out int line))
        {
            return line;
        }

        // A missing record is reported on the line after the last one.
        int lines = bytes.Count(b => b == (byte)'\n');
        return bytes.Length > 0 && bytes[^1] != (byte)'\n' ? lines + 2 : lines + 1;
    }

    private static Dictionary<string, string[]> LoadSameDataAs()
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(TestPaths.Vector("MANIFEST.json")));
        return doc.RootElement.GetProperty("files").EnumerateArray()
            .Where(f => f.TryGetProperty("same_data_as", out _))
            .ToDictionary(
                f => f.GetProperty("name").GetString()!,
                f => f.GetProperty("same_data_as").EnumerateArray().Select(p => p.GetString()!).ToArray());
    }

    [GeneratedRegex(@"line (\d+)")]
    private static partial Regex LinePattern();
}
