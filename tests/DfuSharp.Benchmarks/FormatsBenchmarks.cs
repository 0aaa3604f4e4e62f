using BenchmarkDotNet.Attributes;

using DfuSharp.Formats;

namespace DfuSharp.Benchmarks;

/// <summary>
/// Reading a 2 MiB DfuSe file with its CRC checked, against computing the CRC alone: the ratio is what parsing and
/// copying cost on top of the checksum every reader must compute.
/// </summary>
[MemoryDiagnoser]
public class DfuSeReadBenchmarks
{
    private byte[] _file = [];

    [GlobalSetup]
    public void Setup() => _file = BenchmarkData.DfuSeFile(2 * 1024 * 1024);

    [Benchmark(Baseline = true, Description = "CRC-32 of 2 MiB")]
    public uint Crc32Only() => DfuCrc32.Compute(_file.AsSpan(0, _file.Length - 4));

    [Benchmark(Description = "DfuFile.Read 2 MiB DfuSe + CRC check")]
    public int ReadDfuSe() => DfuFile.Read(_file).DfuSe!.Targets[0].Elements.Length;
}

/// <summary>
/// Parsing an 8 MiB Intel HEX file, against decoding the same number of hex digits with
/// <see cref="Convert.FromHexString(ReadOnlySpan{char})"/>: the ratio is the cost of records, checksums and the
/// memory image on top of the bare digit decoding.
/// </summary>
[MemoryDiagnoser]
public class IntelHexParseBenchmarks
{
    private byte[] _file = [];
    private string _digits = string.Empty;

    [GlobalSetup]
    public void Setup()
    {
        _file = BenchmarkData.IntelHexFile(8 * 1024 * 1024);
        string text = System.Text.Encoding.ASCII.GetString(_file);
        _digits = string.Concat(text.Split('\n').Where(l => l.Length > 1).Select(l => l[1..]));
    }

    [Benchmark(Baseline = true, Description = "hex digits of 8 MiB HEX")]
    public int DecodeDigitsOnly() => Convert.FromHexString(_digits).Length;

    [Benchmark(Description = "IntelHex.Read 8 MiB")]
    public long ParseIntelHex() => IntelHex.Read(_file).Image.DataBytes;
}
