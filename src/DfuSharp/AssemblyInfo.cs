using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("DfuSharp.Tests")]

// The hardware probe reads HID report descriptors with the same request builders the library uses.
[assembly: InternalsVisibleTo("DfuSharp.UsbProbe")]

// The transport and the simulator share the USB chapter 9 numbers (Usb/UsbStandard.cs).
[assembly: InternalsVisibleTo("DfuSharp.LibUsb")]
[assembly: InternalsVisibleTo("DfuSharp.Simulation")]
