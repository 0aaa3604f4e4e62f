using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("DfuSharp.Tests")]

// The hardware probe reads HID report descriptors with the same request builders the library uses.
[assembly: InternalsVisibleTo("DfuSharp.UsbProbe")]
