using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace DfuSharp.Planning;

/// <summary>Which protocol a plan speaks.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<DfuProtocolKind>))]
public enum DfuProtocolKind
{
    /// <summary>Plain DFU 1.1: numbered blocks, a zero-length end, manifestation.</summary>
    Dfu,

    /// <summary>ST DfuSe (DFU 1.1a, ST AN3156): addressed writes, sector erase, leave.</summary>
    DfuSe,
}

/// <summary>Bytes to place at an address (DfuSe) or at an offset of the firmware (plain DFU) on one alternate setting.</summary>
/// <param name="AlternateSetting">The alternate setting.</param>
/// <param name="Address">The first address or offset.</param>
/// <param name="Data">The bytes.</param>
public sealed record TransferSegment(byte AlternateSetting, uint Address, ReadOnlyMemory<byte> Data)
{
    /// <summary>Gets the address one past the last byte.</summary>
    public ulong End => Address + (ulong)Data.Length;

    /// <inheritdoc/>
    public bool Equals(TransferSegment? other)
        => other is not null && AlternateSetting == other.AlternateSetting && Address == other.Address
           && Data.Span.SequenceEqual(other.Data.Span);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(AlternateSetting, Address, Data.Length);
}

/// <summary>
/// Everything a download will do, computed before any I/O: backup reads, erases, writes, manifestation, resets,
/// verification and leave, each a <see cref="TransferStep"/>. Built by <see cref="TransferPlanner"/>; shown by
/// <c>--dry-run</c> (see <see cref="ToJson"/>); run step by step by <see cref="DfuDevice"/>, which adds nothing.
/// </summary>
public sealed record TransferPlan
{
    /// <summary>Gets the protocol.</summary>
    public required DfuProtocolKind Protocol { get; init; }

    /// <summary>Gets wTransferSize: the largest block.</summary>
    public required int TransferSize { get; init; }

    /// <summary>Gets how GETSTATUS is paced while the device is busy.</summary>
    public DfuPacing Pacing { get; init; } = DfuPacing.Spec;

    /// <summary>Gets a value indicating whether adaptive pacing starts with no wait, because the device is known to
    /// hold GETSTATUS while it is busy (<see cref="DfuQuirk.HoldsStatusWhileBusy"/>).</summary>
    public bool StartsInHold { get; init; }

    /// <summary>Gets how DfuSe writes set the address pointer.</summary>
    public DfuAddressing Addressing { get; init; } = DfuAddressing.PerChunk;

    /// <summary>Gets the steps in order.</summary>
    public required ImmutableArray<TransferStep> Steps { get; init; }

    /// <summary>Gets the data the <see cref="TransferStepKind.Write"/> steps send; not part of the JSON form.</summary>
    [JsonIgnore]
    public ImmutableArray<TransferSegment> Segments { get; init; } = [];

    /// <summary>
    /// Gets the read pass of <see cref="DownloadOptions.SkipUnchanged"/>: one <see cref="TransferStepKind.Check"/> read
    /// per readable sector the steps erase, run before the steps and changing nothing on the device. Empty when the
    /// option is off or there is nothing to check. Its result goes through <see cref="TransferPlanner.ApplyReadBack"/>.
    /// </summary>
    public ImmutableArray<TransferStep> Check { get; init; } = [];

    /// <summary>Gets a value indicating whether the result of <see cref="Check"/> has been applied: the steps no longer
    /// erase or write the sectors found unchanged (they are <see cref="TransferStepKind.Keep"/> steps), and running the
    /// plan does not read them again.</summary>
    public bool ReadBackApplied { get; init; }

    /// <summary>Gets bytes the check pass already read that belong in the backup (the full content of each sector it
    /// read, before anything was erased), so the backup steps do not read them again; not part of the JSON form.</summary>
    [JsonIgnore]
    public ImmutableArray<TransferSegment> BackupData { get; init; } = [];

    /// <summary>Gets the sectors the read-back found unchanged and the plan leaves alone (its
    /// <see cref="TransferStepKind.Keep"/> steps).</summary>
    [JsonIgnore]
    public ImmutableArray<TransferStep> KeptSectors => [.. Steps.Where(s => s.Kind == TransferStepKind.Keep)];

    /// <summary>Gets what the file-versus-device checks noticed without refusing (a bcdDevice that differs).</summary>
    public ImmutableArray<string> Warnings { get; init; } = [];

    /// <summary>Gets the number of bytes written.</summary>
    public long WriteBytes => Steps.Where(s => s.Kind == TransferStepKind.Write).Sum(s => (long)s.Length);

    /// <summary>Gets the number of bytes read back to verify.</summary>
    public long VerifyBytes => Steps.Where(s => s.Kind is TransferStepKind.Verify or TransferStepKind.VerifyFirmware).Sum(s => (long)s.Length);

    /// <summary>Gets the number of bytes read into the backup before anything is erased or written (0 for a plain DFU
    /// backup, whose length only the device knows).</summary>
    public long BackupBytes => Steps.Where(s => s.Kind == TransferStepKind.Backup).Sum(s => (long)s.Length);

