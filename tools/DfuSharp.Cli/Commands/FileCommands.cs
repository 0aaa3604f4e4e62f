using System.Buffers;
using System.CommandLine;
using System.CommandLine.Parsing;

using DfuSharp.Cli.Files;
using DfuSharp.Cli.Infrastructure;
using DfuSharp.Formats;

namespace DfuSharp.Cli.Commands;

/// <summary>
/// <c>dfusharp file …</c>: inspect, stamp and convert firmware files without a device. The option names follow
/// dfu-suffix, dfu-prefix and dfuse-pack.
/// </summary>
internal static class FileCommands
{
    /// <summary>Creates the <c>file</c> command and its subcommands.</summary>
    public static Command Create(CliContext context)
    {
        var file = new Command("file", "Inspect, stamp and convert firmware files (.dfu, .hex, .srec, .bin).");
        file.Add(CreateInfo(context));
        file.Add(CreateSuffix(context));
        file.Add(CreatePrefix(context));
        file.Add(CreatePack(context));
        file.Add(CreateConvert(context));
        return file;
    }

    private static Command CreateInfo(CliContext context)
    {
        var path = CliOptions.File("FILE", "The firmware file: .dfu (plain or DfuSe), .hex, .srec or .bin.");
        var json = CliOptions.Json();
        var address = CliOptions.UInt32("--address", "Where a .bin file starts in memory (default 0).");
        var command = new Command("info", "Show what a firmware file holds: suffix, prefix, DfuSe targets, memory segments.")
        {
            path, json, address,
        };
        command.SetAction(async (parse, ct) =>
        {
            string file = parse.GetRequiredValue(path);
            byte[] content = await CliFiles.ReadAsync(file, ct).ConfigureAwait(false);
            FirmwareDescription description = await CliFiles.RunAsync(() => FirmwareFiles.Describe(file, content, parse.GetValue(address) ?? 0), ct)
                .ConfigureAwait(false);
            if (description.CrcValid == false)
            {
                context.Warn(file, $"the DFU suffix CRC is wrong: stored 0x{description.Info.Suffix!.Crc:X8}, computed 0x{description.ComputedCrc:X8}");
            }

            if (parse.GetValue(json))
            {
                FileInfoPrinter.WriteJson(context.Out, description.Info);
            }
            else
            {
                FileInfoPrinter.WriteText(context.Out, file, description);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command CreateSuffix(CliContext context)
    {
        var suffix = new Command("suffix", "Add, check or remove a DFU suffix (DFU 1.1 Appendix B), like dfu-suffix.");

        var addPath = CliOptions.File("FILE", "The file to stamp in place.");
        var vid = CliOptions.UInt16("--vid", "idVendor (default 0xFFFF: any).", "V");
        var pid = CliOptions.UInt16("--pid", "idProduct (default 0xFFFF: any).", "P");
        var did = CliOptions.UInt16("--did", "bcdDevice (default 0xFFFF: any).", "D");
        var spec = CliOptions.UInt16("--spec", "bcdDFU (default 0x0100; 0x011A for DfuSe).", "S");
        var add = new Command("add", "Append a DFU suffix; a file that already has one is refused.") { addPath, vid, pid, did, spec };
        add.SetAction(async (parse, ct) =>
        {
            string file = parse.GetRequiredValue(addPath);
            byte[] content = await CliFiles.ReadAsync(file, ct).ConfigureAwait(false);
            var stamp = new DfuSuffix
            {
                VendorId = parse.GetValue(vid) ?? DfuSuffix.Any,
                ProductId = parse.GetValue(pid) ?? DfuSuffix.Any,
                DeviceVersion = parse.GetValue(did) ?? DfuSuffix.Any,
                DfuVersion = parse.GetValue(spec) ?? DfuSuffix.Dfu10,
            };
            DfuFile output = FirmwareFiles.AddSuffix(file, content, stamp);
            await CliFiles.WriteAtomicAsync(file, output.Write, ct).ConfigureAwait(false);
            context.Out.WriteLine($"{file}: added a DFU suffix (VID 0x{stamp.VendorId:X4}, PID 0x{stamp.ProductId:X4}, device 0x{stamp.DeviceVersion:X4}, DFU 0x{stamp.DfuVersion:X4})");
            return ExitCodes.Ok;
        });

        var checkPath = CliOptions.File("FILE", "The file to check.");
        var check = new Command("check", "Check the DFU suffix and its CRC; exit 65 when it is missing or wrong.") { checkPath };
        check.SetAction(async (parse, ct) =>
        {
            string file = parse.GetRequiredValue(checkPath);
            byte[] content = await CliFiles.ReadAsync(file, ct).ConfigureAwait(false);
            DfuFileInfo checkedFile = FirmwareFiles.CheckSuffix(file, content);
            FileInfoPrinter.WriteSuffix(context.Out, file, checkedFile);
            return ExitCodes.Ok;
        });

        var removePath = CliOptions.File("FILE", "The file to strip in place.");
        var remove = new Command("remove", "Remove the DFU suffix; a file without one is refused.") { removePath };
        remove.SetAction(async (parse, ct) =>
        {
            string file = parse.GetRequiredValue(removePath);
            byte[] content = await CliFiles.ReadAsync(file, ct).ConfigureAwait(false);
            ReadOnlyMemory<byte> output = FirmwareFiles.RemoveSuffix(file, content, context);
            await CliFiles.WriteAtomicAsync(file, output, ct).ConfigureAwait(false);
            context.Out.WriteLine($"{file}: removed the DFU suffix ({content.Length - output.Length} bytes)");
            return ExitCodes.Ok;
        });

        suffix.Add(add);
        suffix.Add(check);
        suffix.Add(remove);
        return suffix;
    }

    private static Option<DfuPrefixType?> PrefixTypeOption(bool required) => new("--type")
    {
        Description = "The prefix: lpc (NXP LPC, dfu-prefix -L) or stellaris (TI Stellaris, dfu-prefix -s).",
        HelpName = "lpc|stellaris",
        Required = required,
        CustomParser = r =>
        {
            string? text = r.Tokens.Count > 0 ? r.Tokens[^1].Value : null;
            switch (text?.ToUpperInvariant())
            {
                case "LPC":
                    return DfuPrefixType.Lpc;
                case "STELLARIS":
                    return DfuPrefixType.Stellaris;
                default:
                    r.AddError($"--type: '{text}' is not lpc or stellaris");
                    return null;
            }
        },
    };

    private static Command CreatePrefix(CliContext context)
    {
        var prefix = new Command("prefix", "Add or remove a dfu-util vendor prefix (NXP LPC, TI Stellaris), like dfu-prefix.");

        var addPath = CliOptions.File("FILE", "The file to change in place; its DFU suffix, if any, is kept and its CRC updated.");
        var addType = PrefixTypeOption(required: true);
        var address = CliOptions.UInt32("--address", "The flash address a Stellaris prefix names (a multiple of 1024).");
        var add = new Command("add", "Put a vendor prefix in front of the firmware.") { addPath, addType, address };
        add.SetAction(async (parse, ct) =>
        {
            string file = parse.GetRequiredValue(addPath);
            DfuPrefixType type = parse.GetValue(addType)!.Value;
            uint? at = parse.GetValue(address);
            if (type == DfuPrefixType.Stellaris && at is null)
            {
                throw CliException.Usage("prefix add --type stellaris needs --address (the flash address, as dfu-prefix -s)");
            }

            if (type == DfuPrefixType.Lpc && at is not null)
            {
                throw CliException.Usage("--address applies only to --type stellaris");
            }

            byte[] content = await CliFiles.ReadAsync(file, ct).ConfigureAwait(false);
            DfuFile output = FirmwareFiles.AddPrefix(file, content, type, at ?? 0);
            await CliFiles.WriteAtomicAsync(file, output.Write, ct).ConfigureAwait(false);
            context.Out.WriteLine($"{file}: added a {FileInfoPrinter.PrefixDisplayName(type)} prefix");
            return ExitCodes.Ok;
        });

        var removePath = CliOptions.File("FILE", "The file to change in place.");
        var removeType = PrefixTypeOption(required: false);
        var remove = new Command("remove", "Remove the vendor prefix (the DFU suffix, if any, is kept and its CRC updated).") { removePath, removeType };
        remove.SetAction(async (parse, ct) =>
        {
            string file = parse.GetRequiredValue(removePath);
            byte[] content = await CliFiles.ReadAsync(file, ct).ConfigureAwait(false);
            (DfuFile output, DfuPrefixType removed) = FirmwareFiles.RemovePrefix(file, content, parse.GetValue(removeType));
            await CliFiles.WriteAtomicAsync(file, output.Write, ct).ConfigureAwait(false);
            context.Out.WriteLine($"{file}: removed the {FileInfoPrinter.PrefixDisplayName(removed)} prefix");
            return ExitCodes.Ok;
        });

        prefix.Add(add);
        prefix.Add(remove);
        return prefix;
    }

    private static Command CreatePack(CliContext context)
    {
        var output = CliOptions.File("OUT", "The DfuSe file to write.");
        var bin = new Option<string[]>("--bin") { Description = "A raw binary and the address it goes to, as ADDR:FILE.", HelpName = "ADDR:FILE", AllowMultipleArgumentsPerToken = false };
        var hex = new Option<string[]>("--hex") { Description = "An Intel HEX file; each contiguous run becomes an element.", HelpName = "FILE" };
        var srec = new Option<string[]>("--srec") { Description = "An S-record file; each contiguous run becomes an element.", HelpName = "FILE" };
        var alt = new Option<string[]>("--alt") { Description = "Start a new target for this alternate setting; the inputs after it belong to it (default 0).", HelpName = "N" };
        var name = new Option<string[]>("--name") { Description = "Name the current target (at most 254 characters).", HelpName = "NAME" };
        var vid = CliOptions.UInt16("--vid", "idVendor (default 0x0483, as dfuse-pack).", "V");
        var pid = CliOptions.UInt16("--pid", "idProduct (default 0xDF11, as dfuse-pack).", "P");
        var did = CliOptions.UInt16("--did", "bcdDevice (default 0x0000, as dfuse-pack).", "D");
        var command = new Command("pack", "Build a DfuSe file from binaries, HEX and S-record files, like dfuse-pack.")
        {
            output, bin, hex, srec, alt, name, vid, pid, did,
        };
        command.SetAction(async (parse, ct) =>
        {
            string outPath = parse.GetRequiredValue(output);
            IReadOnlyList<PackGroup> groups = PackPlan.FromTokens(parse, bin, hex, srec, alt, name);
            var targets = new List<DfuSeTarget>();
            foreach (var group in groups)
            {
                var elements = new List<DfuSeElement>();
                foreach (var input in group.Inputs)
                {
                    byte[] content = await CliFiles.ReadAsync(input.Path, ct).ConfigureAwait(false);
                    elements.AddRange(FirmwareFiles.ToElements(input, content));
                }

                targets.Add(new DfuSeTarget(group.AlternateSetting, group.Name, [.. elements]));
            }

            var suffix = new DfuSuffix
            {
                VendorId = parse.GetValue(vid) ?? FirmwareFiles.StVendorId,
                ProductId = parse.GetValue(pid) ?? FirmwareFiles.StDfuProductId,
                DeviceVersion = parse.GetValue(did) ?? 0,
                DfuVersion = DfuSuffix.DfuSe,
            };
            DfuFile packed = FirmwareFiles.ToDfuSe(new DfuSeImage([.. targets]), suffix);
            await CliFiles.WriteAtomicAsync(outPath, w => FirmwareFiles.WriteDfuSe(packed, w), ct).ConfigureAwait(false);
            int elementCount = targets.Sum(t => t.Elements.Length);
            context.Out.WriteLine($"{outPath}: wrote {targets.Count} target(s), {elementCount} element(s)");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command CreateConvert(CliContext context)
    {
        var input = CliOptions.File("IN", "The file to read: .dfu (DfuSe or plain), .hex, .srec or .bin.");
        var output = CliOptions.File("OUT", "The file to write; its extension chooses the format: .hex, .srec, .bin or .dfu (DfuSe).");
        var address = CliOptions.UInt32("--address", "Where a .bin or plain .dfu input starts in memory (default 0).");
        var target = CliOptions.Byte("--target", "The DfuSe target (alternate setting) to read, or to write to a .dfu (default 0).", "ALT");
        var vid = CliOptions.UInt16("--vid", "idVendor of a .dfu output (default: the input's, or 0x0483).", "V");
        var pid = CliOptions.UInt16("--pid", "idProduct of a .dfu output (default: the input's, or 0xDF11).", "P");
        var did = CliOptions.UInt16("--did", "bcdDevice of a .dfu output (default: the input's, or 0x0000).", "D");
        var command = new Command("convert", "Convert between .hex, .srec, .bin and .dfu (DfuSe).")
        {
            input, output, address, target, vid, pid, did,
        };
        command.SetAction(async (parse, ct) =>
        {
            string inPath = parse.GetRequiredValue(input);
            string outPath = parse.GetRequiredValue(output);
            FirmwareKind outKind = FirmwareKindDetector.FromExtension(outPath)
                ?? throw CliException.Usage($"{outPath}: unknown output format; use .hex, .srec, .bin or .dfu");
            byte[] content = await CliFiles.ReadAsync(inPath, ct).ConfigureAwait(false);
            var request = new ConvertRequest(parse.GetValue(address) ?? 0, parse.GetValue(target),
                parse.GetValue(vid), parse.GetValue(pid), parse.GetValue(did));
            FirmwareKind inKind = FirmwareKindDetector.Detect(content, inPath);
            long written;
            if (inKind is FirmwareKind.Hex or FirmwareKind.Srec or FirmwareKind.Bin && outKind is FirmwareKind.Hex or FirmwareKind.Srec or FirmwareKind.Bin)
            {
                // Text and binary formats stream: the output is encoded straight into its temporary file, and the
                // start address of a .hex or .srec input is kept.
                TextImage image = await CliFiles.RunAsync(() => FirmwareOutput.ReadText(inPath, content, inKind, request.Address), ct).ConfigureAwait(false);
                content = [];
                written = await CliFiles.WriteAtomicAsync(outPath, w => FirmwareOutput.WriteText(outPath, image.Image, outKind, image.Start, w), ct)
                    .ConfigureAwait(false);
            }
            else
            {
                Action<IBufferWriter<byte>> write = await CliFiles.RunAsync(() => FirmwareFiles.Convert(inPath, content, outKind, request), ct).ConfigureAwait(false);
                written = await CliFiles.WriteAtomicAsync(outPath, write, ct).ConfigureAwait(false);
            }

            context.Out.WriteLine($"{outPath}: wrote {written} bytes ({FirmwareKindDetector.Name(outKind == FirmwareKind.Dfu ? FirmwareKind.DfuSe : outKind)})");
            return ExitCodes.Ok;
        });
        return command;
    }
}
