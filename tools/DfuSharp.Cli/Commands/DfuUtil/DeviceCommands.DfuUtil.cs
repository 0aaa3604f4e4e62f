using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.Globalization;

using DfuSharp.Cli.Commands.DfuUtil;
using DfuSharp.Cli.Devices;
using DfuSharp.Cli.Files;
using DfuSharp.Cli.Infrastructure;
using DfuSharp.Formats;
using DfuSharp.Planning;
using DfuSharp.Usb;

namespace DfuSharp.Cli.Commands;

/// <content>
/// <c>dfu-util ARGS…</c>: a dfu-util 0.11 command line, run through the library. Every operation is one of the library's:
/// a download is one <see cref="TransferPlan"/> (the same one <c>dfusharp download --dry-run</c> prints), an upload is
/// <see cref="DfuDevice.UploadAsync"/>, a detach is <see cref="DfuDevice.DetachAsync"/>.
/// </content>
internal static partial class DeviceCommands
{
    /// <summary>The longest <c>-w</c> waits for a board to appear; dfu-util waits for ever.</summary>
    internal static readonly TimeSpan DfuUtilWaitLimit = TimeSpan.FromMinutes(5);

    /// <summary>The usage text <c>dfusharp dfu-util -h</c> prints.</summary>
    internal const string DfuUtilUsage = """
        Usage: dfu-util [options] ...   (dfusharp's drop-in for dfu-util 0.11)
          -h --help                     Print this help message
          -V --version                  Print the version number
          -l --list                     List currently attached DFU capable devices
          -e --detach                   Detach currently attached DFU capable devices
          -E --detach-delay seconds     Longest wait for the device after a detach
          -d --device <vendor>:<product>[,<vendor_dfu>:<product_dfu>]
          -n --devnum <dnum>            Match given device number (devnum from --list)
          -p --path <bus-port. ... .port>
          -c --cfg <config_nr>          -i --intf <intf_nr>
          -S --serial <serial_string>[,<serial_string_dfu>]
          -a --alt <alt>                Altsetting by name or by number
          -t --transfer-size <size>     Bytes per USB transfer
          -U --upload <file>            Read firmware from device into <file>
          -Z --upload-size <bytes>      Expected upload size in bytes
          -D --download <file>          Write firmware from <file> into device
          -R --reset                    Issue USB reset once finished
          -w --wait                     Wait for device to appear (at most 5 minutes)
          -s --dfuse-address address<:...>  leave, mass-erase, unprotect, will-reset, force, <length>
        -v is refused; a successful :leave exits 0.
        """;

