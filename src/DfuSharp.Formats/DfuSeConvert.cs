using System.Collections.Immutable;

namespace DfuSharp.Formats;

/// <summary>Converts between DfuSe targets (ST UM0391) and memory images.</summary>
public static class DfuSeConvert
{
    /// <summary>Longest target name: szTargetName is 255 bytes, NUL-terminated.</summary>
    private const int MaxNameLength = 254;

    /// <summary>Makes a DfuSe target holding one element per segment of the image, in address order.</summary>
    /// <param name="image">The data.</param>
    /// <param name="alternateSetting">bAlternateSetting of the target.</param>
    /// <param name="name">The target name (at most 254 characters), or <see langword="null"/> for an unnamed target.</param>
    /// <returns>The target; its elements share memory with the image.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="image"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is longer than 254 characters.</exception>
    public static DfuSeTarget ToTarget(MemoryImage image, byte alternateSetting, string? name)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (name is { Length: > MaxNameLength })
        {
            throw new ArgumentException($"A DfuSe target name holds at most {MaxNameLength} characters.", nameof(name));
        }

        var elements = ImmutableArray.CreateBuilder<DfuSeElement>(image.Segments.Length);
        foreach (MemorySegment segment in image.Segments)
        {
            elements.Add(new DfuSeElement(segment.Address, segment.Data));
        }

        return new DfuSeTarget(alternateSetting, name, elements.MoveToImmutable());
    }

    /// <summary>Gets the memory image a DfuSe target describes: its elements merged (empty elements add nothing).</summary>
    /// <param name="target">The target.</param>
    /// <returns>The image.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="target"/> is <see langword="null"/>.</exception>
    /// <exception cref="DfuFormatException">
    /// Two elements give one address different bytes (<see cref="DfuFormatError.OverlappingData"/>), or an element runs
    /// past 0xFFFF_FFFF (<see cref="DfuFormatError.AddressOverflow"/>).
    /// </exception>
    public static MemoryImage ToMemoryImage(DfuSeTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        var builder = new MemoryImageBuilder();
        Add(builder, target);
        return builder.ToImage();
    }

    /// <summary>
    /// Gets the memory image of every target of a DfuSe file that has one alternate setting (several targets may share
    /// one), merged.
    /// </summary>
    /// <param name="image">The DfuSe body.</param>
    /// <param name="alternateSetting">The alternate setting whose targets to take.</param>
    /// <returns>The image; empty when no target has that alternate setting.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="image"/> is <see langword="null"/>.</exception>
    /// <exception cref="DfuFormatException">
    /// Two elements give one address different bytes (<see cref="DfuFormatError.OverlappingData"/>), or an element runs
    /// past 0xFFFF_FFFF (<see cref="DfuFormatError.AddressOverflow"/>).
    /// </exception>
    public static MemoryImage ToMemoryImage(DfuSeImage image, byte alternateSetting)
    {
        ArgumentNullException.ThrowIfNull(image);
        var builder = new MemoryImageBuilder();
        foreach (DfuSeTarget target in image.Targets)
        {
            if (target.AlternateSetting == alternateSetting)
            {
                Add(builder, target);
            }
        }

        return builder.ToImage();
    }

    private static void Add(MemoryImageBuilder builder, DfuSeTarget target)
    {
        foreach (DfuSeElement element in target.Elements)
        {
            builder.Write(element.Address, element.Data.Span);
        }
    }
}
