namespace DfuSharp.Tests.LibUsb;

/// <summary>
/// The emulated device node behaves as a usbfs node (linux drivers/usb/core/devio.c): read() returns the
/// descriptors, requests for interfaces or endpoints the board lacks fail with the kernel's errno, and a file opened
/// before a re-enumeration stays dead while the new node works.
/// </summary>
[Collection(UsbEmulatorCollection.Name)]
[Trait("Category", "Emulator")]
public sealed class UsbfsNodeTests() : EmulatorTestBase("dfusharp-usbfs-")
{
    private const string Node = "/dev/bus/usb/001/002";
    private const string SysfsDescriptors = "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-1/descriptors";

    // ioctl numbers from linux/usbdevice_fs.h: _IOR('U', 15/16/21, unsigned int) and an unassigned _IO('U', 99).
    private const string IoctlScript = """
        import errno, fcntl, os, struct, sys
        fd = os.open(sys.argv[1], os.O_RDWR)
        chunks = b""
        while True:
            part = os.read(fd, 16)
            if not part:
                break
            chunks += part
        print("read-in-16-byte-chunks=%d" % len(chunks))
        def result(name, request, argument):
            try:
                fcntl.ioctl(fd, request, argument)
                print(name + "=0")
            except OSError as e:
                print(name + "=" + errno.errorcode[e.errno])
        result("claim-missing-interface", 0x8004550F, struct.pack("I", 7))
        result("release-unclaimed", 0x80045510, struct.pack("I", 0))
        result("claim", 0x8004550F, struct.pack("I", 0))
        result("release", 0x80045510, struct.pack("I", 0))
        result("clear-halt-missing-endpoint", 0x80045515, struct.pack("I", 0x81))
        result("unknown", 0x5563, 0)
        try:
            os.write(fd, b"x")
            print("write=0")
        except OSError as e:
            print("write=" + errno.errorcode[e.errno])
        """;

    // USBDEVFS_BULK is _IOWR('U', 2, struct usbdevfs_bulktransfer): ep, len, timeout (ms), then a 64-bit data pointer.
    private const string BulkScript = """
        import ctypes, errno, fcntl, os, struct, sys
        fd = os.open(sys.argv[1], os.O_RDWR)
        data = ctypes.create_string_buffer(64)
        def bulk(name, endpoint):
            try:
                fcntl.ioctl(fd, 0xC0185502, bytearray(struct.pack("IIIxxxxQ", endpoint, 64, 50, ctypes.addressof(data))))
                print(name + "=0")
            except OSError as e:
                print(name + "=" + errno.errorcode[e.errno])
        bulk("silent-endpoint", 0x81)
        bulk("missing-endpoint", 0x02)
        """;

    private const string ReenumerationScript = """
        import errno, os, subprocess, sys
        old = os.open("/dev/bus/usb/001/002", os.O_RDONLY)
        subprocess.run("dfu-util -e >/dev/null && $PROBE wait 1209:df11 5000 >/dev/null", shell=True, check=True)
        try:
            os.read(old, 256)
            print("old=readable")
        except OSError as e:
            print("old=" + errno.errorcode[e.errno])
        new = os.open("/dev/bus/usb/001/003", os.O_RDONLY)
        data = os.read(new, 256)
        print("new=%02x%02x:%02x%02x" % (data[9], data[8], data[11], data[10]))
        """;

    [EmulatorTheory]
    [InlineData("stm32f4", 18 + 54)]
    [InlineData("dfu11", 18 + 27)]
    public void Read_Profile_ReturnsTheDescriptorsSysfsHolds(string profile, int length)
    {
        EmulatorResult result = UsbEmulator.Run(profile, $"cat {Node} > node.bin && cat {SysfsDescriptors} > sysfs.bin", Dir);

        result.Process.ExitCode.Should().Be(0, result.ToString());
        byte[] node = Read("node.bin");
        node.Should().HaveCount(length, "usbdev_read returns the device descriptor, then the configuration's wTotalLength bytes");
        node[..2].Should().Equal(18, 1);
        node[18..20].Should().Equal(9, 2);
        node.Should().Equal(Read("sysfs.bin"), "the kernel's sysfs descriptors attribute holds the same bytes");
    }

    [EmulatorFact("python3")]
    public void Ioctls_Stm32f4_AnsweredWithTheKernelsErrno()
    {
        EmulatorResult result = RunPython("stm32f4", IoctlScript, Node);

        result.Process.ExitCode.Should().Be(0, result.ToString());
        result.Value("read-in-16-byte-chunks").Should().Be("72", "each read goes on from the file position, up to the end");
        result.Value("claim-missing-interface").Should().Be("ENOENT", "claimintf: usb_ifnum_to_if finds no interface 7");
        result.Value("release-unclaimed").Should().Be("EINVAL", "releaseintf: the file has not claimed interface 0");
        result.Value("claim").Should().Be("0");
        result.Value("release").Should().Be("0");
        result.Value("clear-halt-missing-endpoint").Should().Be("ENOENT", "findintfep: the DFU interface has no endpoint 0x81");
        result.Value("unknown").Should().Be("ENOTTY", "usbdev_do_ioctl: unknown requests");
        result.Value("write").Should().Be("EINVAL", "usbfs has no write operation");
    }

    [EmulatorFact("python3")]
    public void Bulk_HidRuntime_SilentEndpointTimesOutMissingOneIsEnoent()
    {
        EmulatorResult result = RunPython("hid-runtime", BulkScript, Node);

        result.Process.ExitCode.Should().Be(0, result.ToString());
        result.Value("silent-endpoint").Should().Be("ETIMEDOUT", "proc_bulk: the interrupt IN endpoint has nothing to send within 50 ms");
        result.Value("missing-endpoint").Should().Be("ENOENT", "findintfep: the board has no endpoint 0x02");
    }

    [EmulatorFact("python3", "dfu-util")]
    public void Reenumeration_Runtime_OldFileFailsWithEnodevNewNodeReadsTheDfuBoard()
    {
        EmulatorResult result = RunPython("runtime", ReenumerationScript);

        result.Process.ExitCode.Should().Be(0, result.ToString());
        result.Value("old").Should().Be("ENODEV", "usbdev_read: the device the file was opened on is gone");
        result.Value("new").Should().Be("1209:df11");
    }

    /// <summary>Runs a Python script with <paramref name="arguments"/> against an emulated <paramref name="profile"/>.</summary>
    private EmulatorResult RunPython(string profile, string script, string arguments = "")
    {
        File.WriteAllText(Path.Combine(Dir, "script.py"), script);
        return UsbEmulator.Run(profile, $"python3 script.py {arguments}", Dir);
    }
}
