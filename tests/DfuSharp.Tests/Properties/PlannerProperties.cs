using System.Globalization;
using CsCheck;
using DfuSharp.DfuSe;
using DfuSharp.Formats;
using DfuSharp.Planning;
using DfuSharp.Tests.Planning;
using DfuSharp.Usb;

namespace DfuSharp.Tests.Properties;

/// <summary>Invariants of <see cref="TransferPlanner"/> over generated layouts, images and options (CsCheck shrinks a
/// failure): the erase set, write coverage, block numbers, and verify and backup coverage.</summary>
public sealed class PlannerProperties
{
    private const string AccessLetters = "abcdefg";

    private static readonly string[] s_realLayouts =
    [
        "@Internal Flash  /0x08000000/04*016Kg,01*064Kg,07*128Kg",
        "@Internal Flash  /0x08003000/116*001Kg",
        "@Internal Flash  /0x08000000/128*002Kg",
        "@Boot/0x08000000/12*001Ka,116*001Kg",
        "@Internal Flash  /0x08000000/04*032Kg,01*128Kg,03*256Kg",
    ];

    private static readonly Gen<string> s_group = Gen.Select(Gen.Int[1, 8], Gen.OneOf(1, 2, 4, 16), Gen.Char[AccessLetters],
        (count, kilobytes, letter) => string.Create(CultureInfo.InvariantCulture, $"{count:D2}*{kilobytes:D3}K{letter}"));

    // A region's first group is always readable, erasable and writable, so every layout has room for an image.
    private static readonly Gen<string> s_region = Gen.Select(Gen.Int[1, 8], Gen.OneOf(1, 2, 4, 16), s_group.Array[0, 3],
        (count, kilobytes, rest) => string.Join(',', [string.Create(CultureInfo.InvariantCulture, $"{count:D2}*{kilobytes:D3}Kg"), .. rest]));

    private static readonly Gen<string> s_generatedLayout = Gen.Select(Gen.Int[0, 15], s_region, s_region.Null(), Gen.Int[0, 4],
        (start, first, second, gap) =>
        {
            uint address = 0x0800_0000 + ((uint)start << 16);
            string text = string.Create(CultureInfo.InvariantCulture, $"@Internal Flash  /0x{address:X8}/{first}");
            if (second is null)
            {
                return text;
            }

            ulong end = DfuSeMemoryLayout.Parse(text).Regions[0].End;
            ulong next = ((end + 0xFFFF) & ~0xFFFFUL) + ((ulong)gap << 16);
            return string.Create(CultureInfo.InvariantCulture, $"{text}/0x{next:X8}/{second}");
        });

    private static readonly Gen<string> s_layout = Gen.Frequency((1, Gen.OneOf(s_realLayouts)), (2, s_generatedLayout));

    private static readonly Gen<(int Index, int Offset, int Length, int Seed)> s_chunk =
        Gen.Select(Gen.Int[0, 1 << 16], Gen.Int[0, 1 << 20], Gen.Int[1, 6000], Gen.Int);

    private static readonly Gen<(int TransferSize, int DeviceTransferSize, bool StRom)> s_sizes =
        Gen.Select(Gen.Int[64, 4096], Gen.Frequency((3, Gen.Const(0)), (1, Gen.OneOf(1024, 2048))), Gen.Bool,
            (transfer, own, stRom) => (transfer, own == 0 ? transfer : own, stRom));

    private static readonly Gen<DownloadOptions> s_options =
        Gen.Select(Gen.Enum<DfuPacing>().Nullable(), Gen.Enum<DfuAddressing>().Nullable(), Gen.Enum<DfuSeEraseMode>(), Gen.Bool, Gen.Bool,
            (pacing, addressing, erase, verify, leave) => new DownloadOptions
            {
                Pacing = pacing,
                Addressing = addressing,
                Erase = erase,
                Verify = verify,
                Leave = leave,
            });

