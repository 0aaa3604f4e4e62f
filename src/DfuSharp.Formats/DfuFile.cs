using System.Buffers;
using System.Buffers.Binary;
using DfuSharp.Formats.Internal;
using Layout = DfuSharp.Formats.DfuLayout;

namespace DfuSharp.Formats;

/// <summary>
/// A .dfu file: an optional vendor prefix, the firmware, and the DFU suffix. When the firmware is an ST DfuSe body,
/// <see cref="DfuSe"/> holds its parsed targets.
/// </summary>
/// <remarks>
/// Read a file with <see cref="Read(ReadOnlySpan{byte}, DfuReadOptions?)"/> (or <see cref="Inspect(ReadOnlySpan{byte}, DfuReadOptions?)"/>
/// for the stored CRC and the oddities found), write one with <see cref="Write(IBufferWriter{byte})"/> or
/// <see cref="ToArray"/>, which compute bLength and dwCRC. Build a DfuSe file with <see cref="FromDfuSe"/>.
/// </remarks>
public sealed record DfuFile
{
    /// <summary>Gets the vendor prefix, or <see langword="null"/>.</summary>
    public DfuPrefix? Prefix { get; init; }

    /// <summary>
    /// Gets the bytes sent to a plain DFU device: everything between the prefix and the suffix. For a DfuSe file this
    /// is the whole DfuSe body (prefix, targets, elements).
    /// </summary>
    public ReadOnlyMemory<byte> Firmware { get; init; }

    /// <summary>Gets the suffix, or <see langword="null"/> for a raw file read with a policy that allows it to be absent.</summary>
    public DfuSuffix? Suffix { get; init; }

    /// <summary>Gets the parsed DfuSe body, or <see langword="null"/> for a plain DFU file.</summary>
    public DfuSeImage? DfuSe { get; init; }

    /// <summary>Reads a .dfu file.</summary>
    /// <param name="file">The whole file.</param>
    /// <param name="options">How to read it; <see langword="null"/> for <see cref="DfuReadOptions.Default"/>.</param>
    /// <returns>The file; its memory is a private copy of <paramref name="file"/>.</returns>
    /// <exception cref="DfuFormatException">The file is malformed; <see cref="DfuFormatException.Error"/> says how and <see cref="DfuFormatException.Offset"/> where.</exception>
    public static DfuFile Read(ReadOnlySpan<byte> file, DfuReadOptions? options = null) => Inspect(file, options).File;

    /// <summary>Reads a .dfu file from the current position of a stream to its end.</summary>
    /// <param name="stream">The stream; it is not closed.</param>
    /// <param name="options">How to read it; <see langword="null"/> for <see cref="DfuReadOptions.Default"/>.</param>
    /// <returns>The file.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is <see langword="null"/>.</exception>
    /// <exception cref="DfuFormatException">The file is malformed or larger than an array can hold.</exception>
    /// <exception cref="IOException">The stream cannot be read.</exception>
    public static DfuFile Read(Stream stream, DfuReadOptions? options = null) => Inspect(stream, options).File;

    /// <summary>
    /// Reads a .dfu file and reports what it stores beyond the model: bLength, the stored and computed CRCs, the
    /// DfuSe DFUImageSize convention and the tolerated oddities. With <see cref="DfuReadOptions.VerifyCrc"/> off, a
    /// CRC mismatch is reported through <see cref="DfuFileInfo.CrcValid"/> instead of thrown.
    /// </summary>
    /// <param name="file">The whole file.</param>
    /// <param name="options">How to read it; <see langword="null"/> for <see cref="DfuReadOptions.Default"/>.</param>
    /// <returns>What was found.</returns>
    /// <exception cref="DfuFormatException">The file is malformed.</exception>
    public static DfuFileInfo Inspect(ReadOnlySpan<byte> file, DfuReadOptions? options = null)
        => DfuFileReader.Inspect(file.ToArray(), options ?? DfuReadOptions.Default);

