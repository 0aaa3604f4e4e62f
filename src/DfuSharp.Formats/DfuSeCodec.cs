using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Text;
using Layout = DfuSharp.Formats.DfuLayout;

namespace DfuSharp.Formats;

/// <summary>
/// Reads and writes the body of an ST DfuSe file (ST UM0391): the DfuSe prefix, the target prefixes and the image
/// elements, without the DFU suffix. <see cref="DfuFile"/> uses it for files whose body starts with "DfuSe".
/// </summary>
/// <remarks>
/// <para>
/// <b>Reading is lenient where the tools in the wild disagree</b> and strict wherever data would otherwise be misread:
/// DFUImageSize may count the suffix (dfuse-pack) or not (ST's tools, micropython's dfu.py, fwupd); a target name
/// stops at its first NUL whatever follows it; bTargetNamed is a u32 and 0 means "no name" even when the field holds
/// text; several targets may share an alternate setting; elements may be empty. A wrong bVersion, a DFUImageSize
/// that matches neither convention, a dwTargetSize that differs from its elements, a count that promises more than
/// the bytes hold, and bytes left over after the last target are errors.
/// </para>
/// <para>
/// <b>Writing produces one canonical form</b>, the one ST's own DfuSe tools (DfuFileMgr, hex2dfu) write:
/// DFUImageSize is the size of the body, that is the file size minus the DFU suffix; a named target has
/// bTargetNamed = 1 and its name NUL-padded to the 255-byte field; an unnamed target has bTargetNamed = 0 and an
/// all-zero field. A .dfu file written by <see cref="DfuFile.Write(IBufferWriter{byte})"/> around such a body gets
/// bcdDFU from its <see cref="DfuSuffix"/>, which <see cref="DfuFile.FromDfuSe"/> sets to 0x011A.
/// </para>
/// </remarks>
public static class DfuSeCodec
{
    /// <summary>Reads a DfuSe body (everything before the DFU suffix).</summary>
    /// <param name="body">The body, starting with "DfuSe".</param>
    /// <returns>The targets and elements. Element data is copied out of <paramref name="body"/>.</returns>
    /// <exception cref="DfuFormatException">The body is malformed; <see cref="DfuFormatException.Offset"/> is relative to its start.</exception>
    /// <remarks>DFUImageSize may equal the body's length or the body's length plus a 16-byte suffix.</remarks>
    public static DfuSeImage Read(ReadOnlySpan<byte> body)
        => Parse(body.ToArray(), DfuSuffix.StandardLength).Image;

    /// <summary>Tells whether <paramref name="body"/> starts with the "DfuSe" signature.</summary>
    /// <param name="body">The bytes before the DFU suffix.</param>
    /// <returns><see langword="true"/> when the first five bytes are "DfuSe".</returns>
    public static bool HasSignature(ReadOnlySpan<byte> body) => body.StartsWith(Layout.DfuSePrefix.SignatureBytes);

    /// <summary>Computes the length of the canonical encoding of <paramref name="image"/>.</summary>
    /// <param name="image">The image.</param>
    /// <returns>The number of bytes <see cref="Write"/> writes.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="image"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The image cannot be encoded (see <see cref="Write"/>).</exception>
    public static long GetEncodedLength(DfuSeImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        Validate(image);
        long total = Layout.DfuSePrefix.Length;
        foreach (DfuSeTarget target in image.Targets)
        {
            total += Layout.DfuSeTarget.Length + TargetSize(target);
        }

        return total;
    }

