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
/// Everything a download will do, computed before any I/O: erase set, writes, verification and leave. Built by
/// <see cref="TransferPlanner"/>; shown by <c>--dry-run</c> (see <see cref="ToJson"/>); run by <see cref="DfuDevice"/>.
/// </summary>
public sealed record TransferPlan
{
    /// <summary>Gets the protocol.</summary>
    public required DfuProtocolKind Protocol { get; init; }

    /// <summary>Gets wTransferSize: the largest block.</summary>
    public required int TransferSize { get; init; }

    /// <summary>Gets the steps in order.</summary>
    public required ImmutableArray<TransferStep> Steps { get; init; }

    /// <summary>Gets the data the <see cref="TransferStepKind.Write"/> steps send; not part of the JSON form.</summary>
    [JsonIgnore]
    public ImmutableArray<TransferSegment> Segments { get; init; } = [];

    /// <summary>Gets the number of bytes written.</summary>
    public long WriteBytes => Steps.Where(s => s.Kind == TransferStepKind.Write).Sum(s => (long)s.Length);

    /// <summary>Gets the number of bytes read back to verify.</summary>
    public long VerifyBytes => Steps.Where(s => s.Kind == TransferStepKind.Verify).Sum(s => (long)s.Length);

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

    /// <inheritdoc/>
    public bool Equals(TransferPlan? other)
        => other is not null && Protocol == other.Protocol && TransferSize == other.TransferSize
           && Steps.SequenceEqual(other.Steps) && Segments.SequenceEqual(other.Segments);

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
public sealed partial class DfuJsonContext : JsonSerializerContext;
