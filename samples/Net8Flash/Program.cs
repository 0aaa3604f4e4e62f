using DfuSharp;
using DfuSharp.Formats;
using DfuSharp.Simulation;

// Flashes a DfuSe file to a simulated STM32F4 through the DfuSharp packages, verifies it, and reads the flash back.
// Usage: Net8Flash [FILE.dfu]   (default: the blinky sample beside the program)
string path = args.Length > 0 ? args[0] : Path.Combine(AppContext.BaseDirectory, "blinky-stm32f4.dfu");
DfuFile file = DfuFile.Read(await File.ReadAllBytesAsync(path));
Console.WriteLine($"{Path.GetFileName(path)} on .NET {Environment.Version}");

// Virtual time: the simulated flash's erase and write delays pass at once instead of being slept.
var time = new VirtualTimeProvider();
var bus = new SimulatedUsbBus(time);
bus.Add("stm32f4");
await using DfuDevice device = await DfuDevice.OpenFirstAsync(bus, options: new DfuDeviceOptions { TimeProvider = time });

int lastPercent = -1;
var progress = new Progress<DfuProgress>(p =>
{
    int percent = p.Total == 0 ? 100 : (int)(p.Completed * 100 / p.Total);
    if (percent / 25 != lastPercent / 25)
    {
        Console.WriteLine($"  {p.Phase}: {percent}%");
    }

    lastPercent = percent;
});
DownloadResult result = await device.DownloadAsync(file, new DownloadOptions { Verify = true }, progress);

DfuSeElement element = file.DfuSe!.Targets[0].Elements[0];
byte[] readBack = await device.UploadAsync(new UploadOptions { Address = element.Address, Length = element.Data.Length });
bool same = readBack.AsSpan().SequenceEqual(element.Data.Span);
Console.WriteLine($"Flashed {element.Data.Length} bytes at 0x{element.Address:X8}: verified {result.Verified}, read back {(same ? "equal" : "DIFFERENT")}");
return result.Verified && same ? 0 : 1;
