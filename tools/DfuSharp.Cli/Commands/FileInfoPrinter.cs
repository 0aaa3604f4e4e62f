using System.Globalization;
using System.Text.Json;

using DfuSharp.Cli.Files;
using DfuSharp.Cli.Json;
using DfuSharp.Formats;

namespace DfuSharp.Cli.Commands;

/// <summary>Prints what <c>file info</c> and <c>file suffix check</c> found, as text or JSON.</summary>
internal static class FileInfoPrinter
{
    /// <summary>The JSON and human name of a prefix type.</summary>
    public static string PrefixName(DfuPrefixType type) => type == DfuPrefixType.Lpc ? "lpc" : "stellaris";

    /// <summary>The name of a prefix type in sentences.</summary>
    public static string PrefixDisplayName(DfuPrefixType type) => type == DfuPrefixType.Lpc ? "NXP LPC" : "TI Stellaris";

    /// <summary>Writes the <c>file info --json</c> object.</summary>
    public static void WriteJson(TextWriter output, FileInfoJson info)
        => output.WriteLine(JsonSerializer.Serialize(info, CliJson.Context.FileInfoJson));

    /// <summary>Writes the human-readable form of <c>file info</c>.</summary>
    public static void WriteText(TextWriter output, string path, FirmwareDescription description)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(description);
        FileInfoJson info = description.Info;
        output.WriteLine(Invariant($"{path}: {KindText(info.Kind)}, {description.FileLength} bytes"));
        if (info.Suffix is { } s)
        {
            output.WriteLine(Invariant($"  suffix     VID 0x{s.VendorId:X4}  PID 0x{s.ProductId:X4}  device 0x{s.DeviceVersion:X4}  DFU 0x{s.DfuVersion:X4}  length {s.Length}"));
            output.WriteLine(s.CrcValid
                ? Invariant($"  CRC        0x{s.Crc:X8} (valid)")
                : Invariant($"  CRC        0x{s.Crc:X8} (WRONG: computed 0x{description.ComputedCrc:X8})"));
        }

        if (info.Prefix is { } p)
        {
            output.WriteLine(Invariant($"  prefix     {p.Type} ({p.Length} bytes)"));
        }

        foreach (var target in info.Targets)
        {
            string name = target.Name is null ? "unnamed" : $"\"{target.Name}\"";
            output.WriteLine(Invariant($"  target     alt {target.AlternateSetting}, {name}, {target.Elements.Count} element(s)"));
            foreach (var element in target.Elements)
            {
                output.WriteLine(Range("    element", element));
            }
        }

        foreach (var segment in info.Segments)
        {
            output.WriteLine(Range("  segment", segment));
        }

        foreach (var warning in description.Warnings.Where(w => w.Code != DfuFileWarningCode.CrcMismatch))
        {
            output.WriteLine($"  note       {warning.Message}");
        }
    }

    /// <summary>Writes what <c>file suffix check</c> found, in the order dfu-suffix -c prints it.</summary>
    public static void WriteSuffix(TextWriter output, string path, DfuFileInfo info)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(info);
        DfuSuffix suffix = info.File.Suffix!;
        output.WriteLine($"{path}: valid DFU suffix");
        output.WriteLine(Invariant($"  device version  0x{suffix.DeviceVersion:X4}"));
        output.WriteLine(Invariant($"  product ID      0x{suffix.ProductId:X4}"));
        output.WriteLine(Invariant($"  vendor ID       0x{suffix.VendorId:X4}"));
        output.WriteLine(Invariant($"  DFU version     0x{suffix.DfuVersion:X4}"));
        output.WriteLine(Invariant($"  length          {suffix.Length}"));
        output.WriteLine(Invariant($"  CRC             0x{info.StoredCrc:X8}"));
    }

    private static string Range(string label, SegmentJson s)
    {
        string range = s.Size == 0
            ? Invariant($"0x{s.Address:X8} (empty)")
            : Invariant($"0x{s.Address:X8}..0x{s.Address + (ulong)s.Size - 1:X8}");
        return Invariant($"{label,-13}{range}  {s.Size,8} bytes  sha256 {s.Sha256}");
    }

    private static string KindText(string kind) => kind switch
    {
        "dfu" => "DFU file",
        "dfuse" => "DfuSe file",
        "hex" => "Intel HEX file",
        "srec" => "S-record file",
        _ => "raw binary",
    };

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
