namespace DfuSharp.TestSupport;

/// <summary>Where the repository, its samples and the shared test vectors are.</summary>
public static class TestPaths
{
    private static readonly Lazy<string> s_repoRoot = new(FindRepoRoot);

    /// <summary>The repository root (the folder holding DfuSharp.sln).</summary>
    public static string RepoRoot => s_repoRoot.Value;

    /// <summary>
    /// The shared vectors folder: $DFUSHARP_VECTORS, or <c>../shared/vectors</c> beside the repository root.
    /// </summary>
    public static string VectorsDirectory =>
        Environment.GetEnvironmentVariable("DFUSHARP_VECTORS") is { Length: > 0 } v
            ? v
            : Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "vectors"));

    /// <summary>True when the shared vectors and their manifest are present.</summary>
    public static bool VectorsAvailable => File.Exists(Path.Combine(VectorsDirectory, "MANIFEST.json"));

    /// <summary>The reason vector tests are skipped, or null when they can run.</summary>
    public static string? VectorsSkipReason => VectorsAvailable
        ? null
        : $"shared test vectors not found at {VectorsDirectory} (set DFUSHARP_VECTORS)";

    /// <summary>A path inside the vectors folder.</summary>
    public static string Vector(string relativePath) => Path.Combine(VectorsDirectory, relativePath);

    /// <summary>A path inside the repository.</summary>
    public static string InRepo(params string[] parts) => Path.Combine([RepoRoot, .. parts]);

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "DfuSharp.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"DfuSharp.sln not found above {AppContext.BaseDirectory}");
    }
}
