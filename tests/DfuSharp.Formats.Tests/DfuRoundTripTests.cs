using DfuSharp.Formats;

namespace DfuSharp.Formats.Tests;

/// <summary>read → write gives the same bytes for canonical files; read → write → read gives an equal model for all.</summary>
public sealed class DfuRoundTripTests
{
    /// <summary>
    /// The corpus files already in the form the writer produces. Every plain .dfu is (the writer keeps the prefix,
    /// the extra suffix bytes and the suffix fields). Of the DfuSe files, those written by micropython's dfu.py (OpenMV,
    /// LEGO, DEF CON furs), by fwupd and the one patched to ST's size convention are; ST's hex2dfu output is not
    /// (stale bytes after its target name's NUL, fwupd's dev_VRBRAIN.dfu likewise), nor is anything dfuse-pack made
    /// (DFUImageSize counts the suffix).
    /// </summary>
    private static readonly HashSet<string> s_canonical =
    [
        "gen/dfu/default.dfu", "gen/dfu/vid_pid_did.dfu", "gen/dfu/spec_0110.dfu", "gen/dfu/spec_011a_plain.dfu",
        "gen/dfu/empty_payload.dfu", "gen/dfu/one_byte.dfu", "gen/dfu/vid_only.dfu", "gen/dfu/odd_64k.dfu",
        "gen/dfu/big_1m.dfu", "gen/dfu/stellaris_prefix.dfu", "gen/dfu/lpc_prefix.dfu",
        "real/fwupd/example.dfu", "real/fwupd/metadata.dfu", "real/fwupd/metadata-multiple.dfu",
        "real/fwupd/firmware.dfu", "real/fwupd/fakedevice01.dfu", "real/fwupd/kiibohd.dfu.bin",
        "real/fomu/micropython-fomu.dfu", "real/orangecrab/blink_fw.dfu", "real/orangecrab/combine.dfu",
        "gen/dfuse/image_size_st_convention.dfu",
        "real/fwupd/dfuse-fuzz.dfu", "real/fwupd/firmware.dfuse", "real/openmv/OPENMV2-bootloader.dfu",
        "real/openmv/OPENMV2-openmv.dfu", "real/dcfurs/firmware.dfu", "real/lego/firmware.dfu", "real/lego/mboot.dfu",
    ];

    public static TheoryData<string> Files => VectorManifest.Names(e => e.Kind is "dfu-suffix" or "dfuse");

    [VectorsTheory]
    [MemberData(nameof(Files))]
    public void ToArray_ReadVector_SameBytesExactlyWhenCanonical(string name)
    {
        byte[] original = VectorManifest.Get(name).ReadBytes();

        byte[] written = DfuFile.Read(original).ToArray();

        if (s_canonical.Contains(name))
        {
            written.Should().Equal(original);
        }
        else
        {
            written.Should().NotEqual(original);
        }
    }

    [VectorsTheory]
    [MemberData(nameof(Files))]
    public void Read_WrittenVector_EqualModel(string name)
    {
        DfuFile first = DfuFile.Read(VectorManifest.Get(name).ReadBytes());

        byte[] written = first.ToArray();
        DfuFileInfo again = DfuFile.Inspect(written);

        again.File.Should().Be(first);
        again.CrcValid.Should().BeTrue();
        if (first.DfuSe is not null)
        {
            again.DfuSeImageSizeConvention.Should().Be(DfuSeImageSizeConvention.ExcludesSuffix);
            again.DfuSeImageSize.Should().Be((uint)(written.Length - first.Suffix!.Length));
        }

        // Written twice, a file is stable: the canonical form is a fixed point.
        again.File.ToArray().Should().Equal(written);
    }
}
