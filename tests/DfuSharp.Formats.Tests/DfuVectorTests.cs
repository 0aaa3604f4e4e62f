using System.Text.Json;
using DfuSharp.Formats;

namespace DfuSharp.Formats.Tests;

/// <summary>Every .dfu of the shared corpus (../shared/vectors/MANIFEST.json) decodes to its recorded facts.</summary>
public sealed class DfuVectorTests
{
    public static TheoryData<string> GoodFiles => VectorManifest.Names(e => e.Kind is "dfu-suffix" or "dfuse");

    public static TheoryData<string> CorruptFiles => VectorManifest.Names(e => e.Kind == "corrupt" && e.Name.EndsWith(".dfu", StringComparison.Ordinal));

    [VectorsTheory]
    [MemberData(nameof(GoodFiles))]
    public void Inspect_GoodVector_MatchesEveryExpectedFact(string name)
    {
        VectorEntry entry = VectorManifest.Get(name);
        byte[] bytes = entry.ReadBytes();
        JsonElement expected = entry.Expected;

        DfuFileInfo info = DfuFile.Inspect(bytes);
        DfuFile file = info.File;

        expected.GetProperty("valid").GetBoolean().Should().BeTrue();
        expected.GetProperty("errors").GetArrayLength().Should().Be(0);
        info.FileLength.Should().Be(expected.GetProperty("file_size").GetInt64());
        DfuTestHelpers.Sha256(bytes).Should().Be(expected.GetProperty("file_sha256").GetString());

        CheckSuffix(expected.GetProperty("suffix"), info);

        byte[] payload = [.. file.Prefix?.Bytes.ToArray() ?? [], .. file.Firmware.ToArray()];
        payload.Length.Should().Be(expected.GetProperty("payload_length").GetInt32());
        DfuTestHelpers.Sha256(payload).Should().Be(expected.GetProperty("payload_sha256").GetString());

        CheckPrefix(expected, file);
        CheckDfuSe(expected, info, bytes);

        string[] expectedWarnings = entry.Expect.GetProperty("warning_codes").EnumerateArray().Select(w => w.GetString()!).ToArray();
        info.Warnings.Select(w => w.Code).Should().BeEquivalentTo(expectedWarnings.Select(w => DfuTestHelpers.WarningCodes[w]));
    }

    [VectorsTheory]
    [MemberData(nameof(CorruptFiles))]
    public void Read_CorruptVector_ThrowsRequiredError(string name)
    {
        VectorEntry entry = VectorManifest.Get(name);
        byte[] bytes = entry.ReadBytes();
        DfuFormatError[] acceptable = entry.RequiredErrorCodes.Select(c => DfuTestHelpers.ErrorCodes[c]).ToArray();
        acceptable.Should().NotBeEmpty();

        DfuFormatException thrown = DfuTestHelpers.Reject(() => DfuFile.Read(bytes));

        thrown.Error.Should().BeOneOf(acceptable, thrown.Message);
        thrown.Offset.Should().NotBeNull().And.BeInRange(0, bytes.Length);
    }

    [VectorsFact]
    public void Read_TruncatedDfuSeWithoutSuffixRequirement_ReportsTheDfuSeDefect()
    {
        byte[] bytes = VectorManifest.Get("corrupt/dfuse_truncated_mid_element.dfu").ReadBytes();

        // Without the suffix requirement the DfuSe prefix is checked: DFUImageSize (4405) matches neither 2000 nor 2016.
        DfuFormatException thrown = DfuTestHelpers.Reject(() => DfuFile.Read(bytes, new DfuReadOptions { SuffixPolicy = DfuSuffixPolicy.Optional }));
        thrown.Error.Should().Be(DfuFormatError.DfuSeImageSizeMismatch);
        thrown.Offset.Should().Be(6);
    }

    [VectorsTheory]
    [InlineData("corrupt/bad_crc_payload.dfu")]
    [InlineData("corrupt/bad_crc_field.dfu")]
    [InlineData("corrupt/dfuse_bad_crc.dfu")]
    public void Inspect_BadCrcWithoutVerification_ReportsCrcInvalidWithoutThrowing(string name)
    {
        VectorEntry entry = VectorManifest.Get(name);
        byte[] bytes = entry.ReadBytes();

        DfuFileInfo info = DfuFile.Inspect(bytes, new DfuReadOptions { VerifyCrc = false });

        info.CrcValid.Should().BeFalse();
        info.StoredCrc.Should().Be(entry.Expected.GetProperty("suffix").GetProperty("dwCRC").GetUInt32());
        info.ComputedCrc.Should().Be(entry.Expected.GetProperty("suffix").GetProperty("crc_computed").GetUInt32());
        info.Warnings.Select(w => w.Code).Should().Contain(DfuFileWarningCode.CrcMismatch);
    }

    private static void CheckSuffix(JsonElement expected, DfuFileInfo info)
    {
        DfuSuffix suffix = info.File.Suffix!;
        suffix.Should().NotBeNull();
        suffix.DeviceVersion.Should().Be(expected.GetProperty("bcdDevice").GetUInt16());
        suffix.ProductId.Should().Be(expected.GetProperty("idProduct").GetUInt16());
        suffix.VendorId.Should().Be(expected.GetProperty("idVendor").GetUInt16());
        suffix.DfuVersion.Should().Be(expected.GetProperty("bcdDFU").GetUInt16());
        expected.GetProperty("signature").GetString().Should().Be("UFD");
        suffix.Length.Should().Be(expected.GetProperty("bLength").GetInt32());
        info.SuffixLength.Should().Be(expected.GetProperty("bLength").GetInt32());
        info.StoredCrc.Should().Be(expected.GetProperty("dwCRC").GetUInt32());
        $"0x{info.StoredCrc:X8}".Should().Be(expected.GetProperty("dwCRC_hex").GetString());
        info.ComputedCrc.Should().Be(expected.GetProperty("crc_computed").GetUInt32());
        info.CrcValid.Should().Be(expected.GetProperty("crc_valid").GetBoolean());
        string extra = expected.TryGetProperty("extra_suffix_bytes_hex", out JsonElement e) ? e.GetString()! : string.Empty;
        Convert.ToHexStringLower(suffix.Extra.Span).Should().Be(extra);
    }

