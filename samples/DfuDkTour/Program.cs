using DfuSharp;
using DfuSharp.DfuSe;
using DfuSharp.Formats;
using DfuSharp.LibUsb;
using DfuSharp.Protocol;
using DfuSharp.Simulation;
using DfuSharp.Usb;

// ST's DFU development kit (application note AN1603) step by step, written with DfuSharp: enumerate, print the
// descriptors, open, detach, the raw DFU requests, "upgrade with upload" (back up, then download), close, and the device
// changes seen along the way. See docs/migrating.md for the STDFU_* / ST_* mapping.
//
// Usage: DfuDkTour [--device SELECTOR] [--file FILE.dfu]
//   no --device: a simulated board in DFU run-time mode that re-enumerates as the STM32F4 ROM bootloader on detach.
//   --device:    a real board through libusb. The raw requests then only read (a DfuSe set-address and an upload); the
//                upgrade runs only when --file names a firmware for that board.
string? selectorText = Option("--device");
string? filePath = Option("--file") ?? (selectorText is null ? Path.Combine(AppContext.BaseDirectory, "blinky-stm32f4.dfu") : null);
TimeProvider time = selectorText is null ? new VirtualTimeProvider() : TimeProvider.System;
using IDisposable? libusb = selectorText is null ? null : new LibUsbDeviceProvider(timeProvider: time);
IUsbDeviceProvider bus = (IUsbDeviceProvider?)libusb ?? SimulatedBoard(time);
DfuDeviceSelector selector = DfuDeviceSelector.Parse(selectorText ?? "1209:df10,0483:df11");

// STDFU_HandleDeviceChange: the watch reports every board that arrives or leaves, from a background task.
using var stopWatching = new CancellationTokenSource();
var arrivedInDfuMode = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
Task watching = WatchAsync(bus, arrivedInDfuMode, stopWatching.Token);

try
{
    // 1. Enumeration (the DFU GUID's device list, STDFU_Open's path): every DFU interface of every board.
    Console.WriteLine("1. Enumerate");
    foreach (DfuInterfaceListing listing in await DfuDevice.ListAsync(bus))
    {
        Console.WriteLine($"   {listing.Device.DisplayName}: interface {listing.Interface.InterfaceNumber} alt {listing.Interface.Setting.Number} "
                          + $"{listing.Interface.Setting.Mode} \"{listing.Interface.Setting.Name}\"");
    }

    // 2 and 3. Open, then the descriptors (STDFU_GetDeviceDescriptor, STDFU_GetConfigurationDescriptor,
    // STDFU_GetNbOfInterfaces/Alternates, STDFU_GetInterfaceDescriptor, STDFU_GetStringDescriptor, STDFU_GetDFUDescriptor).
    Console.WriteLine("2. Open");
    // AN1603's detach waits up to 15 s for the board to come back; DfuSharp's default is 10 s.
    var options = new DfuDeviceOptions { TimeProvider = time, ReenumerationTimeout = TimeSpan.FromSeconds(15) };
    await using DfuDevice device = await DfuDevice.OpenAsync(bus, selector, options);
    Console.WriteLine($"   {device}");
    Console.WriteLine("3. Descriptors");
    await PrintDescriptorsAsync(device);

    // 4. Detach (STDFU_Detach and the wait for the reset): DFU_DETACH, a USB reset unless bitWillDetach, then the same
    // board (port path, serial) in DFU mode within ReenumerationTimeout.
    Console.WriteLine("4. Detach");
    if (device.Mode == DfuMode.Runtime)
    {
        await device.DetachAsync();
        Console.WriteLine($"   now {device.Info.DisplayName} ({device.Info.Product}), {device.Mode} mode, DfuSe {device.IsDfuSe}");
        await PrintDescriptorsAsync(device);
    }
    else
    {
        Console.WriteLine("   already in DFU mode");
    }

    // 5. The raw requests (STDFU_Getstate, STDFU_Getstatus, STDFU_Abort, STDFU_Dnload, STDFU_Upload, STDFU_Clrstatus),
    // through DfuClient: one request each, no policy.
    Console.WriteLine("5. Raw requests");
    await RawRequestsAsync(device, time);

    // 6. Upgrade with upload (ST_DeviceFirmwareUpgrade after an upload of the old image): the plan reads back every
    // byte it will erase or overwrite, hands it to the callback, and only then erases and writes.
    Console.WriteLine("6. Upgrade with upload");
    if (filePath is null)
    {
        Console.WriteLine("   skipped: pass --file FIRMWARE.dfu for this board");
    }
    else
    {
        DfuFile file = DfuFile.Read(await File.ReadAllBytesAsync(filePath));
        string backupPath = Path.Combine(Path.GetTempPath(), $"dfudktour-backup-{Environment.ProcessId}.dfu");
        var download = new DownloadOptions
        {
            Verify = true,
            Backup = async (backup, ct) =>
            {
                await File.WriteAllBytesAsync(backupPath, backup.ToArray(), ct);
                Console.WriteLine($"   backup: {backup.DfuSe?.Targets.Sum(t => t.Elements.Sum(e => e.Data.Length)) ?? backup.Firmware.Length} bytes to {backupPath}");
            },
        };
        DownloadResult result = await device.DownloadAsync(file, download);
        Console.WriteLine($"   downloaded {Path.GetFileName(filePath)}: {result.Plan.WriteBytes} bytes, verified {result.Verified}");
        File.Delete(backupPath);
    }

    // 7. Close (STDFU_Close): disposing the device releases the interface and closes the handle.
    Console.WriteLine("7. Close");
}
catch (DfuException e)
{
    Console.WriteLine($"Failed: {e.Message}");
    return (int)e.Category;
}
catch (DfuFormatException e)
{
    Console.WriteLine($"Bad file: {e.Message}");
    return (int)e.Category;
}