    /// <summary>Reads a .dfu file from the current position of a stream to its end, as <see cref="Inspect(ReadOnlySpan{byte}, DfuReadOptions?)"/> does.</summary>
    /// <param name="stream">The stream; it is not closed.</param>
    /// <param name="options">How to read it; <see langword="null"/> for <see cref="DfuReadOptions.Default"/>.</param>
    /// <returns>What was found.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is <see langword="null"/>.</exception>
    /// <exception cref="DfuFormatException">The file is malformed or larger than an array can hold.</exception>
    /// <exception cref="IOException">The stream cannot be read.</exception>
    public static DfuFileInfo Inspect(Stream stream, DfuReadOptions? options = null)
        => DfuFileReader.Inspect(DfuFileReader.ReadAll(stream), options ?? DfuReadOptions.Default);

    /// <summary>
    /// Creates a DfuSe file: <see cref="Firmware"/> is the canonical encoding of <paramref name="image"/> (see
    /// <see cref="DfuSeCodec"/>) and the suffix, unless given, matches any device with bcdDFU 0x011A.
    /// </summary>
    /// <param name="image">The targets and elements.</param>
    /// <param name="suffix">The suffix; <see langword="null"/> for <c>new DfuSuffix { DfuVersion = DfuSuffix.DfuSe }</c>.</param>
    /// <returns>The file.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="image"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The image cannot be encoded (see <see cref="DfuSeCodec.Write"/>).</exception>
    public static DfuFile FromDfuSe(DfuSeImage image, DfuSuffix? suffix = null)
    {
        long length = DfuSeCodec.GetEncodedLength(image);
        if (length > Array.MaxLength)
        {
            throw new ArgumentException($"A DfuSe body of {length} bytes is too large.", nameof(image));
        }

        var body = new FixedArrayWriter(new byte[length]);
        DfuSeCodec.Write(image, body);
        return new DfuFile
        {
            Firmware = body.GetFilledArray(),
            DfuSe = image,
            Suffix = suffix ?? new DfuSuffix { DfuVersion = DfuSuffix.DfuSe },
        };
    }

    /// <summary>Gets the number of bytes <see cref="Write(IBufferWriter{byte})"/> writes.</summary>
    /// <returns>The file length.</returns>
    /// <exception cref="InvalidOperationException">The file cannot be written (see <see cref="Write(IBufferWriter{byte})"/>).</exception>
    /// <exception cref="ArgumentException">The DfuSe image cannot be encoded (see <see cref="DfuSeCodec.Write"/>).</exception>
    public long GetLength()
    {
        Validate();
        long body = DfuSe is { } image ? DfuSeCodec.GetEncodedLength(image) : (Prefix?.Length ?? 0) + (long)Firmware.Length;
        return body + (Suffix?.Length ?? 0);
    }

