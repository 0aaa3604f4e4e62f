namespace DfuSharp.Formats;

/// <summary>
/// Byte offsets and sizes of every binary layout this assembly reads and writes, in one place. All multi-byte fields
/// are little-endian.
/// </summary>
internal static class DfuLayout
{
    /// <summary>The DFU suffix (DFU 1.1 Appendix B), relative to the start of its last 16 bytes.</summary>
    internal static class Suffix
    {
        internal const int Length = 16;
        internal const int BcdDevice = 0;
        internal const int IdProduct = 2;
        internal const int IdVendor = 4;
        internal const int BcdDfu = 6;
        internal const int Signature = 8;
        internal const int SignatureLength = 3;
        internal const int BLength = 11;
        internal const int DwCrc = 12;

        /// <summary>The bytes the CRC does not cover: dwCRC itself, at the very end of the file.</summary>
        internal const int CrcLength = 4;

        /// <summary>ucDfuSignature as stored: "UFD", which is "DFU" reversed.</summary>
        internal static ReadOnlySpan<byte> SignatureBytes => "UFD"u8;

        /// <summary>bLength is a byte.</summary>
        internal const int MaxLength = byte.MaxValue;
    }

    /// <summary>The DfuSe prefix (ST UM0391): 'DfuSe' u8 bVersion u32 DFUImageSize u8 bTargets.</summary>
    internal static class DfuSePrefix
    {
        internal const int Length = 11;
        internal const int Signature = 0;
        internal const int SignatureLength = 5;
        internal const int BVersion = 5;
        internal const int DfuImageSize = 6;
        internal const int BTargets = 10;
        internal const byte SupportedVersion = 1;

        internal static ReadOnlySpan<byte> SignatureBytes => "DfuSe"u8;
    }

    /// <summary>
    /// A DfuSe target prefix (ST UM0391): 'Target' u8 bAlternateSetting u32 bTargetNamed char[255] szTargetName
    /// u32 dwTargetSize u32 dwNbElements.
    /// </summary>
    internal static class DfuSeTarget
    {
        internal const int Length = 274;
        internal const int Signature = 0;
        internal const int SignatureLength = 6;
        internal const int BAlternateSetting = 6;
        internal const int BTargetNamed = 7;
        internal const int SzTargetName = 11;
        internal const int NameFieldLength = 255;
        internal const int MaxNameLength = NameFieldLength - 1;
        internal const int DwTargetSize = 266;
        internal const int DwNbElements = 270;

        internal static ReadOnlySpan<byte> SignatureBytes => "Target"u8;
    }

    /// <summary>A DfuSe image element header (ST UM0391): u32 dwElementAddress u32 dwElementSize, then the data.</summary>
    internal static class DfuSeElement
    {
        internal const int HeaderLength = 8;
        internal const int DwElementAddress = 0;
        internal const int DwElementSize = 4;
    }

    /// <summary>TI Stellaris prefix as dfu-util's dfu-prefix -s writes it: 01 00, address / 1024 u16, payload length u32.</summary>
    internal static class StellarisPrefix
    {
        internal const int Length = 8;
        internal const int Magic0 = 0;
        internal const int Magic1 = 1;
        internal const int AddressKiB = 2;
        internal const int PayloadLength = 4;
        internal const byte Magic0Value = 0x01;
        internal const byte Magic1Value = 0x00;
        internal const int AddressUnit = 1024;
    }

    /// <summary>
    /// NXP LPC unencrypted image header as dfu-prefix -L writes it: 1A 3F, image size in 512-byte blocks u16,
    /// 8-byte hash value (zero), 4 reserved bytes (FF).
    /// </summary>
    internal static class LpcPrefix
    {
        internal const int Length = 16;
        internal const int Control0 = 0;
        internal const int Control1 = 1;
        internal const int Blocks = 2;
        internal const int HashValue = 4;
        internal const int HashValueLength = 8;
        internal const int Reserved = 12;
        internal const int ReservedLength = 4;
        internal const byte Control0Value = 0x1A;
        internal const byte Control1Value = 0x3F;

        /// <summary>dfu-util recognises the header by the low six bits of its first two bytes; the top two are flags.</summary>
        internal const byte ControlMask = 0x3F;
        internal const byte ReservedValue = 0xFF;
        internal const int BlockSize = 512;
    }
}