// 8. The device changes seen while the tour ran (detach makes the board leave and come back in DFU mode).
Console.WriteLine("8. Device changes");
await Task.WhenAny(arrivedInDfuMode.Task, Task.Delay(TimeSpan.FromSeconds(5), TimeProvider.System));
await stopWatching.CancelAsync();
await watching;
Console.WriteLine("Done");
return 0;

string? Option(string name)
{
    int at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
}

static async Task PrintDescriptorsAsync(DfuDevice device)
{
    UsbDescriptorSet descriptors = device.UsbDescriptors ?? await device.ReadDescriptorsAsync();
    UsbDeviceDescriptor d = descriptors.Device;
    Console.WriteLine($"   device: bcdUSB 0x{d.bcdUSB:X4} class {d.bDeviceClass}/{d.bDeviceSubClass}/{d.bDeviceProtocol} bMaxPacketSize0 {d.bMaxPacketSize0} "
                      + $"idVendor 0x{d.idVendor:X4} idProduct 0x{d.idProduct:X4} bcdDevice 0x{d.bcdDevice:X4} bNumConfigurations {d.bNumConfigurations}");
    IReadOnlyList<ushort> languages = await device.GetLanguageIdsAsync();
    Console.WriteLine($"   languages: {string.Join(", ", languages.Select(l => $"0x{l:X4}"))}");
    ushort language = languages.Count > 0 ? languages[0] : UsbStandard.EnglishUnitedStates;
    Console.WriteLine($"   strings: iManufacturer \"{await device.GetStringDescriptorAsync(d.iManufacturer, language)}\", "
                      + $"iProduct \"{await device.GetStringDescriptorAsync(d.iProduct, language)}\", "
                      + $"iSerialNumber \"{await device.GetStringDescriptorAsync(d.iSerialNumber, language)}\"");
    foreach (UsbConfigurationDescriptor c in descriptors.Configurations)
    {
        Console.WriteLine($"   configuration {c.bConfigurationValue}: wTotalLength {c.wTotalLength} bNumInterfaces {c.bNumInterfaces} "
                          + $"bmAttributes 0x{c.bmAttributes:X2} bMaxPower {c.MaxPowerMilliamperes} mA");
        foreach (UsbInterfaceDescriptor i in c.Interfaces)
        {
            string? name = i.iInterface == 0 ? null : await device.GetStringDescriptorAsync(i.iInterface, language);
            Console.WriteLine($"     interface {i.bInterfaceNumber} alt {i.bAlternateSetting}: class 0x{i.bInterfaceClass:X2}/0x{i.bInterfaceSubClass:X2}/0x{i.bInterfaceProtocol:X2} \"{name}\"");
        }
    }

    DfuFunctionalDescriptor f = device.Descriptor;
    Console.WriteLine($"   DFU: bmAttributes 0x{(byte)f.Attributes:X2} wDetachTimeOut {f.DetachTimeout} ms wTransferSize {f.TransferSize} bcdDFUVersion 0x{f.DfuVersion:X4}");
}

