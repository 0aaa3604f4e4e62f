namespace DfuSharp.Hid;

/// <summary>
/// The DETACH report of an ST-style HID application: the report that carries usage 0x55 of the vendor usage page
/// 0xFF00. Sending it (SET_REPORT) makes the application switch to its DFU bootloader.
/// </summary>
/// <param name="ReportId">The report id; 0 when the descriptor declares no report ids.</param>
/// <param name="Type">An Output or a Feature report.</param>
/// <param name="Length">The report's length in bytes, without the report id byte.</param>
/// <param name="FieldBitOffset">Where the DETACH field starts, in bits from the start of the report (after the id byte).</param>
/// <param name="FieldBitLength">The DETACH field's length in bits (Report Size × Report Count).</param>
/// <remarks>
/// Source of the layout: the report descriptor ST gives for DfuSe's "Enter DFU mode / HID detach" (DfuSe user manual
/// UM0412, quoted on ST's community forum): Usage Page 0xFF00, Report ID 0x80, Usage 0x55, Report Size 8, Report Count 1,
/// Feature. ST documents neither the value of the field nor whether the demonstrator looks at Output reports too; see
/// <see cref="CreatePayload"/> for what DfuSharp sends.
/// </remarks>
public sealed record HidDetachReport(byte ReportId, HidReportType Type, int Length, int FieldBitOffset, int FieldBitLength)
{
    /// <summary>ST's vendor-defined usage page of the DETACH usage.</summary>
    public const ushort VendorUsagePage = 0xFF00;

    /// <summary>ST's DETACH usage id.</summary>
    public const ushort DetachUsage = 0x0055;

    /// <summary>Gets the number of bytes SET_REPORT sends: the report, preceded by the report id when there is one
    /// (HID 1.11 §5.6: with report ids, every report starts with its id).</summary>
    public int PayloadLength => Length + (ReportId != 0 ? 1 : 0);

    /// <summary>
    /// Builds the data stage of the SET_REPORT request: the report id (when not 0), then the report with the DETACH
    /// field set to 0x55 and everything else 0.
    /// </summary>
    /// <returns>The bytes to send.</returns>
    /// <remarks>
    /// ST does not document the value the application expects; firmware written from ST's template acts on the report id
    /// alone. DfuSharp writes the usage id 0x55 into the field (its low bits when the field is narrower than 8 bits), the
    /// one value that also satisfies firmware that checks the field.
    /// </remarks>
    public byte[] CreatePayload()
    {
        var payload = new byte[PayloadLength];
        int start = ReportId != 0 ? 1 : 0;
        if (ReportId != 0)
        {
            payload[0] = ReportId;
        }

        int bits = Math.Min(FieldBitLength, 8);
        for (int i = 0; i < bits; i++)
        {
            if ((DetachUsage & (1 << i)) == 0)
            {
                continue;
            }

            int bit = FieldBitOffset + i;
            if (bit / 8 < Length)
            {
                payload[start + (bit / 8)] |= (byte)(1 << (bit % 8));
            }
        }

        return payload;
    }
}