    private static readonly Gen<PlanCase> s_case =
        Gen.Select(s_layout, Gen.Bool, s_chunk.Array[1, 4], s_sizes, s_options, (generated, backup, chunks, sizes, options) =>
        {
            // A backup before a mass erase reads every erasable sector, so each of them must be readable ('b' and 'f' are not).
            string text = backup && options.Erase == DfuSeEraseMode.Mass
                ? generated.Replace("Kb", "Kc", StringComparison.Ordinal).Replace("Kf", "Kg", StringComparison.Ordinal)
                : generated;
            DfuSeMemoryLayout layout = DfuSeMemoryLayout.Parse(text);
            MemoryImage image = Image(layout, backup, chunks);
            return new PlanCase(text, layout, image, sizes.TransferSize, sizes.DeviceTransferSize, sizes.StRom,
                backup ? options with { Backup = (_, _) => ValueTask.CompletedTask } : options);
        });

    [Fact]
    public void Plan_ErasedSectors_LieInTheLayoutAndAreErasedAtMostOnce()
        => s_case.Sample(test =>
        {
            TransferPlan plan = test.Plan();
            TransferStep[] erases = [.. plan.Steps.Where(s => s.Kind == TransferStepKind.Erase)];

            foreach (TransferStep erase in erases)
            {
                DfuSeSector? sector = test.Layout.FindSector(erase.Address);
                sector.Should().NotBeNull();
                sector!.Value.Address.Should().Be(erase.Address);
                sector.Value.Size.Should().Be((uint)erase.Length);
                (sector.Value.Access & DfuSeSectorAccess.Erasable).Should().NotBe(DfuSeSectorAccess.None);
            }

            erases.Select(e => e.Address).Should().OnlyHaveUniqueItems();
            int massErases = plan.Steps.Count(s => s.Kind == TransferStepKind.MassErase);
            switch (test.Options.Erase)
            {
                case DfuSeEraseMode.Mass:
                    massErases.Should().Be(1);
                    erases.Should().BeEmpty();
                    break;
                case DfuSeEraseMode.None:
                    massErases.Should().Be(0);
                    erases.Should().BeEmpty();
                    break;
                default:
                    massErases.Should().Be(0);
                    break;
            }
        }, print: Describe);

    [Fact]
    public void Plan_SectorErase_ErasesExactlyTheErasableSectorsTheImageTouches()
        => s_case.Select(test => test with { Options = test.Options with { Erase = DfuSeEraseMode.Sectors } }).Sample(test =>
        {
            TransferPlan plan = test.Plan();
            uint[] touched = [.. test.Image.Segments
                .SelectMany(s => test.Layout.GetSectors(s.Address, (ulong)s.Data.Length))
                .Where(s => (s.Access & DfuSeSectorAccess.Erasable) != 0)
                .Select(s => s.Address)
                .Distinct()
                .Order()];

            plan.Steps.Where(s => s.Kind == TransferStepKind.Erase).Select(s => s.Address).Order().Should().Equal(touched);
        }, print: Describe);

    [Fact]
    public void Plan_SkipUnchanged_ChecksEveryReadableErasedSectorOnce_StepsAsWithoutIt()
        => s_case.Sample(test =>
        {
            TransferPlan plain = test.Plan();
            TransferPlan checking = (test with { Options = test.Options with { SkipUnchanged = true } }).Plan();

            checking.Steps.Should().Equal(plain.Steps, "the check pass comes on top of the plan; it changes no step");
            plain.Check.Should().BeEmpty();
            var checks = checking.Check.Where(s => s.Kind == TransferStepKind.Check).ToList();
            checking.Check.Where(s => s.Kind != TransferStepKind.SelectAlternateSetting).Should().Equal(checks);
            long checkedBytes = checks.Sum(s => (long)s.Length);
            long readableErased = plain.Steps.Where(s => s.Kind == TransferStepKind.Erase
                    && (test.Layout.FindSector(s.Address)!.Value.Access & DfuSeSectorAccess.Readable) != 0)
                .Sum(s => (long)s.Length);
            checkedBytes.Should().Be(readableErased);
            foreach (TransferStep check in checks)
            {
                DfuSeSector sector = test.Layout.FindSector(check.Address)!.Value;
                (check.Address + (ulong)check.Length).Should().BeLessThanOrEqualTo(sector.End, "a check read stays inside its sector");
            }

            // Nothing read back changes nothing.
            TransferPlanner.ApplyReadBack(checking, []).Steps.Should().Equal(checking.Steps);
        }, print: Describe);

