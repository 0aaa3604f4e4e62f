using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using DfuSharp.Usb;

namespace DfuSharp.Cli.Json;

/// <summary>
/// The <c>descriptors</c> member of <c>info --json</c> (issue #14): the device descriptor and every configuration with
/// every interface alternate setting, under the USB 2.0 spec's field names (§9.6.1, §9.6.3, §9.6.5) as lsusb prints them,
/// numbers as JSON numbers.
/// </summary>
/// <param name="Device">The device descriptor.</param>
/// <param name="Configurations">The configurations.</param>
internal sealed record UsbDescriptorsJson(
    [property: JsonPropertyName("device")] UsbDeviceDescriptorJson Device,
    [property: JsonPropertyName("configurations")] IReadOnlyList<UsbConfigurationJson> Configurations)
{
    /// <summary>Builds the JSON form of a device's descriptors.</summary>
    /// <param name="descriptors">The parsed descriptors.</param>
    /// <param name="names">The interface string of each (bInterfaceNumber, bAlternateSetting), where known.</param>
    /// <returns>The JSON object.</returns>
    public static UsbDescriptorsJson From(UsbDescriptorSet descriptors, Func<UsbInterfaceDescriptor, string?> names)
    {
        UsbDeviceDescriptor d = descriptors.Device;
        return new UsbDescriptorsJson(
            new UsbDeviceDescriptorJson(
                d.bcdUSB, d.bDeviceClass, d.bDeviceSubClass, d.bDeviceProtocol, d.bMaxPacketSize0, d.idVendor, d.idProduct,
                d.bcdDevice, d.iManufacturer, d.iProduct, d.iSerialNumber, d.bNumConfigurations),
            [.. descriptors.Configurations.Select(c => new UsbConfigurationJson(
                c.bConfigurationValue, c.bmAttributes, c.bMaxPower,
                [.. c.Interfaces.Select(i => new UsbInterfaceJson(
                    i.bInterfaceNumber, i.bAlternateSetting, i.bInterfaceClass, i.bInterfaceSubClass, i.bInterfaceProtocol, i.iInterface, names(i)))]))]);
    }
}

/// <summary>The device descriptor's fields (USB 2.0 Table 9-8).</summary>
internal sealed record UsbDeviceDescriptorJson(
    [property: JsonPropertyName("bcdUSB")] int BcdUsb,
    [property: JsonPropertyName("bDeviceClass")] int DeviceClass,
    [property: JsonPropertyName("bDeviceSubClass")] int DeviceSubClass,
    [property: JsonPropertyName("bDeviceProtocol")] int DeviceProtocol,
    [property: JsonPropertyName("bMaxPacketSize0")] int MaxPacketSize0,
    [property: JsonPropertyName("idVendor")] int VendorId,
    [property: JsonPropertyName("idProduct")] int ProductId,
    [property: JsonPropertyName("bcdDevice")] int DeviceRelease,
    [property: JsonPropertyName("iManufacturer")] int ManufacturerIndex,
    [property: JsonPropertyName("iProduct")] int ProductIndex,
    [property: JsonPropertyName("iSerialNumber")] int SerialNumberIndex,
    [property: JsonPropertyName("bNumConfigurations")] int ConfigurationCount);

/// <summary>A configuration's fields (USB 2.0 Table 9-10) and its interfaces.</summary>
internal sealed record UsbConfigurationJson(
    [property: JsonPropertyName("bConfigurationValue")] int ConfigurationValue,
    [property: JsonPropertyName("bmAttributes")] int Attributes,
    [property: JsonPropertyName("bMaxPower")] int MaxPower,
    [property: JsonPropertyName("interfaces")] IReadOnlyList<UsbInterfaceJson> Interfaces);

/// <summary>An interface alternate setting's fields (USB 2.0 Table 9-12) and its string.</summary>
internal sealed record UsbInterfaceJson(
    [property: JsonPropertyName("bInterfaceNumber")] int InterfaceNumber,
    [property: JsonPropertyName("bAlternateSetting")] int AlternateSetting,
    [property: JsonPropertyName("bInterfaceClass")] int InterfaceClass,
    [property: JsonPropertyName("bInterfaceSubClass")] int InterfaceSubClass,
    [property: JsonPropertyName("bInterfaceProtocol")] int InterfaceProtocol,
    [property: JsonPropertyName("iInterface")] int InterfaceIndex,
    [property: JsonPropertyName("name")] string? Name);

/// <summary>Source-generated serialization of <see cref="UsbDescriptorsJson"/> (no reflection: the tool stays trimmable).</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never, WriteIndented = true)]
[JsonSerializable(typeof(UsbDescriptorsJson))]
internal sealed partial class DescriptorJsonContext : JsonSerializerContext
{
    /// <summary>Gets the context with the relaxed encoder the other JSON output uses.</summary>
    public static DescriptorJsonContext Relaxed { get; } = new(new JsonSerializerOptions
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
