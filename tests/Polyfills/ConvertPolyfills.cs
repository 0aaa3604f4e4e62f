#if !NET9_0_OR_GREATER
namespace System;

/// <summary>.NET 9's lower-case hex conversion, for the tests' net8.0 build.</summary>
internal static class ConvertPolyfills
{
    extension(Convert)
    {
        /// <summary>Converts bytes to lower-case hexadecimal digits, as .NET 9's <c>Convert.ToHexStringLower</c>.</summary>
        /// <param name="bytes">The bytes to convert.</param>
        /// <returns>Two lower-case digits per byte.</returns>
        public static string ToHexStringLower(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes).ToLowerInvariant();
    }
}
#endif