    /// <summary>Gets a value indicating whether the plan reads a backup first.</summary>
    public bool HasBackup => !BackupData.IsEmpty || Steps.Any(s => s.Kind is TransferStepKind.Backup or TransferStepKind.BackupFirmware);

    /// <summary>Gets the number of sectors erased (a mass erase counts as one).</summary>
    public int EraseCount => Steps.Count(s => s.Kind is TransferStepKind.Erase or TransferStepKind.MassErase);

    /// <summary>Serializes the plan as JSON (source-generated, trimming and AOT safe).</summary>
    /// <returns>The JSON text.</returns>
    public string ToJson() => JsonSerializer.Serialize(this, DfuJsonContext.Default.TransferPlan);

    /// <summary>Writes the plan as JSON.</summary>
    /// <param name="writer">The writer.</param>
    public void WriteJson(Utf8JsonWriter writer) => JsonSerializer.Serialize(writer, this, DfuJsonContext.Default.TransferPlan);

    /// <summary>Returns the bytes a write or verify step covers.</summary>
    /// <param name="step">A <see cref="TransferStepKind.Write"/> or <see cref="TransferStepKind.Verify"/> step of this plan.</param>
    /// <returns>The bytes.</returns>
    /// <exception cref="ArgumentException">No segment of the plan holds the step's range.</exception>
    public ReadOnlyMemory<byte> GetData(TransferStep step)
    {
        foreach (TransferSegment segment in Segments)
        {
            if (segment.AlternateSetting == step.AlternateSetting && step.Address >= segment.Address
                && step.Address + (ulong)step.Length <= segment.End)
            {
                return segment.Data.Slice((int)(step.Address - segment.Address), step.Length);
            }
        }

        throw new ArgumentException($"The plan holds no data for {step}.", nameof(step));
    }

    /// <summary>Returns a one-line summary: protocol, bytes written and where, erases, backup, verification and the end.</summary>
    /// <returns>The summary.</returns>
    public override string ToString()
    {
        var parts = new List<string> { $"{Protocol} plan: {WriteBytes} bytes in {Steps.Count(s => s.Kind == TransferStepKind.Write)} block(s) of up to {TransferSize}" };
        if (Protocol == DfuProtocolKind.DfuSe && Segments.Length > 0)
        {
            parts[0] += " to " + string.Join(", ", Segments.Select(s => $"alt {s.AlternateSetting} 0x{s.Address:X8}-0x{s.End - 1:X8}"));
        }

        if (HasBackup)
        {
            parts.Add(BackupBytes > 0 ? $"backup {BackupBytes} bytes" : "backup the firmware");
        }

        if (EraseCount > 0)
        {
            parts.Add($"{EraseCount} erase(s)");
        }

        if (!Check.IsEmpty)
        {
            int kept = Steps.Count(s => s.Kind == TransferStepKind.Keep);
            parts.Add(ReadBackApplied
                ? $"skip-unchanged: {kept} sector(s) kept"
                : $"skip-unchanged: read back {Check.Sum(s => (long)s.Length)} bytes first");
        }

        if (VerifyBytes > 0)
        {
            parts.Add($"verify {VerifyBytes} bytes");
        }

        parts.Add($"pacing {PacingName}" + (Protocol == DfuProtocolKind.DfuSe ? $", addressing {(Addressing == DfuAddressing.PerChunk ? "per-chunk" : "address-once")}" : string.Empty));
        parts.Add(Steps.LastOrDefault().Kind switch
        {
            TransferStepKind.DfuSeLeave => $"leave to 0x{Steps[^1].Address:X8}",
            TransferStepKind.UsbReset or TransferStepKind.ResetAfterManifest => "reset",
            _ => "stay in DFU mode",
        });
        return string.Join(", ", parts);
    }

    private string PacingName => Pacing switch
    {
        DfuPacing.Adaptive when StartsInHold => "adaptive (starts in hold)",
        _ => Pacing.ToString().ToLowerInvariant(),
    };

    /// <inheritdoc/>
    public bool Equals(TransferPlan? other)
        => other is not null && Protocol == other.Protocol && TransferSize == other.TransferSize
           && Pacing == other.Pacing && StartsInHold == other.StartsInHold && Addressing == other.Addressing
           && Steps.SequenceEqual(other.Steps) && Segments.SequenceEqual(other.Segments) && Warnings.SequenceEqual(other.Warnings)
           && Check.SequenceEqual(other.Check) && ReadBackApplied == other.ReadBackApplied && BackupData.SequenceEqual(other.BackupData);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Protocol, TransferSize, Steps.Length);
}

/// <summary>The source-generated JSON metadata for DfuSharp's serializable types (trimming and AOT safe).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(TransferPlan))]
[JsonSerializable(typeof(TransferStep))]
[JsonSerializable(typeof(DownloadResult))]
internal sealed partial class DfuJsonContext : JsonSerializerContext;
