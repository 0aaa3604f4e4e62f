using DfuSharp.Simulation;
using DfuSharp.Usb;

namespace DfuSharp.Tests.Usb;

public sealed class DfuDeviceDescriptorsTests
{
    private static async Task<DfuDevice> OpenAsync(string profile)
    {
        var time = new VirtualTimeProvider();
        var bus = new SimulatedUsbBus(time);
        bus.Add(profile);
        return await DfuDevice.OpenFirstAsync(bus, options: new DfuDeviceOptions { TimeProvider = time });
    }

    [Theory]
    [InlineData("stm32f4")]
    [InlineData("dfu11")]
    [InlineData("runtime")]
    public async Task ReadDescriptorsAsync_FromTheDevice_EqualsTheEnumeratedOnes(string profile)
    {
        await using DfuDevice device = await OpenAsync(profile);

        UsbDescriptorSet read = await device.ReadDescriptorsAsync();

        read.Should().Be(device.UsbDescriptors);
        read.Device.idVendor.Should().Be(device.Info.VendorId);
        read.Configurations.Should().ContainSingle().Which.Interfaces.Should().HaveCount(device.AlternateSettings.Count);
    }

    [Fact]
    public async Task GetLanguageIdsAsync_Simulated_IsEnglishUnitedStates()
    {
        await using DfuDevice device = await OpenAsync("stm32f4");

        (await device.GetLanguageIdsAsync()).Should().Equal(UsbStandard.EnglishUnitedStates);
    }

    [Fact]
    public async Task GetStringDescriptorAsync_ByIndexAndLanguage_ReadsTheStrings()
    {
        await using DfuDevice device = await OpenAsync("stm32f4");
        UsbDeviceDescriptor d = device.UsbDescriptors!.Device;

        (await device.GetStringDescriptorAsync(d.iProduct, UsbStandard.EnglishUnitedStates)).Should().Be(device.Info.Product);
        (await device.GetStringDescriptorAsync(d.iManufacturer)).Should().Be(device.Info.Manufacturer);
        byte iInterface = device.UsbDescriptors.Configurations[0].Interfaces[1].iInterface;
        (await device.GetStringDescriptorAsync(iInterface)).Should().Be(device.AlternateSettings[1].Setting.Name);
        (await device.GetStringDescriptorAsync(0)).Should().BeNull();
    }

    [Fact]
    public async Task GetStringDescriptorAsync_MissingIndex_Stalls()
    {
        await using DfuDevice device = await OpenAsync("stm32f4");

        Func<Task> read = () => device.GetStringDescriptorAsync(200);

        (await read.Should().ThrowAsync<UsbTransportException>()).Which.Error.Should().Be(UsbError.Stall);
    }
}
