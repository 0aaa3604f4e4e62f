using System.Reflection;
using System.Runtime.Versioning;

namespace DfuSharp.TestSupport;

/// <summary>Which .NET a test assembly was built for, to check that it runs on that runtime and not a later one.</summary>
public static class TargetRuntime
{
    /// <summary>The major .NET version of the assembly's target framework (8 for net8.0).</summary>
    public static int TargetMajorVersion(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        string name = assembly.GetCustomAttribute<TargetFrameworkAttribute>()?.FrameworkName
                      ?? throw new InvalidOperationException($"{assembly.GetName().Name} has no TargetFrameworkAttribute");
        return new FrameworkName(name).Version.Major;
    }
}
