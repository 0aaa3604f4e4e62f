using System.Text.Json;

namespace DfuSharp.Tests.LibUsb;

/// <summary>A temporary working folder for emulator tests, with the image and JSON helpers they share.</summary>
public abstract class EmulatorTestBase : IDisposable
{
    protected EmulatorTestBase(string prefix) => Dir = Directory.CreateTempSubdirectory(prefix).FullName;

    /// <summary>The working folder: the emulated command runs in it.</summary>
    protected string Dir { get; }

    public void Dispose()
    {
        Directory.Delete(Dir, recursive: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Writes <paramref name="length"/> seeded random bytes to a file in the folder and returns them.</summary>
    protected byte[] WriteImage(string name, int length, int seed)
    {
        byte[] data = new byte[length];
        new Random(seed).NextBytes(data);
        File.WriteAllBytes(Path.Combine(Dir, name), data);
        return data;
    }

    protected byte[] Read(string name) => File.ReadAllBytes(Path.Combine(Dir, name));

    protected JsonElement Json(string name)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Dir, name)));
        return document.RootElement.Clone();
    }
}
