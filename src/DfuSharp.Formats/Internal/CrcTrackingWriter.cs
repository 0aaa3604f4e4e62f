using System.Buffers;

namespace DfuSharp.Formats.Internal;

/// <summary>Forwards to another writer and keeps the DFU suffix CRC of every byte committed through it.</summary>
internal sealed class CrcTrackingWriter(IBufferWriter<byte> inner) : IBufferWriter<byte>
{
    private Memory<byte> _last;

    /// <summary>Gets the CRC state over everything committed so far.</summary>
    public uint State { get; private set; } = DfuCrc32.InitialState;

    /// <summary>Gets the number of bytes committed so far.</summary>
    public long Written { get; private set; }

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count > _last.Length)
        {
            throw new InvalidOperationException("Cannot advance past the end of the buffer last obtained.");
        }

        State = DfuCrc32.Update(State, _last.Span[..count]);
        Written += count;
        inner.Advance(count);
        _last = default;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        _last = inner.GetMemory(sizeHint);
        return _last;
    }

    public Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;
}
