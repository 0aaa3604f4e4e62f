namespace DfuSharp.LibUsb;

/// <summary>The version of the loaded libusb.</summary>
/// <param name="Major">Major version.</param>
/// <param name="Minor">Minor version.</param>
/// <param name="Micro">Micro version.</param>
/// <param name="Nano">Nano version (build).</param>
/// <param name="ReleaseCandidate">Release-candidate suffix, often empty.</param>
public readonly record struct LibUsbVersion(int Major, int Minor, int Micro, int Nano, string ReleaseCandidate)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Major}.{Minor}.{Micro}.{Nano}{ReleaseCandidate}";

    /// <summary>Gets a value indicating whether this version is at least <paramref name="major"/>.<paramref name="minor"/>.<paramref name="micro"/>.</summary>
    /// <param name="major">Major version.</param>
    /// <param name="minor">Minor version.</param>
    /// <param name="micro">Micro version.</param>
    /// <returns><see langword="true"/> when it is.</returns>
    public bool IsAtLeast(int major, int minor, int micro)
        => (Major, Minor, Micro).CompareTo((major, minor, micro)) >= 0;
}
