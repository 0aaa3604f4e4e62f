using DfuSharp.Hid;
using DfuSharp.Simulation;

namespace DfuSharp.Tests.Hid;

public sealed class HidReportDescriptorTests
{
    // The DETACH report ST gives for DfuSe (UM0412): vendor page 0xFF00, report id 0x80, usage 0x55, 8-bit Feature.
    private static readonly byte[] s_stDetach =
    [
        0xA1, 0x00, 0x06, 0x00, 0xFF, 0x85, 0x80, 0x09, 0x55, 0x15, 0x00, 0x26, 0xFF, 0x00,
        0x75, 0x08, 0x95, 0x01, 0xB1, 0x82, 0xC0,
    ];

    [Fact]
    public void FindDetachReport_StLayout_FeatureReport0x80OfOneByte()
        => HidReportDescriptor.FindDetachReport(s_stDetach).Should().Be(new HidDetachReport(0x80, HidReportType.Feature, 1, 0, 8));

    [Fact]
    public void FindDetachReport_HidRuntimeProfile_FindsTheDeclaredReport()
    {
        SimulatedDeviceProfile profile = SimulatedProfiles.HidRuntime;
        HidDetachReport? report = HidReportDescriptor.FindDetachReport(profile.HidReportDescriptor.AsSpan());
        report.Should().NotBeNull();
        ((byte)report!.Type).Should().Be(profile.HidDetachReport.Type);
        report.ReportId.Should().Be(profile.HidDetachReport.Id);
        report.Length.Should().Be(profile.HidDetachReport.Length);
    }

    [Fact]
    public void FindDetachReport_NoReportIdsOutputAfterOtherFields_OffsetAndLengthCountTheWholeReport()
    {
        byte[] descriptor =
        [
            0x06, 0x00, 0xFF,             // Usage Page (0xFF00)
            0x75, 0x08, 0x95, 0x02,       // Report Size 8, Count 2
            0x09, 0x01, 0x91, 0x02,       // Usage 1, Output: 16 bits
            0x75, 0x04, 0x95, 0x01,       // Report Size 4, Count 1
            0x09, 0x55, 0x91, 0x02,       // Usage 0x55, Output: 4 bits at bit 16
            0x09, 0x02, 0x91, 0x03,       // Usage 2, Output (constant padding): 4 bits
            0x95, 0x08, 0x09, 0x03, 0x81, 0x02, // Input: not counted in the Output report
        ];

        HidReportDescriptor.FindDetachReport(descriptor).Should().Be(new HidDetachReport(0, HidReportType.Output, 3, 16, 4));
    }

    [Fact]
    public void FindDetachReport_OutputAndFeature_PrefersFeature()
    {
        byte[] descriptor =
        [
            0x06, 0x00, 0xFF, 0x75, 0x08, 0x95, 0x01,
            0x85, 0x10, 0x09, 0x55, 0x91, 0x02,   // Output report 0x10
            0x85, 0x20, 0x09, 0x55, 0xB1, 0x02,   // Feature report 0x20
        ];

        HidReportDescriptor.FindDetachReport(descriptor)!.ReportId.Should().Be(0x20);
    }

    [Fact]
    public void FindDetachReport_ExtendedUsageAndUsageRange_BothRecognised()
    {
        byte[] extended = [0x05, 0x01, 0x75, 0x08, 0x95, 0x01, 0x0B, 0x55, 0x00, 0x00, 0xFF, 0xB1, 0x02];
        byte[] range = [0x06, 0x00, 0xFF, 0x75, 0x08, 0x95, 0x04, 0x19, 0x50, 0x29, 0x57, 0xB1, 0x02];

        HidReportDescriptor.FindDetachReport(extended).Should().Be(new HidDetachReport(0, HidReportType.Feature, 1, 0, 8));
        HidReportDescriptor.FindDetachReport(range).Should().Be(new HidDetachReport(0, HidReportType.Feature, 4, 0, 32));
    }

    [Theory]
    [InlineData(new byte[] { 0x05, 0x01, 0x09, 0x55, 0x75, 0x08, 0x95, 0x01, 0xB1, 0x02 })]             // usage 0x55 of Generic Desktop
    [InlineData(new byte[] { 0x06, 0x00, 0xFF, 0x09, 0x55, 0x75, 0x08, 0x95, 0x01, 0x81, 0x02 })]       // an Input field
    [InlineData(new byte[] { 0x06, 0x00, 0xFF, 0x09, 0x55, 0xA1, 0x01, 0x75, 0x08, 0x95, 0x01, 0x09, 0x01, 0xB1, 0x02, 0xC0 })] // 0x55 names the collection
    [InlineData(new byte[] { })]
    public void FindDetachReport_NoDetachField_Null(byte[] descriptor)
        => HidReportDescriptor.FindDetachReport(descriptor).Should().BeNull();

