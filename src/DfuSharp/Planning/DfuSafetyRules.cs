using System.Collections.Immutable;
using DfuSharp.DfuSe;

namespace DfuSharp.Planning;

/// <summary>
/// Which writes need explicit consent: option bytes, one-time-programmable memory, and option bytes that set read
/// protection level 2, which no real chip lets anyone undo. Pure: it looks at the plan's data and the device's layouts.
/// </summary>
internal static class DfuSafetyRules
{
    // RDP level 2 is 0xCC in the RDP byte (RM0033 §2.6, RM0090 §3.7.3, RM0385 §3.7.3): debug and the bootloader are
    // disabled for good.
    private const byte ReadProtectionLevel2 = 0xCC;

    // The parts whose option-byte layout is known: ST's ROM (0483:df11) on STM32F2/F4 puts the option bytes at
    // 0x1FFF_C000 (RM0033, RM0090 "Option bytes"), on STM32F7 at 0x1FFF_0000 (RM0385, RM0410); RDP is byte 1 on each.
    private static readonly ImmutableArray<(ushort VendorId, uint OptionBytes, uint ReadProtection)> KnownParts =
    [
        (0x0483, 0x1FFF_C000, 0x1FFF_C001),
        (0x0483, 0x1FFF_0000, 0x1FFF_0001),
    ];

    public static void Check(
        DfuTargetDevice device, IReadOnlyDictionary<byte, DfuSeMemoryLayout> layouts, ImmutableArray<TransferSegment> segments, DownloadOptions options)
    {
        foreach (TransferSegment segment in segments)
        {
            string name = layouts.TryGetValue(segment.AlternateSetting, out DfuSeMemoryLayout? layout)
                ? layout.Name
                : device.Setting(segment.AlternateSetting)?.Name ?? string.Empty;
            if (IsOneTimeProgrammable(name) && !options.AllowIrreversible)
            {
                throw new DfuConsentRequiredException(
                    $"The download writes one-time-programmable memory (\"{name}\", alternate setting {segment.AlternateSetting}) at 0x{segment.Address:X8}; it cannot be erased again.")
                { Consent = DfuConsent.Irreversible, Address = segment.Address };
            }

            if (!IsOptionBytes(name))
            {
                continue;
            }

            if (!options.AllowOptionBytes)
            {
                throw new DfuConsentRequiredException(
                    $"The download writes option bytes (\"{name}\", alternate setting {segment.AlternateSetting}) at 0x{segment.Address:X8}; they change how the chip boots and protects itself.")
                { Consent = DfuConsent.OptionBytes, Address = segment.Address };
            }

            foreach (var part in KnownParts)
            {
                if (part.VendorId == device.VendorId && layout?.Regions.FirstOrDefault()?.Address == part.OptionBytes
                    && part.ReadProtection >= segment.Address && part.ReadProtection < segment.End
                    && segment.Data.Span[(int)(part.ReadProtection - segment.Address)] == ReadProtectionLevel2
                    && !options.AllowIrreversible)
                {
                    throw new DfuConsentRequiredException(
                        $"The option bytes set read protection level 2 (0x{ReadProtectionLevel2:X2} at 0x{part.ReadProtection:X8}); level 2 is permanent: the chip can never be read, debugged or flashed over DFU again.")
                    { Consent = DfuConsent.Irreversible, Address = part.ReadProtection };
                }
            }
        }
    }

    // ST names these memories "Option Bytes" and "Device Feature" in the alternate-setting string (ST AN2606, UM0424).
    internal static bool IsOptionBytes(string name)
        => name.Contains("Option Bytes", StringComparison.OrdinalIgnoreCase)
           || name.Contains("Option Byte", StringComparison.OrdinalIgnoreCase)
           || name.Contains("Device Feature", StringComparison.OrdinalIgnoreCase);

    internal static bool IsOneTimeProgrammable(string name)
        => name.Contains("OTP", StringComparison.Ordinal) || name.Contains("One-Time", StringComparison.OrdinalIgnoreCase);
}