    [Fact]
    public void Plan_WriteSteps_CoverTheImageExactly()
        => s_case.Sample(test =>
        {
            TransferPlan plan = test.Plan();
            TransferStep[] writes = [.. plan.Steps.Where(s => s.Kind == TransferStepKind.Write)];

            foreach (TransferStep write in writes)
            {
                write.Length.Should().BeInRange(1, test.TransferSize);
                ReadOnlyMemory<byte> data = plan.GetData(write);
                data.Length.Should().Be(write.Length);
                test.Image.Slice(write.Address, (ulong)write.Length).Should().Be(MemoryImage.FromMemory(write.Address, data), "{0} sends the image's bytes", write);
            }

            writes.Sum(w => (long)w.Length).Should().Be(test.Image.DataBytes, "no byte is written twice");
            Union(writes.Select(Range)).Should().Equal(Union(test.Image.Segments.Select(s => ((ulong)s.Address, s.End))));
        }, print: Describe);

    [Fact]
    public void Plan_WriteBlocks_NeverWrapAndAgreeWithTheLastAddressPointer()
        => s_case.Sample(test => ShouldNumberBlocksFromTheLastAddressPointer(test.Plan()), print: Describe);

    // Segments longer than 65534 blocks, where wBlockNum would wrap to the command block 0 (ST AN3156 §6.3.6).
    [Fact]
    public void Plan_AddressOnceOverMoreThan65534Blocks_NeverWrapsIntoTheCommandBlocks()
        => Gen.Select(Gen.Int[64, 72], Gen.Int[65_534, 65_540], Gen.Int[0, 63], Gen.Int, Gen.Bool)
            .Sample((transfer, blocks, tail, seed, stRom) =>
            {
                var test = new PlanCase("@Internal Flash  /0x08000000/08*001Mg", DfuSeMemoryLayout.Parse("@Internal Flash  /0x08000000/08*001Mg"),
                    MemoryImage.FromBytes(0x0800_0000, Bytes((blocks * transfer) + tail, seed)), transfer, transfer, stRom,
                    new DownloadOptions { Addressing = DfuAddressing.AddressOnce, Erase = DfuSeEraseMode.None });
                TransferPlan plan = test.Plan();

                ShouldNumberBlocksFromTheLastAddressPointer(plan);
                plan.Steps.Should().Contain(s => s.Kind == TransferStepKind.Write && s.Block == ushort.MaxValue);
                plan.Steps.Where(s => s.Kind == TransferStepKind.Write).Sum(s => (long)s.Length).Should().Be(test.Image.DataBytes);
            }, iter: 10);

    [Fact]
    public void Plan_VerifySteps_CoverExactlyTheWrittenBytes()
        => s_case.Sample(test =>
        {
            TransferPlan plan = test.Plan();
            TransferStep[] verifies = [.. plan.Steps.Where(s => s.Kind == TransferStepKind.Verify)];

            if (!test.Options.Verify)
            {
                verifies.Should().BeEmpty();
                return;
            }

            verifies.Sum(v => (long)v.Length).Should().Be(test.Image.DataBytes, "no byte is read back twice");
            Union(verifies.Select(Range)).Should().Equal(Union(test.Image.Segments.Select(s => ((ulong)s.Address, s.End))));
            ShouldReadBlockByBlockWhenTheSizeIsNotTheDevicesOwn(test, verifies);
        }, print: Describe);

    [Fact]
    public void Plan_BackupSteps_CoverExactlyTheErasedSectorsAndTheOverwrittenBytesFirst()
        => s_case.Sample(test =>
        {
            TransferPlan plan = test.Plan();
            TransferStep[] backups = [.. plan.Steps.Where(s => s.Kind == TransferStepKind.Backup)];

            if (test.Options.Backup is null)
            {
                backups.Should().BeEmpty();
                return;
            }

            IEnumerable<(ulong Start, ulong End)> erased = test.Options.Erase == DfuSeEraseMode.Mass
                ? test.Layout.Sectors.Where(s => (s.Access & DfuSeSectorAccess.Erasable) != 0).Select(s => ((ulong)s.Address, s.End))
                : plan.Steps.Where(s => s.Kind == TransferStepKind.Erase).Select(Range);
            IEnumerable<(ulong Start, ulong End)> overwritten = test.Image.Segments.Select(s => ((ulong)s.Address, s.End));

            backups.Sum(b => (long)b.Length).Should().Be(Union(backups.Select(Range)).Sum(r => (long)(r.End - r.Start)), "no byte is backed up twice");
            Union(backups.Select(Range)).Should().Equal(Union(erased.Concat(overwritten)));
            int lastBackup = plan.Steps.LastIndexOf(backups[^1]);
            plan.Steps.Take(lastBackup).Should().NotContain(s => s.Kind == TransferStepKind.Erase || s.Kind == TransferStepKind.MassErase || s.Kind == TransferStepKind.Write);
            ShouldReadBlockByBlockWhenTheSizeIsNotTheDevicesOwn(test, backups);
        }, print: Describe);

