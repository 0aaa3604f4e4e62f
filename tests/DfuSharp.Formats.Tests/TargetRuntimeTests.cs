namespace DfuSharp.Formats.Tests;

public sealed class TargetRuntimeTests
{
    // The net8.0 build runs self-contained on the .NET 8 runtime; rolling forward to a later one would hide what .NET 8 lacks.
    [Fact]
    public void Runtime_IsTheOneTheTestsTarget()
        => Environment.Version.Major.Should().Be(TargetRuntime.TargetMajorVersion(typeof(TargetRuntimeTests).Assembly));
}
