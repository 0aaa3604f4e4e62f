using System.Collections.Immutable;

namespace DfuSharp.Formats;

/// <summary>
/// The body of an ST DfuSe file (UM0391): one or more targets, each for an alternate setting, each holding elements
/// of data at addresses.
/// </summary>
/// <param name="Targets">The targets in file order. Several targets may share one alternate setting.</param>
public sealed record DfuSeImage(ImmutableArray<DfuSeTarget> Targets)
{
    /// <inheritdoc/>
    public bool Equals(DfuSeImage? other) => other is not null && Targets.SequenceEqual(other.Targets);

    /// <inheritdoc/>
    public override int GetHashCode() => Targets.Length;
}

/// <summary>One DfuSe target: the memory behind one alternate setting.</summary>
/// <param name="AlternateSetting">bAlternateSetting.</param>
/// <param name="Name">The target name, or <see langword="null"/> when bTargetNamed is 0. At most 254 characters are stored.</param>
/// <param name="Elements">The elements in file order.</param>
public sealed record DfuSeTarget(byte AlternateSetting, string? Name, ImmutableArray<DfuSeElement> Elements)
{
    /// <inheritdoc/>
    public bool Equals(DfuSeTarget? other)
        => other is not null && AlternateSetting == other.AlternateSetting && Name == other.Name
           && Elements.SequenceEqual(other.Elements);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(AlternateSetting, Name, Elements.Length);
}

/// <summary>One DfuSe element: bytes to place at an address.</summary>
/// <param name="Address">dwElementAddress.</param>
/// <param name="Data">The element's bytes; dwElementSize is their length.</param>
public sealed record DfuSeElement(uint Address, ReadOnlyMemory<byte> Data)
{
    /// <inheritdoc/>
    public bool Equals(DfuSeElement? other)
        => other is not null && Address == other.Address && Data.Span.SequenceEqual(other.Data.Span);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Address, Data.Length);
}
