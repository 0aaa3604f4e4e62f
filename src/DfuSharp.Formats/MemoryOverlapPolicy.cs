namespace DfuSharp.Formats;

/// <summary>What a <see cref="MemoryImageBuilder"/> does when two writes give the same address.</summary>
public enum MemoryOverlapPolicy
{
    /// <summary>
    /// Identical bytes written twice are accepted; different bytes at one address raise a
    /// <see cref="DfuFormatException"/> with <see cref="DfuFormatError.OverlappingData"/>.
    /// </summary>
    Reject = 0,

    /// <summary>A later write replaces the bytes of an earlier one.</summary>
    LaterWins,
}
