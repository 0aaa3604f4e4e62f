using DfuSharp.Simulation;

namespace DfuSharp.Tests.Simulation;

public sealed class StateTests
{
    [Fact]
    public void SaveLoad_Stm32F4_RestoresFlashAndProtection()
    {
        var time = new VirtualTimeProvider();
        byte[] data = DeviceDriver.Pattern(4096, 11);
        var first = new SimulatedDfuDevice(SimulatedProfiles.Stm32F4, new SimulatedDeviceOptions
        {
            TimeProvider = time,
            ReadProtected = true,
            InitialMemory = [new SimulatedMemoryImage(0x0802_0000, [.. data])],
        });
        using var stream = new MemoryStream();
        first.SaveState(stream);

        var second = new SimulatedDfuDevice(SimulatedProfiles.Stm32F4, new SimulatedDeviceOptions { TimeProvider = time });
        stream.Position = 0;
        second.LoadState(stream);
        second.ReadMemory(0x0802_0000, 4096).Should().Equal(data);
        second.ReadMemory(0x1FFF_C000, 2).Should().Equal(0xEC, 0x55);
        second.ReadProtected.Should().BeTrue();
    }

    [Fact]
    public void SaveLoad_Dfu11_RestoresFirmwareImage()
    {
        var time = new VirtualTimeProvider();
        var d = DeviceDriver.Create(SimulatedProfiles.Dfu11, time: time);
        byte[] image = DeviceDriver.Pattern(1500, 12);
        d.DnloadAndPoll(0, image.AsSpan(0, 1024));
        d.DnloadAndPoll(1, image.AsSpan(1024));
        using var stream = new MemoryStream();
        d.Device.SaveState(stream);
        stream.Position = 0;
        var again = new SimulatedDfuDevice(SimulatedProfiles.Dfu11, new SimulatedDeviceOptions { TimeProvider = time });
        again.LoadState(stream);
        again.Firmware.ToArray().Should().Equal(image);
    }

    [Fact]
    public void Load_OtherProfile_ThrowsInvalidData()
    {
        using var stream = new MemoryStream();
        SimulatedDfuDevice.Create("stm32f4").SaveState(stream);
        stream.Position = 0;
        Action act = () => SimulatedDfuDevice.Create("stm32f1-app").LoadState(stream);
        act.Should().Throw<InvalidDataException>().WithMessage("*stm32f4*");
    }

    [Fact]
    public void Load_Truncated_ThrowsInvalidDataAndKeepsMemory()
    {
        using var stream = new MemoryStream();
        SimulatedDfuDevice.Create("stm32f4").SaveState(stream);
        var device = SimulatedDfuDevice.Create("stm32f4", new SimulatedDeviceOptions
        {
            InitialMemory = [new SimulatedMemoryImage(0x0800_0000, [1, 2, 3])],
        });
        var truncated = new MemoryStream(stream.ToArray()[..5000]);
        Action act = () => device.LoadState(truncated);
        act.Should().Throw<InvalidDataException>();
        device.ReadMemory(0x0800_0000, 3).Should().Equal(1, 2, 3);
    }

    [Fact]
    public void Load_Garbage_ThrowsInvalidData()
    {
        Action act = () => SimulatedDfuDevice.Create("dfu11").LoadState(new MemoryStream([1, 2, 3, 4, 5, 6, 7, 8]));
        act.Should().Throw<InvalidDataException>();
    }
}