    [Fact]
    public void Plan_PlainDfu_BlocksNumberFromZeroAndTheManifestBlockFollowsTheLastWrite()
        => Gen.Select(Gen.Int[1, 20_000], Gen.Int, s_sizes, Gen.Enum<DfuPacing>().Nullable(), Gen.Bool.Array[5])
            .Sample((length, seed, sizes, pacing, flags) =>
            {
                byte[] firmware = Bytes(length, seed);
                bool tolerant = flags[0];
                bool reset = flags[1];
                var device = new DfuTargetDevice
                {
                    VendorId = 0x1209,
                    ProductId = 0xDF11,
                    Descriptor = new DfuFunctionalDescriptor(
                        DfuAttributes.CanDownload | DfuAttributes.CanUpload | (tolerant ? DfuAttributes.ManifestationTolerant : 0),
                        255, (ushort)sizes.DeviceTransferSize, 0x0110),
                    AlternateSettings = [PlanTranscriptTests.Setting(0, "Flash")],
                    TransferSize = sizes.TransferSize,
                };
                var options = new DownloadOptions
                {
                    Pacing = pacing,
                    ResetAfterManifest = reset,

                    // DFU 1.1 §7: a device that is neither manifestation tolerant nor reset cannot answer a verify.
                    Verify = flags[2] && (tolerant || reset),
                    Backup = flags[3] ? (_, _) => ValueTask.CompletedTask : null,
                    Leave = flags[4],
                };

                TransferPlan plan = TransferPlanner.Plan(device, new DfuFile { Firmware = firmware }, options);
                var steps = plan.Steps.ToList();
                TransferStep[] writes = [.. steps.Where(s => s.Kind == TransferStepKind.Write)];

                writes.Should().HaveCount((length + sizes.TransferSize - 1) / sizes.TransferSize);
                for (int i = 0; i < writes.Length; i++)
                {
                    writes[i].Block.Should().Be((ushort)i);
                    writes[i].Address.Should().Be((uint)(i * sizes.TransferSize));
                    writes[i].Length.Should().Be(Math.Min(sizes.TransferSize, length - (i * sizes.TransferSize)));
                    plan.GetData(writes[i]).ToArray().Should().Equal(firmware.AsSpan(i * sizes.TransferSize, writes[i].Length).ToArray());
                }

                int last = steps.LastIndexOf(writes[^1]);
                steps[last + 1].Should().Be(new TransferStep(TransferStepKind.Manifest, 0, Block: (ushort)writes.Length));
                steps.Count(s => s.Kind == TransferStepKind.Manifest).Should().Be(1);
                plan.Pacing.Should().Be(pacing ?? DfuPacing.Adaptive);
            });

    private static void ShouldNumberBlocksFromTheLastAddressPointer(TransferPlan plan)
    {
        uint? pointer = null;
        foreach (TransferStep step in plan.Steps)
        {
            if (step.Kind == TransferStepKind.SetAddress)
            {
                pointer = step.Address;
                continue;
            }

            if (step.Kind != TransferStepKind.Write)
            {
                pointer = null;
                continue;
            }

            // ST's ROM writes block n at pointer + (n − 2) × wLength; blocks 0 and 1 are the command and reserved blocks.
            string? wrong = step.Block < DfuSeCommands.FirstDataBlock ? "is a command or reserved block"
                : pointer is not { } at ? "follows no Set Address Pointer"
                : at + ((ulong)(step.Block - DfuSeCommands.FirstDataBlock) * (ulong)plan.TransferSize) != step.Address
                    ? string.Create(CultureInfo.InvariantCulture, $"is not at (wBlockNum − 2) × {plan.TransferSize} past 0x{at:X8}")
                : step.Block != DfuSeCommands.FirstDataBlock && plan.Addressing != DfuAddressing.AddressOnce ? "counts up without address-once"
                : step.Block != DfuSeCommands.FirstDataBlock && step.Length != plan.TransferSize ? "is short but not the first after a pointer"
                : null;
            wrong.Should().BeNull("\"{0}\" must be a data block at its pointer's offset", step);
        }
    }

