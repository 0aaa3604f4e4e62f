using BenchmarkDotNet.Running;

using DfuSharp.Benchmarks;

// "process" compares whole processes (dfusharp against srec_cat + dfuse-pack); "process usb-download" flashes an
// emulated board over libusb with dfusharp and with dfu-util; anything else goes to BenchmarkDotNet.
if (args.Length > 1 && args[0] == "process" && args[1] == "usb-download")
{
    return UsbDownloadComparison.Run(args[2..]);
}

if (args.Length > 0 && args[0] == "rig")
{
    return ManyBoardsBenchmark.Run(args[1..]);
}

if (args.Length > 0 && args[0] == "skip-unchanged")
{
    return SkipUnchangedBenchmark.Run(args[1..]);
}

if (args.Length > 0 && args[0] == "process")
{
    return ProcessComparison.Run(args[1..]);
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
