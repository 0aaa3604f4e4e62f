using System.IO.Compression;
using System.Xml.Linq;

namespace DfuSharp.Packaging.Tests;

/// <summary>What each package holds: README, license, icon, release notes, XML docs, symbols and target frameworks.</summary>
public sealed class PackageContentsTests
{
    public static TheoryData<string, string> Libraries => new()
    {
        { "DfuSharp.Formats", "DfuSharp.Formats" },
        { "DfuSharp.Core", "DfuSharp" },
        { "DfuSharp.LibUsb", "DfuSharp.LibUsb" },
        { "DfuSharp.Simulation", "DfuSharp.Simulation" },
    };

    [Theory]
    [MemberData(nameof(Libraries))]
    public void Library_ForEachTargetFramework_HasItsAssemblyAndXmlDocs(string id, string assembly)
    {
        using ZipArchive package = Packages.Open(id, ".nupkg");

        Packages.Folders(package, "lib/").Should().BeEquivalentTo("net8.0", "net10.0");
        foreach (string tfm in new[] { "net8.0", "net10.0" })
        {
            package.GetEntry($"lib/{tfm}/{assembly}.dll").Should().NotBeNull(tfm);
            package.GetEntry($"lib/{tfm}/{assembly}.xml").Should().NotBeNull("every public member has XML docs ({0})", tfm);
        }
    }

    [Theory]
    [MemberData(nameof(Libraries))]
    public void Library_DependencyGroups_AreTheTargetFrameworks(string id, string assembly)
    {
        using ZipArchive package = Packages.Open(id, ".nupkg");

        XElement metadata = Packages.Metadata(package);

        metadata.Descendants("group").Select(g => (string?)g.Attribute("targetFramework"))
            .Should().BeEquivalentTo(new[] { "net8.0", "net10.0" }, "{0} packs {1}.dll for both", id, assembly);
    }

    [Theory]
    [MemberData(nameof(Libraries))]
    public void Library_Symbols_HavePortablePdbForEachTargetFramework(string id, string assembly)
    {
        using ZipArchive symbols = Packages.Open(id, ".snupkg");

        foreach (string tfm in new[] { "net8.0", "net10.0" })
        {
            ZipArchiveEntry? pdb = symbols.GetEntry($"lib/{tfm}/{assembly}.pdb");
            pdb.Should().NotBeNull(tfm);
            using var reader = new BinaryReader(pdb!.Open());
            reader.ReadUInt32().Should().Be(0x424A_5342u, "a portable PDB starts with the metadata signature BSJB");
        }
    }

    [Theory]
    [MemberData(nameof(Libraries))]
    [InlineData("dfusharp", "DfuSharp.Cli")]
    public void Package_Metadata_HasReadmeLicenseIconAndReleaseNotes(string id, string assembly)
    {
        using ZipArchive package = Packages.Open(id, ".nupkg");

        XElement metadata = Packages.Metadata(package);

        ((string?)metadata.Element("readme")).Should().Be("README.md");
        package.GetEntry("README.md")!.Length.Should().BePositive();
        XElement? license = metadata.Element("license");
        ((string?)license?.Attribute("type"), (string?)license).Should().Be(("expression", "MIT"));
        ((string?)metadata.Element("icon")).Should().Be("icon.png");
        Packages.ReadAll(package, "icon.png").Take(8).Should().Equal(0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A);
        ((string?)metadata.Element("releaseNotes")).Should().StartWith("[", "the notes are the changelog's newest section");
        ((string?)metadata.Element("description")).Should().NotBeNullOrWhiteSpace("{0} says what it is", assembly);
        if (Path.Exists(TestPaths.InRepo(".git")))
        {
            // Built from a clone: the package names the commit its sources came from (a source archive has none).
            ((string?)metadata.Element("repository")?.Attribute("commit")).Should().MatchRegex("^[0-9a-f]{40}$");
        }
    }

    [Fact]
    public void Tool_IsPlatformNeutralJitWithoutAnExecutable()
    {
        using ZipArchive package = Packages.Open("dfusharp", ".nupkg");

        XElement metadata = Packages.Metadata(package);

        metadata.Descendants("packageType").Select(t => (string?)t.Attribute("name")).Should().Equal("DotnetTool");
        Packages.Folders(package, "tools/").Should().Equal("net10.0");
        Packages.Folders(package, "tools/net10.0/").Should().Equal("any");
        package.GetEntry("tools/net10.0/any/DfuSharp.Cli.dll").Should().NotBeNull();
        package.GetEntry("tools/net10.0/any/DotnetToolSettings.xml").Should().NotBeNull();
        // A dependency's native libraries sit in NuGet's RID folders (runtimes/RID/native/), which the host picks by
        // platform; everything else is managed, and no executable of dfusharp itself is packed.
        const string runtimes = "tools/net10.0/any/runtimes/";
        foreach (ZipArchiveEntry entry in package.Entries.Where(e => e.FullName.StartsWith("tools/", StringComparison.Ordinal)))
        {
            if (entry.FullName.StartsWith(runtimes, StringComparison.Ordinal))
            {
                entry.FullName[runtimes.Length..].Split('/').Should().HaveCount(3, entry.FullName).And.HaveElementAt(1, "native");
                continue;
            }

            Packages.ReadAll(package, entry.FullName).Take(4).Should().NotEqual(new byte[] { 0x7F, (byte)'E', (byte)'L', (byte)'F' }, entry.FullName);
            Path.GetExtension(entry.FullName).Should().BeOneOf([".dll", ".json", ".xml", ".pdb"], entry.FullName);
        }
    }

    [Fact]
    public void Tool_CarriesTheConsoleLoggerForVerbose()
    {
        using ZipArchive package = Packages.Open("dfusharp", ".nupkg");

        // -v/--verbose and --log-level route the library's logs to standard error through the console logger.
        package.Entries.Select(e => e.FullName).Should().Contain("tools/net10.0/any/Microsoft.Extensions.Logging.Console.dll")
            .And.Contain("tools/net10.0/any/Microsoft.Extensions.Logging.dll");
    }
}