    private static void ShouldReadBlockByBlockWhenTheSizeIsNotTheDevicesOwn(PlanCase test, IEnumerable<TransferStep> reads)
    {
        foreach (TransferStep read in reads)
        {
            read.Block.Should().Be(DfuSeCommands.FirstDataBlock);
            if (test.TransferSize != test.DeviceTransferSize)
            {
                read.Length.Should().BeLessThanOrEqualTo(test.TransferSize);
            }
        }
    }

    private static MemoryImage Image(DfuSeMemoryLayout layout, bool backup, (int Index, int Offset, int Length, int Seed)[] chunks)
    {
        // Data goes only to writable sectors, and to readable ones when a backup must read them first.
        DfuSeSector[] usable = [.. layout.Sectors.Where(s => (s.Access & DfuSeSectorAccess.Writable) != 0
            && (!backup || (s.Access & DfuSeSectorAccess.Readable) != 0))];
        MemoryImage image = MemoryImage.Empty;
        foreach (var (index, offset, length, seed) in chunks)
        {
            int first = index % usable.Length;
            ulong end = usable[first].End;
            for (int next = first + 1; next < usable.Length && usable[next].Address == end; next++)
            {
                end = usable[next].End;
            }

            uint start = usable[first].Address + (uint)(offset % (int)usable[first].Size);
            int size = (int)Math.Min((ulong)length, end - start);
            image = image.Merge(MemoryImage.FromBytes(start, Bytes(size, seed)), MemoryOverlapPolicy.LaterWins);
        }

        return image;
    }

    private static byte[] Bytes(int length, int seed)
    {
        byte[] data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    private static (ulong Start, ulong End) Range(TransferStep step) => (step.Address, (ulong)step.Address + (ulong)step.Length);

    private static List<(ulong Start, ulong End)> Union(IEnumerable<(ulong Start, ulong End)> ranges)
    {
        var union = new List<(ulong Start, ulong End)>();
        foreach (var (start, end) in ranges.Where(r => r.End > r.Start).OrderBy(r => r.Start))
        {
            if (union.Count > 0 && start <= union[^1].End)
            {
                union[^1] = (union[^1].Start, Math.Max(union[^1].End, end));
            }
            else
            {
                union.Add((start, end));
            }
        }

        return union;
    }

    private static string Describe(PlanCase test) => test.ToString();

    private sealed record PlanCase(string LayoutText, DfuSeMemoryLayout Layout, MemoryImage Image, int TransferSize, int DeviceTransferSize,
        bool StRom, DownloadOptions Options)
    {
        public TransferPlan Plan()
        {
            var device = new DfuTargetDevice
            {
                VendorId = StRom ? (ushort)0x0483 : (ushort)0x1209,
                ProductId = 0xDF11,
                DeviceVersion = 0x2200,
                Descriptor = new DfuFunctionalDescriptor(
                    DfuAttributes.CanDownload | DfuAttributes.CanUpload | DfuAttributes.ManifestationTolerant, 255, (ushort)DeviceTransferSize, 0x011A),
                AlternateSettings = [PlanTranscriptTests.Setting(0, LayoutText)],
                TransferSize = TransferSize,
            };
            return TransferPlanner.Plan(device, Image, 0, Options);
        }

        public override string ToString()
            => string.Create(CultureInfo.InvariantCulture,
                $"layout \"{LayoutText}\", image [{string.Join(", ", Image.Segments.Select(s => $"0x{s.Address:X8}+{s.Data.Length}"))}], " +
                $"transfer {TransferSize} (device {DeviceTransferSize}), {(StRom ? "0483:df11" : "1209:df11")}, pacing {Options.Pacing?.ToString() ?? "default"}, " +
                $"addressing {Options.Addressing?.ToString() ?? "default"}, erase {Options.Erase}, backup {Options.Backup is not null}, verify {Options.Verify}, leave {Options.Leave}");
    }
}