static async Task RawRequestsAsync(DfuDevice device, TimeProvider time)
{
    DfuClient client = device.Client;
    Console.WriteLine($"   GETSTATE  -> {(await client.GetStateAsync()).ToSpecName()}");
    Console.WriteLine($"   GETSTATUS -> {await client.GetStatusAsync()}");
    await client.AbortAsync();
    Console.WriteLine($"   ABORT; GETSTATE -> {(await client.GetStateAsync()).ToSpecName()}");

    uint? start = device.GetLayout()?.Regions[0].Address;
    if (device.IsDfuSe && start is { } address)
    {
        // DfuSe (AN3156): DNLOAD block 0 carries a command; Set Address Pointer is read-only for the memory. The
        // command runs on the GETSTATUS that follows (dfuDNBUSY), and the next one reports dfuDNLOAD-IDLE.
        await client.DnloadAsync(DfuSeCommands.CommandBlock, DfuSeCommands.SetAddress(address));
        DfuStatusReport busy = await client.GetStatusAsync();
        Console.WriteLine($"   DNLOAD block 0 (Set Address Pointer 0x{address:X8}); GETSTATUS -> {busy}");
        await Task.Delay(TimeSpan.FromMilliseconds(busy.PollTimeout), time);
        Console.WriteLine($"   GETSTATUS -> {await client.GetStatusAsync()}");
        await client.AbortAsync();

        // UPLOAD block n reads wTransferSize bytes at address + (n - 2) × wTransferSize.
        byte[] buffer = new byte[Math.Min(device.TransferSize, 16)];
        int read = await client.UploadAsync(DfuSeCommands.FirstDataBlock, buffer);
        Console.WriteLine($"   ABORT; UPLOAD block 2 -> {read} bytes: {Convert.ToHexString(buffer, 0, read)}");
        await client.AbortAsync();

        // An unknown DfuSe command is refused (AN3156: the device stalls it and enters dfuERROR with errSTALLEDPKT);
        // GETSTATUS shows the error and CLRSTATUS takes the device back to dfuIDLE.
        try
        {
            await client.DnloadAsync(DfuSeCommands.CommandBlock, new byte[] { 0x55 });
            Console.WriteLine("   DNLOAD block 0 (unknown command 0x55) -> accepted");
        }
        catch (UsbTransportException e) when (e.Error == UsbError.Stall)
        {
            Console.WriteLine("   DNLOAD block 0 (unknown command 0x55) -> STALL");
        }

        DfuStatusReport error = await client.GetStatusAsync();
        Console.WriteLine($"   GETSTATUS -> {error}");
        if (error.State == DfuState.DfuError)
        {
            await client.ClrStatusAsync();
            Console.WriteLine($"   CLRSTATUS; GETSTATE -> {(await client.GetStateAsync()).ToSpecName()}");
        }
        else
        {
            await client.AbortAsync();
            Console.WriteLine($"   ABORT; GETSTATE -> {(await client.GetStateAsync()).ToSpecName()}");
        }
    }
    else if (device.Descriptor.CanUpload)
    {
        // Plain DFU 1.1: UPLOAD block 0 reads the start of the firmware; ABORT ends the upload.
        byte[] buffer = new byte[device.TransferSize];
        int read = await client.UploadAsync(0, buffer);
        Console.WriteLine($"   UPLOAD block 0 -> {read} bytes: {Convert.ToHexString(buffer, 0, Math.Min(read, 16))}…");
        await client.AbortAsync();
        Console.WriteLine($"   ABORT; GETSTATE -> {(await client.GetStateAsync()).ToSpecName()}");
    }

    // CLRSTATUS in dfuIDLE is not allowed (DFU 1.1 §6.1.2 lists it for dfuERROR only); this tour sends it only there.
}

static async Task WatchAsync(IUsbDeviceProvider bus, TaskCompletionSource arrivedInDfuMode, CancellationToken cancellationToken)
{
    try
    {
        await foreach (UsbDeviceChange change in bus.WatchAsync(cancellationToken))
        {
            bool dfuMode = change.Device.DfuInterfaces.Any(i => i.Setting.Mode == DfuMode.Dfu);
            Console.WriteLine($"   [device change] {change.Kind} {change.Device.DisplayName}{(dfuMode ? " (DFU mode)" : string.Empty)}");
            if (change.Kind == UsbDeviceChangeKind.Arrived && dfuMode)
            {
                arrivedInDfuMode.TrySetResult();
            }
        }
    }
    catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
    {
        // The tour is over.
    }
}

// An application with a DFU run-time interface (test ids 1209:DF10) whose bootloader is the STM32F4 ROM (AN2606).
static SimulatedUsbBus SimulatedBoard(TimeProvider time)
{
    var bus = new SimulatedUsbBus(time);
    bus.Add(SimulatedProfiles.Get("runtime") with { DfuModeProfile = SimulatedProfiles.Get("stm32f4") });
    return bus;
}
