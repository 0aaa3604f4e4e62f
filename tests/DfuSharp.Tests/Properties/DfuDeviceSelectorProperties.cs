using System.Globalization;
using CsCheck;

namespace DfuSharp.Tests.Properties;

/// <summary>Invariants of <see cref="DfuDeviceSelector.Parse"/> over generated selectors (CsCheck shrinks a failure).</summary>
public sealed class DfuDeviceSelectorProperties
{
    private const string Letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    private static readonly Gen<ushort?> s_id = Gen.UShort.Nullable();

    private static readonly Gen<string> s_serial = Gen.String[Gen.Char[Letters + "0123456789"], 1, 24];

    private static readonly Gen<string> s_path = Gen.Select(Gen.Int[1, 127], Gen.Int[1, 15].Array[1, 6],
        (bus, ports) => $"{bus}-{string.Join('.', ports)}");

    // A name is never a number (a number selects by alternate setting) and has no separator or outer space.
    private static readonly Gen<string> s_alternateName = Gen.Select(Gen.Char[Letters], Gen.String[Gen.Char[Letters + "0123456789 _/"], 0, 20],
        (first, rest) => (first + rest).TrimEnd());

    private static readonly Gen<DfuDeviceSelector> s_selector =
        Gen.Select(s_id, s_id, Gen.Bool, s_id, s_id, (vendor, product, dfuMode, dfuVendor, dfuProduct) => new DfuDeviceSelector
        {
            VendorId = vendor,
            ProductId = product,
            HasDfuModeIds = dfuMode,
            DfuVendorId = dfuMode ? dfuVendor : null,
            DfuProductId = dfuMode ? dfuProduct : null,
        })
        .SelectMany(ids => Gen.Select(s_serial.Null(), s_path.Null(), Gen.Byte.Nullable(), Gen.Byte.Nullable(), s_alternateName.Null(),
            (serial, path, intf, alt, altName) => ids with
            {
                SerialNumber = serial,
                PortPath = path,
                InterfaceNumber = intf,
                AlternateSetting = altName is null ? alt : null,
                AlternateName = altName,
            }))
        .Where(selector => selector != new DfuDeviceSelector());

    [Fact]
    public void Parse_OfToString_GivesTheSelector()
        => s_selector.Sample(selector => DfuDeviceSelector.Parse(selector.ToString()).Should().Be(selector));

    [Fact]
    public void Parse_KeyValuePartsInAnyOrderWithSpaces_GivesTheSameSelector()
        => s_selector.SelectMany(selector =>
            {
                string[] parts = selector.ToString().Split(',');
                string[] pairs = [.. parts.TakeWhile(p => !p.Contains('=', StringComparison.Ordinal))];
                return Gen.Shuffle(parts[pairs.Length..]).Select(keys => (selector, Text: string.Join(" , ", [.. pairs, .. keys])));
            })
            .Sample(sample => DfuDeviceSelector.Parse(sample.Text).Should().Be(sample.selector));

    [Fact]
    public void Parse_IdsInUpperCaseWithHexPrefix_GiveTheSameIds()
        => Gen.Select(Gen.UShort, Gen.UShort).Sample((vendor, product) =>
        {
            string text = string.Create(CultureInfo.InvariantCulture, $"0x{vendor:X4}:0X{product:X}");

            DfuDeviceSelector.Parse(text).Should().Be(new DfuDeviceSelector { VendorId = vendor, ProductId = product });
        });

    [Fact]
    public void WithAlternate_NumberOrName_SetsOneAndClearsTheOther()
        => Gen.Select(s_selector, Gen.Byte, s_alternateName).Sample((selector, number, name) =>
        {
            DfuDeviceSelector byNumber = selector.WithAlternate(number.ToString(CultureInfo.InvariantCulture));
            DfuDeviceSelector byName = selector.WithAlternate(name);

            byNumber.Should().Be(selector with { AlternateSetting = number, AlternateName = null });
            byName.Should().Be(selector with { AlternateSetting = null, AlternateName = name });
        });
}