    private static void CheckPrefix(JsonElement expected, DfuFile file)
    {
        JsonElement prefix = expected.GetProperty("prefix");
        if (prefix.ValueKind == JsonValueKind.Null)
        {
            file.Prefix.Should().BeNull();
            return;
        }

        DfuPrefix actual = file.Prefix!;
        actual.Should().NotBeNull();
        actual.Length.Should().Be(prefix.GetProperty("length").GetInt32());
        switch (prefix.GetProperty("type").GetString())
        {
            case "stellaris":
                actual.Type.Should().Be(DfuPrefixType.Stellaris);
                actual.StellarisAddress.Should().Be(prefix.GetProperty("address").GetUInt32());
                actual.StellarisPayloadLength.Should().Be(prefix.GetProperty("payload_length_field").GetUInt32());
                break;
            case "lpc":
                actual.Type.Should().Be(DfuPrefixType.Lpc);
                actual.LpcBlockCount.Should().Be(prefix.GetProperty("blocks_512").GetUInt16());
                Convert.ToHexStringLower(actual.Bytes.Span).Should().Be(prefix.GetProperty("header_hex").GetString());
                break;
            default:
                throw new InvalidOperationException("unknown prefix type in the manifest");
        }

        file.Firmware.Length.Should().Be(expected.GetProperty("firmware_length").GetInt32());
        DfuTestHelpers.Sha256(file.Firmware.Span).Should().Be(expected.GetProperty("firmware_sha256").GetString());
    }

    private static void CheckDfuSe(JsonElement expected, DfuFileInfo info, byte[] bytes)
    {
        JsonElement dfuse = expected.GetProperty("dfuse");
        bool isDfuSe = expected.GetProperty("format").GetString() == "dfuse";
        if (!isDfuSe)
        {
            dfuse.ValueKind.Should().Be(JsonValueKind.Null);
            info.File.DfuSe.Should().BeNull();
            info.DfuSeImageSize.Should().BeNull();
            return;
        }

        DfuSeImage image = info.File.DfuSe!;
        image.Should().NotBeNull();
        dfuse.GetProperty("version").GetInt32().Should().Be(1);
        info.DfuSeImageSize.Should().Be(dfuse.GetProperty("image_size").GetUInt32());
        info.DfuSeImageSizeConvention.Should().Be(dfuse.GetProperty("image_size_convention").GetString() switch
        {
            "excludes_suffix" => DfuSeImageSizeConvention.ExcludesSuffix,
            "includes_suffix" => DfuSeImageSizeConvention.IncludesSuffix,
            var other => throw new InvalidOperationException($"convention {other} in a good file"),
        });
        image.Targets.Length.Should().Be(dfuse.GetProperty("targets_declared").GetInt32());

        JsonElement[] targets = dfuse.GetProperty("targets").EnumerateArray().ToArray();
        targets.Length.Should().Be(image.Targets.Length);
        long targetOffset = 11;
        for (int t = 0; t < targets.Length; t++)
        {
            JsonElement et = targets[t];
            DfuSeTarget at = image.Targets[t];

            // The raw name field, located from the parsed sizes: text before its NUL, and what (if anything) follows.
            ReadOnlySpan<byte> field = bytes.AsSpan((int)targetOffset + 11, 255);
            int nul = field.IndexOf((byte)0);
            bool junkAfterNul = nul >= 0 && field[(nul + 1)..].ContainsAnyExcept((byte)0);
            junkAfterNul.Should().Be(et.TryGetProperty("name_field_has_bytes_after_nul", out JsonElement junk) && junk.GetBoolean());
            if (et.TryGetProperty("name_field_unnamed_text", out JsonElement unnamedText))
            {
                at.Name.Should().BeNull();
                System.Text.Encoding.Latin1.GetString(field[..nul]).Should().Be(unnamedText.GetString());
            }

            targetOffset += 274 + at.Elements.Sum(e => 8L + e.Data.Length);
            at.AlternateSetting.Should().Be(et.GetProperty("alt").GetByte());
            (at.Name is not null).Should().Be(et.GetProperty("named").GetBoolean());
            (et.GetProperty("named_raw").GetUInt32() != 0).Should().Be(at.Name is not null);
            at.Name.Should().Be(et.GetProperty("name").GetString());
            at.Elements.Sum(e => 8L + e.Data.Length).Should().Be(et.GetProperty("target_size").GetInt64());
            at.Elements.Length.Should().Be(et.GetProperty("elements_declared").GetInt32());

            JsonElement[] elements = et.GetProperty("elements").EnumerateArray().ToArray();
            elements.Length.Should().Be(at.Elements.Length);
            for (int e = 0; e < elements.Length; e++)
            {
                at.Elements[e].Address.Should().Be(elements[e].GetProperty("address").GetUInt32());
                at.Elements[e].Data.Length.Should().Be(elements[e].GetProperty("size").GetInt32());
                DfuTestHelpers.Sha256(at.Elements[e].Data.Span).Should().Be(elements[e].GetProperty("sha256").GetString());
            }
        }
    }
}