    /// <summary>
    /// Writes the file: the prefix, the body and the suffix, with bLength and dwCRC computed. When <see cref="DfuSe"/>
    /// is set the body is its canonical encoding (see <see cref="DfuSeCodec"/>) and <see cref="Firmware"/> is not used;
    /// otherwise the body is <see cref="Firmware"/>. A file without <see cref="Suffix"/> is written without one.
    /// </summary>
    /// <param name="writer">Where the bytes go.</param>
    /// <exception cref="ArgumentNullException"><paramref name="writer"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">
    /// Both <see cref="Prefix"/> and <see cref="DfuSe"/> are set, or the suffix's extra bytes make bLength exceed 255.
    /// </exception>
    /// <exception cref="ArgumentException">The DfuSe image cannot be encoded (see <see cref="DfuSeCodec.Write"/>).</exception>
    public void Write(IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        Validate();
        var tracked = new CrcTrackingWriter(writer);
        if (Prefix is { } prefix)
        {
            tracked.Write(prefix.Bytes.Span);
        }

        if (DfuSe is { } image)
        {
            DfuSeCodec.Write(image, tracked);
        }
        else
        {
            tracked.Write(Firmware.Span);
        }

        if (Suffix is not { } suffix)
        {
            return;
        }

        tracked.Write(suffix.Extra.Span);
        Span<byte> tail = stackalloc byte[Layout.Suffix.Length];
        BinaryPrimitives.WriteUInt16LittleEndian(tail[Layout.Suffix.BcdDevice..], suffix.DeviceVersion);
        BinaryPrimitives.WriteUInt16LittleEndian(tail[Layout.Suffix.IdProduct..], suffix.ProductId);
        BinaryPrimitives.WriteUInt16LittleEndian(tail[Layout.Suffix.IdVendor..], suffix.VendorId);
        BinaryPrimitives.WriteUInt16LittleEndian(tail[Layout.Suffix.BcdDfu..], suffix.DfuVersion);
        Layout.Suffix.SignatureBytes.CopyTo(tail[Layout.Suffix.Signature..]);
        tail[Layout.Suffix.BLength] = (byte)suffix.Length;
        tracked.Write(tail[..Layout.Suffix.DwCrc]);

        // dwCRC covers everything before it (DFU 1.1 Appendix B), so it is the last thing computed and written.
        BinaryPrimitives.WriteUInt32LittleEndian(tail[Layout.Suffix.DwCrc..], tracked.State);
        writer.Write(tail[Layout.Suffix.DwCrc..]);
    }

    /// <summary>Writes the file to a stream, as <see cref="Write(IBufferWriter{byte})"/> does.</summary>
    /// <param name="stream">The stream; it is not closed.</param>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">The file cannot be written (see <see cref="Write(IBufferWriter{byte})"/>).</exception>
    /// <exception cref="ArgumentException">The DfuSe image cannot be encoded (see <see cref="DfuSeCodec.Write"/>).</exception>
    /// <exception cref="IOException">The stream cannot be written.</exception>
    public void Write(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        stream.Write(ToArray());
    }

    /// <summary>Writes the file into a new array, as <see cref="Write(IBufferWriter{byte})"/> does.</summary>
    /// <returns>The file's bytes.</returns>
    /// <exception cref="InvalidOperationException">The file cannot be written (see <see cref="Write(IBufferWriter{byte})"/>).</exception>
    /// <exception cref="ArgumentException">The DfuSe image cannot be encoded (see <see cref="DfuSeCodec.Write"/>).</exception>
    public byte[] ToArray()
    {
        long length = GetLength();
        if (length > Array.MaxLength)
        {
            throw new InvalidOperationException($"A file of {length} bytes is too large for an array.");
        }

        var writer = new FixedArrayWriter(new byte[length]);
        Write(writer);
        return writer.GetFilledArray();
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Two DfuSe files are equal when their prefixes, suffixes and parsed images are, whatever the encoding of their
    /// bodies (DFUImageSize convention, bytes after a name's NUL); plain files compare their firmware byte for byte.
    /// </remarks>
    public bool Equals(DfuFile? other)
        => other is not null && Prefix == other.Prefix && Suffix == other.Suffix && DfuSe == other.DfuSe
           && (DfuSe is not null || Firmware.Span.SequenceEqual(other.Firmware.Span));

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Prefix, Suffix, DfuSe is null ? Firmware.Length : DfuSe.GetHashCode());

    private void Validate()
    {
        if (Prefix is not null && DfuSe is not null)
        {
            throw new InvalidOperationException("A DfuSe file cannot carry an LPC or Stellaris prefix.");
        }

        if (Suffix is { } suffix && suffix.Length > Layout.Suffix.MaxLength)
        {
            throw new InvalidOperationException(
                $"The suffix's {suffix.Extra.Length} extra bytes make bLength {suffix.Length}; at most {Layout.Suffix.MaxLength} fit a byte.");
        }
    }
}
