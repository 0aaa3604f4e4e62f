using BenchmarkDotNet.Attributes;

using DfuSharp.Formats;

namespace DfuSharp.Benchmarks;

/// <summary>
/// The DFU suffix CRC of 1 MiB: <see cref="DfuCrc32"/> (System.IO.Hashing's Crc32, complemented) against the
/// slicing-by-8 table code it replaced; and <see cref="DfuCrc32.Update"/> over 4 KiB chunks, which carries the state
/// from chunk to chunk, as the .dfu writer does.
/// </summary>
public class Crc32Benchmarks
{
    private const int ChunkSize = 4096;
    private byte[] _data = [];

    [GlobalSetup]
    public void Setup()
    {
        _data = BenchmarkData.Firmware(1024 * 1024);
        if (DfuCrc32.Compute(_data) != SlicingBy8Crc32.Compute(_data))
        {
            throw new InvalidOperationException("The two CRC implementations disagree.");
        }
    }

    [Benchmark(Baseline = true, Description = "slicing-by-8, 1 MiB")]
    public uint SlicingBy8() => SlicingBy8Crc32.Compute(_data);

    [Benchmark(Description = "DfuCrc32.Compute (System.IO.Hashing), 1 MiB")]
    public uint SystemIoHashing() => DfuCrc32.Compute(_data);

    [Benchmark(Description = "DfuCrc32.Update, 1 MiB in 4 KiB chunks")]
    public uint SystemIoHashingChunked()
    {
        uint state = DfuCrc32.InitialState;
        for (int offset = 0; offset < _data.Length; offset += ChunkSize)
        {
            state = DfuCrc32.Update(state, _data.AsSpan(offset, ChunkSize));
        }

        return state;
    }
}
