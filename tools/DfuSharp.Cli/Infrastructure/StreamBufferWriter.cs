using System.Buffers;

namespace DfuSharp.Cli.Infrastructure;

/// <summary>
/// An <see cref="IBufferWriter{T}"/> over a stream with one small buffer: what an encoder writes goes to the stream
/// each time the buffer fills, so a gigabyte of Intel HEX never exists in memory at once. Every flush checks the
/// cancellation token, which makes a long encode stop within one buffer's worth of work.
/// </summary>
internal sealed class StreamBufferWriter : IBufferWriter<byte>
{
    /// <summary>The size of the buffer, and so of every write to the stream but the last.</summary>
    public const int BufferSize = 64 * 1024;

    private readonly Stream _stream;
    private readonly CancellationToken _cancellationToken;
    private byte[] _buffer = new byte[BufferSize];
    private int _written;

    public StreamBufferWriter(Stream stream, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _stream = stream;
        _cancellationToken = cancellationToken;
    }

    /// <summary>Gets how many bytes went to the stream or wait in the buffer.</summary>
    public long BytesWritten { get; private set; }

    /// <inheritdoc/>
    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count > _buffer.Length - _written)
        {
            throw new InvalidOperationException("Advanced past the end of the buffer.");
        }

        _written += count;
        BytesWritten += count;
    }

    /// <inheritdoc/>
    public Memory<byte> GetMemory(int sizeHint = 0) => _buffer.AsMemory(Reserve(sizeHint));

    /// <inheritdoc/>
    public Span<byte> GetSpan(int sizeHint = 0) => _buffer.AsSpan(Reserve(sizeHint));

    /// <summary>Writes what is left in the buffer to the stream.</summary>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    /// <exception cref="IOException">The stream could not be written.</exception>
    public void Complete() => Flush();

    private int Reserve(int sizeHint)
    {
        int wanted = Math.Max(sizeHint, 1);
        if (_buffer.Length - _written < wanted)
        {
            Flush();
            if (_buffer.Length < wanted)
            {
                // One request larger than the buffer (a caller asking for a whole segment): grow to exactly that.
                _buffer = new byte[wanted];
            }
        }

        return _written;
    }

    private void Flush()
    {
        _cancellationToken.ThrowIfCancellationRequested();
        if (_written > 0)
        {
            _stream.Write(_buffer, 0, _written);
            _written = 0;
        }
    }
}
