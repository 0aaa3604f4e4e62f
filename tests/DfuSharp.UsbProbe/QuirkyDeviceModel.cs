using System.Buffers.Binary;
using DfuSharp.Simulation;
using DfuSharp.Simulation.Serving;
using DfuSharp.Usb;

namespace DfuSharp.UsbProbe;

/// <summary>
/// A device model for <c>emulate --model-cmd</c>: a stock simulated device with quirks of real parts.
/// <c>no-functional</c>: the configuration descriptor lacks the DFU functional descriptor, which only
/// GET_DESCRIPTOR 0x21 returns, as some application bootloaders do.
/// <c>utf8-serial</c>: the serial number string descriptor carries UTF-8 bytes instead of UTF-16LE, as GigaDevice
/// GD32 ROMs send it.
/// </summary>
internal static class QuirkyDeviceModel
{
    private const byte StringType = 0x03;

    private const byte ConfigurationType = 0x02;

    /// <summary>The file in the working directory that records each GET_DESCRIPTOR 0x21 the host sent.</summary>
    public const string RequestLog = "functional-descriptor-requests.txt";

    public static async Task<int> RunAsync(string profile, IReadOnlyCollection<string> quirks)
    {
        bool noFunctional = quirks.Contains("no-functional");
        bool utf8Serial = quirks.Contains("utf8-serial");
        byte serialIndex = 0;
        var device = SimulatedDfuDevice.Create(profile);
        byte[]? functional = null;
        var server = new FramedDeviceServer(request =>
        {
            UsbSetupPacket setup = request.Setup;
            if (request.Kind == UsbFrameKind.BusReset)
            {
                return SimulatedDeviceServing.ToResponse(device.BusReset());
            }

            bool getDescriptor = setup.RequestType == 0x80 && setup.Request == 0x06;
            byte type = (byte)(setup.Value >> 8);
            if (getDescriptor && type == 0x01)
            {
                SimulatedControlResult deviceDescriptor = device.HandleControl(setup, request.Data.Span);
                if (deviceDescriptor.IsAck && deviceDescriptor.Data.Length >= 17)
                {
                    serialIndex = deviceDescriptor.Data.Span[16];
                }

                return SimulatedDeviceServing.ToResponse(deviceDescriptor);
            }

            if (utf8Serial && getDescriptor && type == StringType && serialIndex != 0 && (byte)setup.Value == serialIndex)
            {
                SimulatedControlResult text = device.HandleControl(setup with { Length = 255 }, []);
                if (!text.IsAck)
                {
                    return SimulatedDeviceServing.ToResponse(text);
                }

                byte[] utf8 = System.Text.Encoding.UTF8.GetBytes(System.Text.Encoding.Unicode.GetString(text.Data.Span[2..]));
                byte[] raw = [(byte)(utf8.Length + 2), StringType, .. utf8];
                return new UsbFrameResponse(0, false, raw.AsMemory(0, Math.Min(raw.Length, setup.Length)));
            }

            if (noFunctional && getDescriptor && type == ConfigurationType)
            {
                // Read the whole configuration, drop the functional descriptor, then answer wLength bytes of it.
                SimulatedControlResult whole = device.HandleControl(setup with { Length = ushort.MaxValue }, []);
                if (!whole.IsAck)
                {
                    return SimulatedDeviceServing.ToResponse(whole);
                }

                (byte[] stripped, byte[]? found) = Strip(whole.Data.Span);
                functional ??= found;
                return new UsbFrameResponse(0, false, stripped.AsMemory(0, Math.Min(stripped.Length, setup.Length)));
            }

            if (getDescriptor && type == DfuFunctionalDescriptor.DescriptorType && functional is not null)
            {
                // Leaves evidence for the test that the host asked, since the configuration no longer tells.
                File.AppendAllText(RequestLog, $"GET_DESCRIPTOR 0x21 wLength {setup.Length}\n");
                return new UsbFrameResponse(0, false, functional.AsMemory(0, Math.Min(functional.Length, setup.Length)));
            }

            return SimulatedDeviceServing.ToResponse(device.HandleControl(setup, request.Data.Span));
        });

        await server.RunAsync(Console.OpenStandardInput(), Console.OpenStandardOutput());
        return 0;
    }

    /// <summary>Removes every descriptor of type 0x21 from a configuration and fixes wTotalLength.</summary>
    private static (byte[] Stripped, byte[]? Functional) Strip(ReadOnlySpan<byte> configuration)
    {
        var kept = new List<byte>();
        byte[]? functional = null;
        for (int offset = 0; offset + 2 <= configuration.Length && configuration[offset] >= 2;)
        {
            int length = Math.Min(configuration[offset], configuration.Length - offset);
            ReadOnlySpan<byte> descriptor = configuration.Slice(offset, length);
            if (descriptor[1] == DfuFunctionalDescriptor.DescriptorType)
            {
                functional ??= descriptor.ToArray();
            }
            else
            {
                kept.AddRange(descriptor.ToArray());
            }

            offset += length;
        }

        byte[] result = [.. kept];
        if (result.Length >= 4)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(result.AsSpan(2), (ushort)result.Length);
        }

        return (result, functional);
    }
}
