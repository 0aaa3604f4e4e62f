namespace DfuSharp.Hid;

/// <summary>
/// A small HID report-descriptor reader (HID 1.11 §6.2.2): just enough to find ST's DETACH report (usage page 0xFF00,
/// usage 0x55) with its report id, type, length and field position. Pure: no I/O.
/// </summary>
internal static class HidReportDescriptor
{
    // Item prefix (HID 1.11 §6.2.2.2): bSize in bits 1..0 (3 means 4 bytes), bType in bits 3..2, bTag in bits 7..4.
    private const byte LongItemPrefix = 0xFE;
    private const int TypeMain = 0;
    private const int TypeGlobal = 1;
    private const int TypeLocal = 2;

    // Main item tags (§6.2.2.4).
    private const int TagInput = 0x8;
    private const int TagOutput = 0x9;
    private const int TagCollection = 0xA;
    private const int TagFeature = 0xB;
    private const int TagEndCollection = 0xC;

    // Global item tags (§6.2.2.7).
    private const int TagUsagePage = 0x0;
    private const int TagReportSize = 0x7;
    private const int TagReportId = 0x8;
    private const int TagReportCount = 0x9;
    private const int TagPush = 0xA;
    private const int TagPop = 0xB;

    // Local item tags (§6.2.2.8).
    private const int TagUsage = 0x0;
    private const int TagUsageMinimum = 0x1;
    private const int TagUsageMaximum = 0x2;

    // A report longer than a control transfer can carry is not a report this reader accepts.
    private const long MaxReportBits = 8L * ushort.MaxValue;

    private const int MaxPushDepth = 32;

    /// <summary>Finds ST's DETACH report: the first Feature report, else the first Output report, with a field whose
    /// usage is 0x55 on the vendor usage page 0xFF00.</summary>
    /// <param name="descriptor">The report descriptor.</param>
    /// <returns>The report, or <see langword="null"/> when the descriptor has none.</returns>
    /// <exception cref="FormatException">The descriptor is malformed (the message gives the byte offset).</exception>
    public static HidDetachReport? FindDetachReport(ReadOnlySpan<byte> descriptor)
    {
        var globals = new Globals(0, 0, 0, 0);
        var stack = new Stack<Globals>();
        var usages = new List<(uint Minimum, uint Maximum, bool Extended)>();
        uint? usageMinimum = null;
        var reportBits = new Dictionary<(HidReportType, byte), long>();
        var found = new List<(HidReportType Type, byte Id, long Offset, long Bits)>();

        int offset = 0;
        while (offset < descriptor.Length)
        {
            byte prefix = descriptor[offset];
            if (prefix == LongItemPrefix)
            {
                // Long items (§6.2.2.3) carry no report layout; skip them.
                if (offset + 3 > descriptor.Length || offset + 3 + descriptor[offset + 1] > descriptor.Length)
                {
                    throw new FormatException($"The HID report descriptor ends inside a long item at offset {offset}.");
                }

                offset += 3 + descriptor[offset + 1];
                continue;
            }

            int size = (prefix & 0x03) == 3 ? 4 : prefix & 0x03;
            int type = (prefix >> 2) & 0x03;
            int tag = prefix >> 4;
            if (offset + 1 + size > descriptor.Length)
            {
                throw new FormatException($"The HID report descriptor ends inside the item at offset {offset}.");
            }

            uint data = 0;
            for (int i = 0; i < size; i++)
            {
                data |= (uint)descriptor[offset + 1 + i] << (8 * i);
            }

            switch (type)
            {
                case TypeMain:
                    if (tag is TagInput or TagOutput or TagFeature)
                    {
                        HidReportType reportType = tag switch
                        {
                            TagInput => HidReportType.Input,
                            TagOutput => HidReportType.Output,
                            _ => HidReportType.Feature,
                        };
                        long bits = (long)globals.ReportSize * globals.ReportCount;
                        var key = (reportType, globals.ReportId);
                        long start = reportBits.GetValueOrDefault(key);
                        if (start + bits > MaxReportBits)
                        {
                            throw new FormatException($"The HID report at offset {offset} is longer than {ushort.MaxValue} bytes.");
                        }

                        reportBits[key] = start + bits;
                        if (reportType != HidReportType.Input && bits > 0 && HasDetachUsage(usages, globals.UsagePage))
                        {
                            found.Add((reportType, globals.ReportId, start, bits));
                        }
                    }
                    else if (tag is not (TagCollection or TagEndCollection))
                    {
                        throw new FormatException($"The HID report descriptor has an unknown main item 0x{prefix:X2} at offset {offset}.");
                    }

                    // Local items apply to the next main item only (§6.2.2.8).
                    usages.Clear();
                    usageMinimum = null;
                    break;
                case TypeGlobal:
                    switch (tag)
                    {
                        case TagUsagePage:
                            globals = globals with { UsagePage = (ushort)data };
                            break;
                        case TagReportSize:
                            globals = globals with { ReportSize = data };
                            break;
                        case TagReportCount:
                            globals = globals with { ReportCount = data };
                            break;
                        case TagReportId:
                            if (data is 0 or > byte.MaxValue)
                            {
                                throw new FormatException($"The HID report descriptor has report id {data} at offset {offset}; ids are 1 to 255.");
                            }

                            globals = globals with { ReportId = (byte)data };
                            break;
                        case TagPush:
                            if (stack.Count >= MaxPushDepth)
                            {
                                throw new FormatException($"The HID report descriptor pushes more than {MaxPushDepth} levels at offset {offset}.");
                            }

                            stack.Push(globals);
                            break;
                        case TagPop:
                            if (!stack.TryPop(out Globals popped))
                            {
                                throw new FormatException($"The HID report descriptor pops an empty stack at offset {offset}.");
                            }

                            globals = popped;
                            break;
                    }

                    break;
                case TypeLocal:
                    switch (tag)
                    {
                        case TagUsage:
                            usages.Add((data, data, size == 4));
                            break;
                        case TagUsageMinimum:
                            usageMinimum = data;
                            break;
                        case TagUsageMaximum when usageMinimum is { } minimum:
                            usages.Add((minimum, data, size == 4));
                            usageMinimum = null;
                            break;
                    }

                    break;
            }

            offset += 1 + size;
        }

        (HidReportType Type, byte Id, long Offset, long Bits)? chosen = null;
        foreach (var candidate in found)
        {
            if (candidate.Type == HidReportType.Feature)
            {
                chosen = candidate;
                break;
            }

            chosen ??= candidate;
        }

        if (chosen is not { } report)
        {
            return null;
        }

        long total = reportBits[(report.Type, report.Id)];
        return new HidDetachReport(report.Id, report.Type, (int)((total + 7) / 8), (int)report.Offset, (int)report.Bits);
    }

    // A 4-byte usage carries its own page in the high 16 bits; a shorter one takes the current Usage Page (§6.2.2.8).
    private static bool HasDetachUsage(List<(uint Minimum, uint Maximum, bool Extended)> usages, ushort usagePage)
    {
        const uint Wanted = ((uint)HidDetachReport.VendorUsagePage << 16) | HidDetachReport.DetachUsage;
        foreach ((uint minimum, uint maximum, bool extended) in usages)
        {
            uint low = extended ? minimum : ((uint)usagePage << 16) | (minimum & 0xFFFF);
            uint high = extended ? maximum : ((uint)usagePage << 16) | (maximum & 0xFFFF);
            if (Wanted >= low && Wanted <= high)
            {
                return true;
            }
        }

        return false;
    }

    private readonly record struct Globals(ushort UsagePage, uint ReportSize, uint ReportCount, byte ReportId);
}
