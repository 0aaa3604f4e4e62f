using System.Buffers;

namespace DfuSharp.Formats.Internal;

/// <summary>Writes into an array of exactly the expected size, so that ToArray copies nothing.</summary>
internal sealed class FixedArrayWriter(byte[] target) : IBufferWriter<byte>
{
    private int _position;

    /// <summary>Gets the array, checking that it was filled exactly.</summary>
    public byte[] GetFilledArray()
    {
        if (_position != target.Length)
        {
            throw new InvalidOperationException($"Wrote {_position} bytes, expected {target.Length}.");
        }

        return target;
    }

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count > target.Length - _position)
        {
            throw new InvalidOperationException("Cannot advance past the end of the buffer.");
        }

        _position += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        int remaining = target.Length - _position;
        if (sizeHint > remaining)
        {
            throw new InvalidOperationException($"Need {sizeHint} bytes, only {remaining} remain of the computed length.");
        }

        return target.AsMemory(_position);
    }

    public Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;
}