    /// <summary>Writes <paramref name="image"/> as a DfuSe body in the canonical form described on <see cref="DfuSeCodec"/>.</summary>
    /// <param name="image">The image to write.</param>
    /// <param name="writer">Where the bytes go.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">
    /// The image cannot be encoded: more than 255 targets, a null target or element, a name longer than 254 characters
    /// or holding a NUL or a character outside Latin-1, or a body larger than 4 GiB.
    /// </exception>
    public static void Write(DfuSeImage image, IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        long length = GetEncodedLength(image);
        if (length > uint.MaxValue)
        {
            throw new ArgumentException($"A DfuSe body of {length} bytes does not fit DFUImageSize (u32).", nameof(image));
        }

        Span<byte> header = writer.GetSpan(Layout.DfuSePrefix.Length)[..Layout.DfuSePrefix.Length];
        Layout.DfuSePrefix.SignatureBytes.CopyTo(header[Layout.DfuSePrefix.Signature..]);
        header[Layout.DfuSePrefix.BVersion] = Layout.DfuSePrefix.SupportedVersion;
        BinaryPrimitives.WriteUInt32LittleEndian(header[Layout.DfuSePrefix.DfuImageSize..], (uint)length);
        header[Layout.DfuSePrefix.BTargets] = (byte)image.Targets.Length;
        writer.Advance(Layout.DfuSePrefix.Length);

        foreach (DfuSeTarget target in image.Targets)
        {
            Span<byte> prefix = writer.GetSpan(Layout.DfuSeTarget.Length)[..Layout.DfuSeTarget.Length];
            prefix.Clear();
            Layout.DfuSeTarget.SignatureBytes.CopyTo(prefix[Layout.DfuSeTarget.Signature..]);
            prefix[Layout.DfuSeTarget.BAlternateSetting] = target.AlternateSetting;
            if (target.Name is { } name)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(prefix[Layout.DfuSeTarget.BTargetNamed..], 1);
                Encoding.Latin1.GetBytes(name, prefix.Slice(Layout.DfuSeTarget.SzTargetName, Layout.DfuSeTarget.MaxNameLength));
            }

            BinaryPrimitives.WriteUInt32LittleEndian(prefix[Layout.DfuSeTarget.DwTargetSize..], (uint)TargetSize(target));
            BinaryPrimitives.WriteUInt32LittleEndian(prefix[Layout.DfuSeTarget.DwNbElements..], (uint)target.Elements.Length);
            writer.Advance(Layout.DfuSeTarget.Length);

            foreach (DfuSeElement element in target.Elements)
            {
                Span<byte> elementHeader = writer.GetSpan(Layout.DfuSeElement.HeaderLength)[..Layout.DfuSeElement.HeaderLength];
                BinaryPrimitives.WriteUInt32LittleEndian(elementHeader[Layout.DfuSeElement.DwElementAddress..], element.Address);
                BinaryPrimitives.WriteUInt32LittleEndian(elementHeader[Layout.DfuSeElement.DwElementSize..], (uint)element.Data.Length);
                writer.Advance(Layout.DfuSeElement.HeaderLength);
                writer.Write(element.Data.Span);
            }
        }
    }

    /// <summary>
    /// Parses a body held in memory the result may share. DFUImageSize must equal the body's length or the body's
    /// length plus <paramref name="suffixLength"/>.
    /// </summary>
    internal static DfuSeParseResult Parse(ReadOnlyMemory<byte> memory, int suffixLength)
    {
        ReadOnlySpan<byte> body = memory.Span;
        long end = body.Length;
        if (!HasSignature(body))
        {
            throw new DfuFormatException(DfuFormatError.Malformed, "Expected the DfuSe signature \"DfuSe\".", 0);
        }

        if (end < Layout.DfuSePrefix.Length)
        {
            throw new DfuFormatException(
                DfuFormatError.DfuSePrefixTruncated,
                $"The DfuSe prefix needs {Layout.DfuSePrefix.Length} bytes, only {end} precede the suffix.",
                end);
        }

        var warnings = ImmutableArray.CreateBuilder<DfuFileWarning>();
        byte version = body[Layout.DfuSePrefix.BVersion];
        if (version != Layout.DfuSePrefix.SupportedVersion)
        {
            throw new DfuFormatException(
                DfuFormatError.DfuSeVersionUnsupported,
                $"DfuSe bVersion is {version}; only version {Layout.DfuSePrefix.SupportedVersion} (ST UM0391) is known.",
                Layout.DfuSePrefix.BVersion);
        }

        uint imageSize = BinaryPrimitives.ReadUInt32LittleEndian(body[Layout.DfuSePrefix.DfuImageSize..]);
        DfuSeImageSizeConvention convention;
        if (imageSize == end)
        {
            convention = DfuSeImageSizeConvention.ExcludesSuffix;
        }
        else if (imageSize == end + suffixLength)
        {
            convention = DfuSeImageSizeConvention.IncludesSuffix;
            warnings.Add(new DfuFileWarning(
                DfuFileWarningCode.DfuSeImageSizeIncludesSuffix,
                $"DFUImageSize={imageSize} counts the {suffixLength}-byte suffix (dfuse-pack); ST's tools write {end}."));
        }
        else
        {
            throw new DfuFormatException(
                DfuFormatError.DfuSeImageSizeMismatch,
                $"DfuSe DFUImageSize is {imageSize}; expected {end} (the file without its suffix) or {end + suffixLength} (the whole file).",
                Layout.DfuSePrefix.DfuImageSize);
        }

        int targetCount = body[Layout.DfuSePrefix.BTargets];
        var targets = ImmutableArray.CreateBuilder<DfuSeTarget>(targetCount);
        long offset = Layout.DfuSePrefix.Length;
        for (int t = 0; t < targetCount; t++)
        {
            long targetStart = offset;
            if (end - offset < Layout.DfuSeTarget.Length)
            {
                throw new DfuFormatException(
                    DfuFormatError.DfuSeTargetPrefixTruncated,
                    $"bTargets is {targetCount}, but target {t} needs a {Layout.DfuSeTarget.Length}-byte prefix and only {end - offset} bytes remain.",
                    offset);
            }

            ReadOnlySpan<byte> prefix = body.Slice((int)offset, Layout.DfuSeTarget.Length);
            if (!prefix.StartsWith(Layout.DfuSeTarget.SignatureBytes))
            {
                throw new DfuFormatException(
                    DfuFormatError.DfuSeBadTargetSignature,
                    $"Target {t} does not start with \"Target\" (found {Convert.ToHexString(prefix[..Layout.DfuSeTarget.SignatureLength])}).",
                    offset);
            }

            byte alternateSetting = prefix[Layout.DfuSeTarget.BAlternateSetting];
            uint named = BinaryPrimitives.ReadUInt32LittleEndian(prefix[Layout.DfuSeTarget.BTargetNamed..]);
            string? name = null;
            if (named != 0)
            {
                ReadOnlySpan<byte> field = prefix.Slice(Layout.DfuSeTarget.SzTargetName, Layout.DfuSeTarget.NameFieldLength);
                int nul = field.IndexOf((byte)0);
                if (nul < 0)
                {
                    nul = field.Length;
                    warnings.Add(new DfuFileWarning(
                        DfuFileWarningCode.DfuSeTargetNameNotTerminated,
                        $"The name of target {t} fills all {Layout.DfuSeTarget.NameFieldLength} bytes without a NUL."));
                }

                // ST hex2dfu and some firmware builders leave stale bytes after the NUL (real/st-hex2dfu/test.dfu,
                // fwupd's dev_VRBRAIN.dfu): the name ends at the first NUL.
                name = Encoding.Latin1.GetString(field[..nul]);
            }

            uint targetSize = BinaryPrimitives.ReadUInt32LittleEndian(prefix[Layout.DfuSeTarget.DwTargetSize..]);
            uint elementCount = BinaryPrimitives.ReadUInt32LittleEndian(prefix[Layout.DfuSeTarget.DwNbElements..]);
            offset += Layout.DfuSeTarget.Length;
            long elementsStart = offset;

            // dwNbElements is attacker-controlled: never size a buffer by it, only by what the bytes can hold.
            int capacity = (int)Math.Min(elementCount, (end - offset) / Layout.DfuSeElement.HeaderLength);
            var elements = ImmutableArray.CreateBuilder<DfuSeElement>(capacity);
            for (uint e = 0; e < elementCount; e++)
            {
                if (end - offset < Layout.DfuSeElement.HeaderLength)
                {
                    throw new DfuFormatException(
                        DfuFormatError.DfuSeElementHeaderTruncated,
                        $"Target {t} declares {elementCount} elements, but element {e} needs an {Layout.DfuSeElement.HeaderLength}-byte header and only {end - offset} bytes remain.",
                        offset);
                }

                ReadOnlySpan<byte> header = body.Slice((int)offset, Layout.DfuSeElement.HeaderLength);
                uint address = BinaryPrimitives.ReadUInt32LittleEndian(header[Layout.DfuSeElement.DwElementAddress..]);
                uint size = BinaryPrimitives.ReadUInt32LittleEndian(header[Layout.DfuSeElement.DwElementSize..]);
                long dataStart = offset + Layout.DfuSeElement.HeaderLength;
                if (size > end - dataStart)
                {
                    throw new DfuFormatException(
                        DfuFormatError.DfuSeElementExceedsFile,
                        $"Target {t} element {e} at 0x{address:X8} declares {size} bytes, only {end - dataStart} remain before the suffix.",
                        offset + Layout.DfuSeElement.DwElementSize);
                }

                if ((ulong)address + size > 1UL << 32)
                {
                    throw new DfuFormatException(
                        DfuFormatError.AddressOverflow,
                        $"Target {t} element {e} at 0x{address:X8} with {size} bytes runs past the 32-bit address space.",
                        offset + Layout.DfuSeElement.DwElementAddress);
                }

                elements.Add(new DfuSeElement(address, memory.Slice((int)dataStart, (int)size)));
                offset = dataStart + size;
            }

            long consumed = offset - elementsStart;
            if (consumed != targetSize)
            {
                throw new DfuFormatException(
                    DfuFormatError.DfuSeTargetSizeMismatch,
                    $"Target {t} dwTargetSize is {targetSize}, but its {elementCount} elements occupy {consumed} bytes.",
                    targetStart + Layout.DfuSeTarget.DwTargetSize);
            }

            targets.Add(new DfuSeTarget(alternateSetting, name, elements.MoveToImmutable()));
        }

        if (offset != end)
        {
            throw new DfuFormatException(
                DfuFormatError.DfuSeTrailingBytes,
                $"{end - offset} bytes follow the last of {targetCount} DfuSe targets before the suffix.",
                offset);
        }

        return new DfuSeParseResult(new DfuSeImage(targets.MoveToImmutable()), imageSize, convention, warnings.ToImmutable());
    }

    private static long TargetSize(DfuSeTarget target)
    {
        long size = 0;
        foreach (DfuSeElement element in target.Elements)
        {
            size += Layout.DfuSeElement.HeaderLength + element.Data.Length;
        }

        return size;
    }

    private static void Validate(DfuSeImage image)
    {
        if (image.Targets.IsDefault)
        {
            throw new ArgumentException("The image's target array is not initialised.", nameof(image));
        }

        if (image.Targets.Length > byte.MaxValue)
        {
            throw new ArgumentException($"A DfuSe file holds at most {byte.MaxValue} targets (bTargets is a byte), not {image.Targets.Length}.", nameof(image));
        }

        for (int t = 0; t < image.Targets.Length; t++)
        {
            DfuSeTarget target = image.Targets[t]
                ?? throw new ArgumentException($"Target {t} is null.", nameof(image));
            if (target.Elements.IsDefault)
            {
                throw new ArgumentException($"Target {t}'s element array is not initialised.", nameof(image));
            }

            if (target.Name is { } name)
            {
                if (name.Length > Layout.DfuSeTarget.MaxNameLength)
                {
                    throw new ArgumentException($"Target {t}'s name has {name.Length} characters; at most {Layout.DfuSeTarget.MaxNameLength} fit.", nameof(image));
                }

                foreach (char c in name)
                {
                    if (c is '\0' or > '\u00FF')
                    {
                        throw new ArgumentException($"Target {t}'s name holds U+{(int)c:X4}, which a DfuSe name (Latin-1, NUL-terminated) cannot.", nameof(image));
                    }
                }
            }

            if (TargetSize(target) > uint.MaxValue)
            {
                throw new ArgumentException($"Target {t} is larger than dwTargetSize (u32) can say.", nameof(image));
            }

            foreach (DfuSeElement element in target.Elements)
            {
                if (element is null)
                {
                    throw new ArgumentException($"Target {t} holds a null element.", nameof(image));
                }
            }
        }
    }
}

/// <summary>A parsed DfuSe body with the stored facts the model does not keep.</summary>
internal readonly record struct DfuSeParseResult(
    DfuSeImage Image, uint ImageSize, DfuSeImageSizeConvention Convention, ImmutableArray<DfuFileWarning> Warnings);
