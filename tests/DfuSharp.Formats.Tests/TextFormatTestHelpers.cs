using System.Buffers;
using System.Globalization;
using DfuSharp.Formats;

namespace DfuSharp.Formats.Tests;

/// <summary>Shared helpers for the Intel HEX and S-record tests.</summary>
internal static class TextFormats
{
    /// <summary>The bytes <see cref="IntelHex.Write"/> writes.</summary>
    public static byte[] IntelHexBytes(MemoryImage image, IntelHexWriteOptions? options = null)
    {
        var output = new ArrayBufferWriter<byte>();
        IntelHex.Write(image, output, options);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>The bytes <see cref="SRecord.Write"/> writes.</summary>
    public static byte[] SRecordBytes(MemoryImage image, SRecordWriteOptions? options = null)
    {
        var output = new ArrayBufferWriter<byte>();
        SRecord.Write(image, output, options);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>Asserts that <paramref name="read"/> raises <paramref name="error"/> at <paramref name="line"/>, and that the message names the line.</summary>
    public static void ShouldRejectAtLine(Action read, DfuFormatError error, int line, string because = "")
    {
        DfuFormatException exception = read.Should().Throw<DfuFormatException>(because).Which;
        exception.Error.Should().Be(error, because);
        exception.LineNumber.Should().Be(line, because);
        exception.Message.Should().Contain($"line {line}");
    }
}

/// <summary>srec_cat (srecord), the peer of the Intel HEX and S-record tests.</summary>
internal static class SrecCat
{
    /// <summary>Theory rows: every layout with every record length, three seeds each.</summary>
    public static TheoryData<TLayout, int, int> Cases<TLayout>(TLayout[] layouts, int[] recordLengths)
    {
        var data = new TheoryData<TLayout, int, int>();
        foreach (TLayout layout in layouts)
        {
            foreach (int recordLength in recordLengths)
            {
                for (int seed = 1; seed <= 3; seed++)
                {
                    data.Add(layout, recordLength, seed);
                }
            }
        }

        return data;
    }

    /// <summary>The image as <c>srec_cat -binary</c> writes it: from its first address, gaps filled with zeros.</summary>
    public static byte[] Binary(MemoryImage image)
    {
        var output = new ArrayBufferWriter<byte>();
        RawBinary.Write(image, output, fill: 0x00);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>A number as srec_cat reads it: 0x-prefixed hexadecimal, with a leading '-' when negative.</summary>
    public static string Hex(long value)
        => value < 0 ? "-0x" + (-value).ToString("X", CultureInfo.InvariantCulture) : "0x" + value.ToString("X", CultureInfo.InvariantCulture);

    /// <summary>Writes each segment to a binary file in <paramref name="directory"/>; returns the srec_cat inputs that load them at their addresses.</summary>
    public static List<string> SegmentInputs(DirectoryInfo directory, IReadOnlyList<MemorySegment> segments)
    {
        var arguments = new List<string>();
        for (int i = 0; i < segments.Count; i++)
        {
            string part = Path.Combine(directory.FullName, $"part{i}.bin");
            File.WriteAllBytes(part, segments[i].Data.ToArray());
            arguments.AddRange([part, "-binary", "-offset", Hex(segments[i].Address)]);
        }

        return arguments;
    }

    /// <summary>Runs srec_cat and asserts that it succeeds.</summary>
    public static void Run(params string[] arguments)
    {
        PeerResult result = PeerTools.Run("srec_cat", arguments, timeout: TimeSpan.FromSeconds(60));
        result.ExitCode.Should().Be(0, "srec_cat {0} must succeed: {1}", string.Join(' ', arguments), result);
    }
}
