namespace DfuSharp.Hid;

/// <summary>The report types of HID 1.11 §7.2.1 (the high byte of wValue in GET_REPORT and SET_REPORT).</summary>
public enum HidReportType : byte
{
    /// <summary>An Input report (device → host).</summary>
    Input = 0x01,

    /// <summary>An Output report (host → device).</summary>
    Output = 0x02,

    /// <summary>A Feature report (either way, over the control pipe).</summary>
    Feature = 0x03,
}
