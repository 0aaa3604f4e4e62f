using DfuSharp;
using DfuSharp.Formats;
using DfuSharp.LibUsb;
using DfuSharp.Simulation;
using DfuSharp.Usb;
using FirmwareUpdate;

// The CodeProject article "ST Micro-electronics Device Firmware Upgrade (DFU/DfuSe) from C#" (Mark McLean, 2013),
// written with DfuSharp: read the file's VID/PID (its ParseDFU_File), find the board and switch a HID-mode board to DFU
// mode (FindAndDetachHID), check the ids against the board, hook a progress event, and update the firmware
// (UpdateFirmware). See docs/migrating.md for the member-by-member mapping.
//
// Usage: FirmwareUpdate [--file FILE.dfu] [--device SELECTOR] [--leave]
//   no --device: a simulated ST board in HID mode (0483:5750) that re-enumerates as the STM32F4 ROM bootloader.
//   --device:    a real board through libusb, e.g. "0483:df11" or "0483:5750,0483:df11" (HID ids, then DFU ids).
string path = Option("--file") ?? Path.Combine(AppContext.BaseDirectory, "blinky-stm32f4.dfu");
string? selectorText = Option("--device");
bool leave = args.Contains("--leave");

try
{
    // ParseDFU_File: the suffix's idVendor, idProduct and bcdDevice (DFU 1.1 Appendix B). 0xFFFF means "any".
    DfuFile file = DfuFile.Read(await File.ReadAllBytesAsync(path));
    DfuSuffix suffix = file.Suffix ?? new DfuSuffix();
    Console.WriteLine($"File:     {Path.GetFileName(path)}: VID 0x{suffix.VendorId:X4}, PID 0x{suffix.ProductId:X4}, version 0x{suffix.DeviceVersion:X4}");

    TimeProvider time = selectorText is null ? new VirtualTimeProvider() : TimeProvider.System;
    using IDisposable? libusb = selectorText is null ? null : new LibUsbDeviceProvider(timeProvider: time);
    IUsbDeviceProvider bus = (IUsbDeviceProvider?)libusb ?? SimulatedBoard(time);

    // FindAndDetachHID + OpenDFU_Device. With no selector: the board in HID mode (the article's SetVIDPIDforHID ids,
    // here ST's 0483:5750 or --hid VID:PID) if there is one, else a board in DFU mode with the file's ids. A selector
    // can also name both modes at once ("0483:5750,0483:df11": run-time ids, then DFU-mode ids).
    var options = new DfuDeviceOptions { TimeProvider = time };
    DfuDevice device;
    if (selectorText is not null)
    {
        device = await DfuDevice.OpenAsync(bus, DfuDeviceSelector.Parse(selectorText), options);
    }
    else
    {
        try
        {
            device = await DfuDevice.OpenAsync(bus, DfuDeviceSelector.Parse(Option("--hid") ?? "0483:5750"), options);
        }
        catch (DfuDeviceNotFoundException)
        {
            device = await DfuDevice.OpenAsync(bus, DfuDeviceSelector.Parse($"{suffix.VendorId:x4}:{suffix.ProductId:x4}"), options);
        }
    }

    await using DfuDevice opened = device;
    Console.WriteLine($"Board:    {device.Info.DisplayName} ({device.Info.Product}), {device.Mode} mode");

    // A board in run-time mode is switched to DFU mode: a HID board gets ST's DETACH report, a DFU run-time interface
    // DFU_DETACH. DfuSharp then waits for the same board (port path, serial) to come back in DFU mode, within
    // DfuDeviceOptions.ReenumerationTimeout, instead of sleeping 5 s and taking any device that appeared.
    if (device.Mode == DfuMode.Runtime)
    {
        Console.WriteLine(device.HidDetach is null ? "Detach:   DFU_DETACH" : "Detach:   HID DETACH report (FindAndDetachHID)");
        await device.DetachAsync();
        Console.WriteLine($"Board:    {device.Info.DisplayName} ({device.Info.Product}), {device.Mode} mode");
    }

    // The article's VID/PID check. DownloadAsync checks the same again (DfuFileMismatchException), with the board's
    // layout; this early check gives the caller the article's plain yes/no before anything starts.
    if (!Matches(suffix.VendorId, device.Info.VendorId) || !Matches(suffix.ProductId, device.Info.ProductId))
    {
        Console.WriteLine($"Mismatch: the file is for {suffix.VendorId:x4}:{suffix.ProductId:x4}, the board is {device.Info.VendorId:x4}:{device.Info.ProductId:x4}");
        return (int)DfuErrorCategory.Data;
    }

    // OnFirmwareUpdateProgress: a plain .NET event, raised from an IProgress<DfuProgress>.
    var progress = new ProgressEvents();
    DfuPhase? lastPhase = null;
    int lastQuarter = -1;
    progress.ProgressChanged += (_, e) =>
    {
        // One line per phase and quarter keeps the output short; a UI would set a progress bar from e.Percent.
        if (e.Progress.Phase != lastPhase || e.Percent / 25 != lastQuarter)
        {
            Console.WriteLine($"Progress: {e.Percent,3}% {e.Message}");
            (lastPhase, lastQuarter) = (e.Progress.Phase, e.Percent / 25);
        }
    };

    // UpdateFirmware: erase what the file covers, write, verify by reading back, and optionally leave DFU mode
    // (the article's ExitDFUMode). The whole run is one plan computed before the first request.
    DownloadResult result = await device.DownloadAsync(file, new DownloadOptions { Verify = true, Leave = leave }, progress);
    Console.WriteLine($"Done:     {result.Plan.Steps.Length} steps, verified {result.Verified}, {result.Outcome}");
    return result.Verified ? 0 : 1;
}
catch (DfuException e)
{
    // The article raised a progress event with its error flag set; here each failure is a typed exception whose
    // category is also the exit code dfusharp uses (docs/errors.md).
    Console.WriteLine($"Failed:   {e.Message}");
    return (int)e.Category;
}
catch (DfuFormatException e)
{
    Console.WriteLine($"Bad file: {e.Message}");
    return (int)e.Category;
}

string? Option(string name)
{
    int at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
}

static bool Matches(ushort fromFile, ushort fromBoard) => fromFile == DfuSuffix.Any || fromFile == fromBoard;

// A board running its application with ST's HID DETACH report; the ROM bootloader (STM32F4, AN2606) takes over on detach.
static SimulatedUsbBus SimulatedBoard(TimeProvider time)
{
    var bus = new SimulatedUsbBus(time);
    bus.Add("hid-runtime");
    return bus;
}
