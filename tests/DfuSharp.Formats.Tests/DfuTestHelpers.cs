using System.Security.Cryptography;
using DfuSharp.Formats;

namespace DfuSharp.Formats.Tests;

/// <summary>Shared helpers for the binary format tests.</summary>
internal static class DfuTestHelpers
{
    /// <summary>The corpus's error codes (vectors README) and the errors they correspond to.</summary>
    public static readonly IReadOnlyDictionary<string, DfuFormatError> ErrorCodes = new Dictionary<string, DfuFormatError>
    {
        ["empty_file"] = DfuFormatError.EmptyFile,
        ["file_too_short_for_suffix"] = DfuFormatError.FileTooShortForSuffix,
        ["bad_suffix_signature"] = DfuFormatError.BadSuffixSignature,
        ["suffix_length_too_small"] = DfuFormatError.SuffixLengthTooSmall,
        ["suffix_length_exceeds_file"] = DfuFormatError.SuffixLengthExceedsFile,
        ["crc_mismatch"] = DfuFormatError.CrcMismatch,
        ["dfuse_prefix_truncated"] = DfuFormatError.DfuSePrefixTruncated,
        ["dfuse_version_unsupported"] = DfuFormatError.DfuSeVersionUnsupported,
        ["dfuse_image_size_mismatch"] = DfuFormatError.DfuSeImageSizeMismatch,
        ["dfuse_target_prefix_truncated"] = DfuFormatError.DfuSeTargetPrefixTruncated,
        ["dfuse_bad_target_signature"] = DfuFormatError.DfuSeBadTargetSignature,
        ["dfuse_target_size_mismatch"] = DfuFormatError.DfuSeTargetSizeMismatch,
        ["dfuse_element_header_truncated"] = DfuFormatError.DfuSeElementHeaderTruncated,
        ["dfuse_element_exceeds_file"] = DfuFormatError.DfuSeElementExceedsFile,
        ["dfuse_trailing_bytes"] = DfuFormatError.DfuSeTrailingBytes,
    };

    /// <summary>The corpus's warning codes and the warnings they correspond to.</summary>
    public static readonly IReadOnlyDictionary<string, DfuFileWarningCode> WarningCodes = new Dictionary<string, DfuFileWarningCode>
    {
        ["extended_suffix"] = DfuFileWarningCode.ExtendedSuffix,
        ["unusual_bcdDFU"] = DfuFileWarningCode.UnusualDfuVersion,
        ["bcdDFU_011A_without_dfuse_prefix"] = DfuFileWarningCode.DfuSeVersionWithoutDfuSeBody,
        ["dfuse_bcdDFU_not_011A"] = DfuFileWarningCode.DfuSeBodyWithoutDfuSeVersion,
        ["dfuse_image_size_includes_suffix"] = DfuFileWarningCode.DfuSeImageSizeIncludesSuffix,
        ["dfuse_target_name_not_nul_terminated"] = DfuFileWarningCode.DfuSeTargetNameNotTerminated,
    };

    public static string Sha256(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(SHA256.HashData(data));

    /// <summary>Deterministic pseudo-random bytes.</summary>
    public static byte[] RandomBytes(int seed, int length)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>Runs <paramref name="action"/> and returns the DfuFormatException it must throw.</summary>
    public static DfuFormatException Reject(Action action)
    {
        var thrown = action.Should().Throw<DfuFormatException>().Which;
        return thrown;
    }
}

/// <summary>A temporary directory removed when disposed.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "dfusharp-" + Guid.NewGuid().ToString("N"));

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
