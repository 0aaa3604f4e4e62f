using System.IO.Compression;
using System.Xml.Linq;

namespace DfuSharp.Packaging.Tests;

/// <summary>The packages made by this project's build (see the csproj), newest version of each id.</summary>
internal static class Packages
{
    private static string Folder => Path.Combine(AppContext.BaseDirectory, "packages");

    public static ZipArchive Open(string id, string extension)
    {
        // "DfuSharp.Core.0.1.0-alpha.0.5.nupkg": the id, then a version that starts with a digit.
        string[] paths = [.. Directory.EnumerateFiles(Folder, $"{id}.*{extension}")
            .Where(p => Path.GetFileName(p)[(id.Length + 1)..] is [>= '0' and <= '9', ..])
            .Where(p => p.EndsWith(extension, StringComparison.Ordinal))];
        paths.Should().ContainSingle("the build packs one version of {0} ({1}) into {2}", id, extension, Folder);
        return ZipFile.OpenRead(paths[0]);
    }

    public static XElement Metadata(ZipArchive package)
    {
        ZipArchiveEntry nuspec = package.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal) && !e.FullName.Contains('/', StringComparison.Ordinal));
        using Stream stream = nuspec.Open();
        XElement root = XDocument.Load(stream).Root!;

        // Libraries and tools get different nuspec schema namespaces; the tests read names only.
        foreach (XElement element in root.DescendantsAndSelf())
        {
            element.Name = element.Name.LocalName;
        }

        return root.Element("metadata")!;
    }

    /// <summary>The names of the folders right under <paramref name="prefix"/>.</summary>
    public static string[] Folders(ZipArchive package, string prefix)
        => [.. package.Entries.Select(e => e.FullName)
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal) && n.IndexOf('/', prefix.Length) > 0)
            .Select(n => n[prefix.Length..n.IndexOf('/', prefix.Length)])
            .Distinct()];

    public static byte[] ReadAll(ZipArchive package, string name)
    {
        using Stream stream = package.GetEntry(name)!.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