    private static Command CreateDfuUtil(CliContext context)
    {
        var words = new Argument<string[]>("ARGS")
        {
            Description = "dfu-util 0.11 options, e.g. -a 0 -s 0x08000000:leave -D fw.bin",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var command = new Command("dfu-util", "Run a dfu-util 0.11 command line through DfuSharp (dfusharp dfu-util -h lists the options).")
        {
            words,

            // -h and --help print dfu-util's option table rather than the generic help of this command.
            new HelpOption { Action = new DfuUtilHelpAction(context) },
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction((parse, ct) =>
        {
            string[] args = [.. parse.GetValue(words) ?? [], .. parse.UnmatchedTokens];
            return RunDfuUtilAsync(context, DfuUtilArguments.Parse(args), ct);
        });
        return command;
    }

    /// <summary>Runs a parsed dfu-util command line.</summary>
    internal static async Task<int> RunDfuUtilAsync(CliContext context, DfuUtilRequest request, CancellationToken cancellationToken)
    {
        if (request.Help)
        {
            context.Out.WriteLine(DfuUtilUsage);
            return ExitCodes.Ok;
        }

        if (request.Version)
        {
            string version = typeof(DeviceCommands).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
            context.Out.WriteLine($"dfu-util 0.11 (dfusharp {version})");
            return ExitCodes.Ok;
        }

        if (!request.HasOperation)
        {
            throw CliException.Usage("you need to specify one of -D or -U (or -l, -e, -R)");
        }

        DfuDeviceSelector selector = DfuUtilSelector(request);
        IUsbDeviceProvider provider = context.Devices.CreateUsbDeviceProvider();
        try
        {
            if (request.List)
            {
                foreach (DfuInterfaceListing listing in await ListForDfuUtilAsync(provider, selector, request, cancellationToken).ConfigureAwait(false))
                {
                    context.Out.WriteLine(DfuUtilListLine(listing));
                }

                return ExitCodes.Ok;
            }

            DfuDeviceOptions options = context.Devices.DeviceOptions with
            {
                TransferSize = request.TransferSize,
                ReenumerationTimeout = request.DetachDelay is { } delay && TimeSpan.FromSeconds(delay) > context.Devices.DeviceOptions.ReenumerationTimeout
                    ? TimeSpan.FromSeconds(delay)
                    : context.Devices.DeviceOptions.ReenumerationTimeout,
            };
            if (request.Wait)
            {
                await WaitForDfuUtilDeviceAsync(provider, selector, request, cancellationToken).ConfigureAwait(false);
            }

            selector = await PinDfuUtilDeviceAsync(provider, selector, request, cancellationToken).ConfigureAwait(false);
            DfuDevice device = await DfuDevice.OpenAsync(provider, selector, options, cancellationToken).ConfigureAwait(false);
            UsbDeviceInfo info;
            await using (device.ConfigureAwait(false))
            {
                await RunDfuUtilOperationAsync(context, request, device, cancellationToken).ConfigureAwait(false);
                info = device.Info;
                if (request.Reset && device.IsOpen && !(request.Download is not null && !device.IsDfuSe))
                {
                    await device.DisposeAsync().ConfigureAwait(false);
                    await ResetUsbAsync(provider, info, cancellationToken).ConfigureAwait(false);
                    context.Out.WriteLine("Resetting USB to switch back to Run-Time mode");
                }
            }

            return ExitCodes.Ok;
        }
        finally
        {
            (provider as IDisposable)?.Dispose();
        }
    }

    private static async Task RunDfuUtilOperationAsync(CliContext context, DfuUtilRequest request, DfuDevice device, CancellationToken cancellationToken)
    {
        if (request.Configuration is { } configuration && device.Interface.ConfigurationValue != configuration)
        {
            throw new DfuDeviceNotFoundException($"{device.Info.DisplayName} has no DFU interface in configuration {configuration}.");
        }

        if (device.Mode == DfuMode.Runtime)
        {
            await CliProgress.RunAsync(context, async p =>
            {
                await device.DetachAsync(p, cancellationToken).ConfigureAwait(false);
                return true;
            }).ConfigureAwait(false);
            context.Out.WriteLine($"Detached {device.Info.DisplayName}: it is in DFU mode now.");
        }
        else if (request.Detach && request.Download is null && request.Upload is null)
        {
            context.Out.WriteLine($"{device.Info.DisplayName} is already in DFU mode.");
        }

        if (request.DfuSe is { } dfuse && !device.IsDfuSe)
        {
            throw CliException.Usage($"-s applies only to DfuSe devices; {device.Info.DisplayName} is a plain DFU 1.1 device");
        }

        if (request.DfuSe is { Unprotect: true })
        {
            DfuLeaveOutcome outcome = await device.DfuSe.ReadUnprotectAsync(cancellationToken).ConfigureAwait(false);
            context.Out.WriteLine($"Read protection removed: the flash is erased and the device {OutcomeText(outcome)}.");
            return;
        }

        if (request.Upload is { } uploadPath)
        {
            await DfuUtilUploadAsync(context, request, device, uploadPath, cancellationToken).ConfigureAwait(false);
        }
        else if (request.Download is { } downloadPath)
        {
            await DfuUtilDownloadAsync(context, request, device, downloadPath, cancellationToken).ConfigureAwait(false);
        }
        else if (request.DfuSe is { } alone)
        {
            // -s without -D or -U: dfu-util runs the modifiers on their own, the mass erase first.
            if (alone.MassErase)
            {
                await CliProgress.RunAsync(context, async p =>
                {
                    await device.DfuSe.MassEraseAsync(null, p, cancellationToken).ConfigureAwait(false);
                    return true;
                }).ConfigureAwait(false);
                context.Out.WriteLine($"Mass erase done on {device.Info.DisplayName}.");
            }

            if (alone.Leave)
            {
                DfuLeaveOutcome outcome = await device.DfuSe.LeaveAsync(alone.Address, null, cancellationToken).ConfigureAwait(false);
                context.Out.WriteLine($"{device.Info.DisplayName} {OutcomeText(outcome)}.");
            }
        }
    }

    private static async Task DfuUtilUploadAsync(CliContext context, DfuUtilRequest request, DfuDevice device, string path, CancellationToken cancellationToken)
    {
        // dfu-util 0.11 never replaces a file with an upload: it opens it with O_EXCL.
        if (File.Exists(path))
        {
            throw new CliException(ExitCodes.CannotCreate, "already exists; dfu-util does not overwrite an upload file", path);
        }

        CliFiles.CheckWritable(path);
        var options = new UploadOptions
        {
            Address = request.DfuSe?.Address,
            Length = request.DfuSe?.Length ?? request.UploadSize,
        };
        byte[] data = await CliProgress.RunAsync(context, p => device.UploadAsync(options, p, cancellationToken)).ConfigureAwait(false);
        await CliFiles.WriteAtomicAsync(path, data, cancellationToken).ConfigureAwait(false);
        if (request.UploadSize is { } expected && data.Length != expected)
        {
            throw CliException.BadData(path, $"the device sent {data.Length} bytes; -Z expected {expected}");
        }

        context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Upload done: {data.Length} bytes from {device.Info.DisplayName} to {path}."));
    }

    private static async Task DfuUtilDownloadAsync(CliContext context, DfuUtilRequest request, DfuDevice device, string path, CancellationToken cancellationToken)
    {
        byte[] content = await CliFiles.ReadAsync(path, cancellationToken).ConfigureAwait(false);
        DfuSeAddressOptions? dfuse = request.DfuSe;
        Firmware firmware = DfuUtilFirmware(path, content, dfuse?.Address);
        if (firmware.IsBin && firmware.Image is null && device.IsDfuSe)
        {
            throw CliException.Usage($"{path}: a raw file for a DfuSe device needs -s ADDR");
        }

        var options = new DownloadOptions
        {
            Leave = dfuse?.Leave == true,
            LeaveAddress = dfuse?.Leave == true ? dfuse.Address : null,
            Erase = dfuse?.MassErase == true ? DfuSeEraseMode.Mass : DfuSeEraseMode.Sectors,

            // will-reset: the write makes the device reset (ST option bytes), which dfu-util asks the user to expect.
            AllowOptionBytes = dfuse?.WillReset == true,

            // -R is the reset after manifestation; without it a plain DFU device stays where manifestation leaves it.
            ResetAfterManifest = request.Reset,
        };
        TransferPlan plan = Refusals(options, () => firmware.Plan(device, options));
        WarnAll(context, path, plan);
        DownloadResult result = await RefusalsAsync(options, () => CliProgress.RunAsync(context, p => device.ExecuteAsync(plan, null, p, cancellationToken)))
            .ConfigureAwait(false);
        context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Download done: {result.Plan.WriteBytes} bytes from {path} to {device.Info.DisplayName}; the device {OutcomeText(result.Outcome)}."));
    }

    // dfu-util's -s ADDR makes the file raw data at ADDR (a plain DFU suffix is stripped); without -s a .dfu file is
    // downloaded as what it is (DfuSe or plain), and any other file is raw firmware.
    private static Firmware DfuUtilFirmware(string path, byte[] content, uint? address)
    {
        FirmwareKind kind = FirmwareKindDetector.Detect(content, path);
        DfuFile? file = kind == FirmwareKind.Dfu ? CliFiles.Decode(path, () => DfuFile.Read(content)) : null;
        if (address is { } at)
        {
            if (file?.DfuSe is not null)
            {
                throw CliException.Usage($"{path} is a DfuSe file, which names its own addresses; -s ADDR applies only to raw files");
            }

            return new Firmware(null, MemoryImage.FromBytes(at, file is null ? content : file.Firmware.ToArray()), IsBin: true);
        }

        return file is not null ? new Firmware(file, null) : new Firmware(new DfuFile { Firmware = content }, null, IsBin: true);
    }

    private static DfuDeviceSelector DfuUtilSelector(DfuUtilRequest request)
    {
        DfuDeviceSelector selector;
        try
        {
            selector = request.Device is { } ids ? DfuDeviceSelector.Parse(ids) : new DfuDeviceSelector();
        }
        catch (FormatException ex)
        {
            throw CliException.Usage($"-d: {ex.Message}");
        }

        if (request.Device is { } text && (text.Contains('=', StringComparison.Ordinal) || selector.VendorId is null && selector.ProductId is null && !selector.HasDfuModeIds))
        {
            throw CliException.Usage($"-d \"{text}\": expected <vendor>:<product>[,<vendor_dfu>:<product_dfu>]");
        }

        if (request.Serial is var (runTime, dfu))
        {
            if (!string.Equals(runTime, dfu, StringComparison.Ordinal))
            {
                throw CliException.Usage($"-S {runTime},{dfu}: different run-time and DFU-mode serial numbers are not supported; give one");
            }

            selector = selector with { SerialNumber = runTime };
        }

        if (request.Path is { } port)
        {
            selector = selector with { PortPath = port };
        }

        if (request.Interface is { } number)
        {
            selector = selector with { InterfaceNumber = number };
        }

        if (request.Alternate is { } alt)
        {
            selector = DfuUtilArguments.TryParseNumber(alt, out uint n) && n <= byte.MaxValue
                ? selector with { AlternateSetting = (byte)n, AlternateName = null }
                : selector with { AlternateName = alt, AlternateSetting = null };
        }

        return selector;
    }

    private static async Task<IReadOnlyList<DfuInterfaceListing>> ListForDfuUtilAsync(IUsbDeviceProvider provider, DfuDeviceSelector selector,
        DfuUtilRequest request, CancellationToken cancellationToken)
    {
        IReadOnlyList<DfuInterfaceListing> all = await DfuDevice.ListAsync(provider, selector, cancellationToken).ConfigureAwait(false);
        return [.. all.Where(l => (request.DeviceNumber is null || l.Device.DeviceAddress == request.DeviceNumber)
                                && (request.Configuration is null || l.Interface.ConfigurationValue == request.Configuration))];
    }

    // -n and -c are not selector fields: they are resolved here to the port path of the one board they name.
    private static async Task<DfuDeviceSelector> PinDfuUtilDeviceAsync(IUsbDeviceProvider provider, DfuDeviceSelector selector,
        DfuUtilRequest request, CancellationToken cancellationToken)
    {
        if (request.DeviceNumber is null && request.Configuration is null)
        {
            return selector;
        }

        var boards = (await ListForDfuUtilAsync(provider, selector, request, cancellationToken).ConfigureAwait(false))
            .Select(l => l.Device.PortPath).Distinct(StringComparer.Ordinal).ToList();
        return boards switch
        {
            [var path] => selector with { PortPath = path },
            [] => throw new DfuDeviceNotFoundException("No DFU device matches -n/-c and the other options."),
            _ => throw new DfuDeviceNotFoundException($"Several DFU devices match: {string.Join(", ", boards)}; add -p PATH."),
        };
    }

    private static async Task WaitForDfuUtilDeviceAsync(IUsbDeviceProvider provider, DfuDeviceSelector selector, DfuUtilRequest request,
        CancellationToken cancellationToken)
    {
        try
        {
            await provider.WaitForDeviceAsync(
                d => d.DfuInterfaces.Any(i => selector.Matches(d, i)) && (request.DeviceNumber is null || d.DeviceAddress == request.DeviceNumber),
                DfuUtilWaitLimit, cancellationToken).ConfigureAwait(false);
        }
        catch (DfuReenumerationTimeoutException ex)
        {
            throw new DfuDeviceNotFoundException($"-w: no matching DFU device appeared within {DfuUtilWaitLimit.TotalMinutes:0} minutes.", ex);
        }
    }

    private static string DfuUtilListLine(DfuInterfaceListing listing)
    {
        UsbDeviceInfo d = listing.Device;
        DfuInterfaceInfo i = listing.Interface;
        string mode = i.Setting.Mode == DfuMode.Runtime ? "Runtime" : "DFU";
        return string.Create(CultureInfo.InvariantCulture,
            $"Found {mode}: [{d.VendorId:x4}:{d.ProductId:x4}] ver={d.DeviceVersion:x4}, devnum={d.DeviceAddress}, cfg={i.ConfigurationValue}, intf={i.InterfaceNumber}, path=\"{d.PortPath}\", alt={i.Setting.Number}, name=\"{i.Setting.Name ?? "UNKNOWN"}\", serial=\"{d.SerialNumber ?? "UNKNOWN"}\"");
    }

    private sealed class DfuUtilHelpAction(CliContext context) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            context.Out.WriteLine(DfuUtilUsage);
            return ExitCodes.Ok;
        }
    }
}
