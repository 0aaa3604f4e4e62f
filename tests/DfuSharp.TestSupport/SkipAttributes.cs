using Xunit;

namespace DfuSharp.TestSupport;

/// <summary>A fact that needs the shared vectors; skipped with the reason when they are absent.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class VectorsFactAttribute : FactAttribute
{
    /// <summary>Creates the attribute.</summary>
    public VectorsFactAttribute() => Skip = TestPaths.VectorsSkipReason;
}

/// <summary>A theory that needs the shared vectors; skipped with the reason when they are absent.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class VectorsTheoryAttribute : TheoryAttribute
{
    /// <summary>Creates the attribute.</summary>
    public VectorsTheoryAttribute() => Skip = TestPaths.VectorsSkipReason;
}

/// <summary>A fact that needs reference peer programs; skipped with the reason when any is missing.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PeerFactAttribute : FactAttribute
{
    /// <summary>Creates the attribute.</summary>
    public PeerFactAttribute(params string[] programs) => Skip = PeerTools.SkipReason(programs);
}

/// <summary>A theory that needs reference peer programs; skipped with the reason when any is missing.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PeerTheoryAttribute : TheoryAttribute
{
    /// <summary>Creates the attribute.</summary>
    public PeerTheoryAttribute(params string[] programs) => Skip = PeerTools.SkipReason(programs);
}

/// <summary>
/// A fact that needs real USB hardware. Mark it also with <c>[Trait("Category", "Hardware")]</c>; it runs only when
/// DFUSHARP_HARDWARE=1.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class HardwareFactAttribute : FactAttribute
{
    /// <summary>Creates the attribute.</summary>
    public HardwareFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("DFUSHARP_HARDWARE") != "1")
        {
            Skip = "needs a real DFU device; set DFUSHARP_HARDWARE=1 to run";
        }
    }
}