    [Fact]
    public void FindDetachReport_PushPop_RestoresGlobals()
    {
        byte[] descriptor =
        [
            0x06, 0x00, 0xFF, 0x75, 0x08, 0x95, 0x01,
            0xA4,                         // Push
            0x05, 0x01, 0x75, 0x10,       // Generic Desktop, 16-bit
            0xB4,                         // Pop: back to 0xFF00, 8-bit
            0x09, 0x55, 0xB1, 0x02,
        ];

        HidReportDescriptor.FindDetachReport(descriptor).Should().Be(new HidDetachReport(0, HidReportType.Feature, 1, 0, 8));
    }

    [Theory]
    [InlineData(new byte[] { 0x06, 0x00 }, 0)]                    // truncated Usage Page
    [InlineData(new byte[] { 0x09, 0x55, 0x27, 0x01 }, 2)]        // truncated 4-byte Logical Maximum
    [InlineData(new byte[] { 0x06, 0x00, 0xFF, 0x85, 0x00 }, 3)]  // report id 0
    [InlineData(new byte[] { 0xB4 }, 0)]                          // Pop of an empty stack
    [InlineData(new byte[] { 0xFE, 0x05, 0x10, 0x01 }, 0)]        // truncated long item
    [InlineData(new byte[] { 0x75, 0x08, 0x95, 0x01, 0xD1, 0x00 }, 4)] // unknown main item
    public void FindDetachReport_Malformed_FormatExceptionWithOffset(byte[] descriptor, int offset)
        => FluentActions.Invoking(() => HidReportDescriptor.FindDetachReport(descriptor))
            .Should().Throw<FormatException>().WithMessage($"*offset {offset}*");

    [Fact]
    public void FindDetachReport_ReportLongerThanAControlTransfer_FormatException()
    {
        byte[] descriptor = [0x06, 0x00, 0xFF, 0x77, 0xFF, 0xFF, 0x00, 0x00, 0x97, 0xFF, 0xFF, 0x00, 0x00, 0x09, 0x55, 0xB1, 0x02];
        FluentActions.Invoking(() => HidReportDescriptor.FindDetachReport(descriptor)).Should().Throw<FormatException>().WithMessage("*longer than*");
    }

    [Fact]
    public void FindDetachReport_RandomBytes_NeverCrashes()
    {
        var random = new Random(4);
        for (int i = 0; i < 2000; i++)
        {
            byte[] descriptor = new byte[random.Next(0, 64)];
            random.NextBytes(descriptor);
            try
            {
                HidDetachReport? report = HidReportDescriptor.FindDetachReport(descriptor);
                if (report is not null)
                {
                    report.Length.Should().BeInRange(1, ushort.MaxValue);
                    (report.FieldBitOffset + report.FieldBitLength).Should().BeLessThanOrEqualTo(report.Length * 8);
                }
            }
            catch (FormatException)
            {
            }
        }
    }

    [Fact]
    public void FindDetachReport_RandomLayouts_OffsetAndLengthMatchAnIndependentCount()
    {
        var random = new Random(55);
        for (int round = 0; round < 500; round++)
        {
            // Fields as (main item tag, report id, size, count); one of them is the DETACH field.
            int fields = random.Next(1, 12);
            int detachAt = random.Next(fields);
            var layout = new List<(byte Main, byte Id, int Size, int Count)>();
            for (int i = 0; i < fields; i++)
            {
                byte main = i == detachAt ? (random.Next(2) == 0 ? (byte)0x91 : (byte)0xB1) : new byte[] { 0x81, 0x91, 0xB1 }[random.Next(3)];
                layout.Add((main, (byte)random.Next(1, 4), random.Next(1, 17), random.Next(1, 5)));
            }

            var descriptor = new List<byte> { 0x06, 0x00, 0xFF, 0xA1, 0x01 };
            for (int i = 0; i < fields; i++)
            {
                (byte main, byte id, int size, int count) = layout[i];
                descriptor.AddRange([0x85, id, 0x75, (byte)size, 0x95, (byte)count, 0x09, i == detachAt ? (byte)0x55 : (byte)0x01, main, 0x02]);
            }

            descriptor.Add(0xC0);
            (byte detachMain, byte detachId, int detachSize, int detachCount) = layout[detachAt];
            int before = layout.Take(detachAt).Where(f => f.Main == detachMain && f.Id == detachId).Sum(f => f.Size * f.Count);
            int total = layout.Where(f => f.Main == detachMain && f.Id == detachId).Sum(f => f.Size * f.Count);

            HidReportDescriptor.FindDetachReport([.. descriptor]).Should().Be(new HidDetachReport(
                detachId, detachMain == 0xB1 ? HidReportType.Feature : HidReportType.Output, (total + 7) / 8, before, detachSize * detachCount), $"round {round}");
        }
    }
}
