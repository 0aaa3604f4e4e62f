using CsCheck;
using DfuSharp.Usb;

namespace DfuSharp.Tests.Properties;

public sealed class UsbDescriptorParserProperties
{
    // Any bytes either parse into a configuration whose parts are consistent, or fail with the typed error and an
    // offset inside the input: never another exception, never an endless walk over a zero bLength.
    [Fact]
    public void ParseConfiguration_AnyBytes_ParseConsistentlyOrThrowTypedErrorWithOffset()
        => Gen.Byte.Array[0, 80].Sample(bytes =>
        {
            try
            {
                UsbConfigurationDescriptor c = UsbDescriptorParser.ParseConfiguration(bytes);
                return c.RawBytes.Length == c.wTotalLength
                    && c.Interfaces.All(i => i.RawBytes.Length == i.bLength && i.bDescriptorType == UsbStandard.InterfaceDescriptor);
            }
            catch (UsbDescriptorException ex)
            {
                return ex.Offset >= 0 && ex.Offset <= bytes.Length;
            }
        });

    // Configurations built from well-formed parts always parse, and give back every part in order.
    [Fact]
    public void ParseConfiguration_WellFormedParts_ParseBackEveryInterface()
        => Gen.Select(Gen.Byte[0, 4], Gen.Byte[0, 3], Gen.Byte[0, 20]).Array[1, 6].Sample(parts =>
        {
            var body = new List<byte>();
            foreach ((byte number, byte alternate, byte extraLength) in parts)
            {
                body.AddRange([9, UsbStandard.InterfaceDescriptor, number, alternate, 0, 0xFE, 1, 2, 0]);
                if (extraLength >= 2)
                {
                    body.AddRange([extraLength, 0x21, .. new byte[extraLength - 2]]);
                }
            }

            byte[] config = [9, UsbStandard.ConfigurationDescriptor, (byte)(body.Count + 9), (byte)((body.Count + 9) >> 8), 1, 1, 0, 0x80, 50, .. body];
            UsbConfigurationDescriptor c = UsbDescriptorParser.ParseConfiguration(config);
            return c.Interfaces.Select(i => (i.bInterfaceNumber, i.bAlternateSetting, i.ExtraBytes.Length))
                .SequenceEqual(parts.Select(p => (p.Item1, p.Item2, p.Item3 >= 2 ? (int)p.Item3 : 0)));
        });
}
