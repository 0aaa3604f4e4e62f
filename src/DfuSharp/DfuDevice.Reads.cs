using System.Buffers;
using System.Collections.Immutable;
using DfuSharp.DfuSe;
using DfuSharp.Usb;

namespace DfuSharp;

/// <content>Reads: plain DFU and DfuSe uploads, and Get Commands.</content>
public sealed partial class DfuDevice
{
    // DFU 1.1 §6.2: DFU_UPLOAD blocks from 0 until a short frame (the device then returns to dfuIDLE) or the length;
    // a read that stops at a full frame leaves dfuUPLOAD-IDLE, which DFU_ABORT ends.
    private async Task<byte[]> ReadDfuAsync(long? length, long maxLength, DfuPhase phase, IProgress<DfuProgress>? progress, CancellationToken cancellationToken)
    {
        var output = new ArrayBufferWriter<byte>(length is { } l ? (int)Math.Min(l, 1 << 20) + 1 : 4096);
        int size = TransferSize;
        ushort block = 0;
        bool shortFrame = false;
        while (length is null || output.WrittenCount < length)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int want = length is { } total ? (int)Math.Min(size, total - output.WrittenCount) : size;
            Memory<byte> buffer = output.GetMemory(want)[..want];
            int got = await Client.UploadAsync(block, buffer, null, cancellationToken).ConfigureAwait(false);
            output.Advance(got);
            block = unchecked((ushort)(block + 1));
            progress?.Report(new DfuProgress(phase, output.WrittenCount, length ?? output.WrittenCount, DfuProgressUnit.Bytes));
            if (got < want)
            {
                shortFrame = true;
                break;
            }

            if (length is null && output.WrittenCount > maxLength)
            {
                throw new DfuProtocolException($"The device sent more than {maxLength} bytes without a short frame to end the upload.");
            }
        }

        if (!shortFrame)
        {
            await Client.AbortAsync(cancellationToken).ConfigureAwait(false);
        }

        return output.WrittenSpan.ToArray();
    }

    // ST AN3156 §6.2.2: Set Address Pointer, DFU_ABORT back to dfuIDLE, then DFU_UPLOAD from block 2; block n reads
    // (n − 2) × wTransferSize past the pointer. The pointer is set again before wBlockNum would wrap.
    private async Task<byte[]> ReadDfuSeAsync(uint address, int length, DfuPhase phase, IProgress<DfuProgress>? progress, long doneBefore, long total, CancellationToken cancellationToken)
    {
        byte[] result = new byte[length];
        int size = TransferSize;

        // The device computes block addresses with its own wTransferSize (ST's usbd_dfu.c uses the compile-time
        // USBD_DFU_XFER_SIZE), so with another block size every block gets its own pointer and is read as block 2.
        bool pointerPerBlock = size != Descriptor.TransferSize;
        int offset = 0;
        while (offset < length)
        {
            uint pointer = address + (uint)offset;
            await DfuSeCommandAsync(DfuSeCommands.SetAddress(pointer), $"Setting the address pointer to 0x{pointer:X8}", pointer, slow: false, cancellationToken).ConfigureAwait(false);
            await Client.AbortAsync(cancellationToken).ConfigureAwait(false);
            int lastBlock = pointerPerBlock ? DfuSeCommands.FirstDataBlock : ushort.MaxValue;
            for (int block = DfuSeCommands.FirstDataBlock; block <= lastBlock && offset < length; block++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int want = Math.Min(size, length - offset);
                int got;
                try
                {
                    got = await Client.UploadAsync((ushort)block, result.AsMemory(offset, want), null, cancellationToken).ConfigureAwait(false);
                }
                catch (UsbTransportException ex)
                {
                    throw AtAddress(ex, address + (uint)offset);
                }

                if (got != want)
                {
                    throw new DfuProtocolException($"Reading 0x{address + (uint)offset:X8}: DFU_UPLOAD block {block} returned {got} of {want} bytes.");
                }

                offset += got;
                progress?.Report(new DfuProgress(phase, doneBefore + offset, total, DfuProgressUnit.Bytes));
            }

            await Client.AbortAsync(cancellationToken).ConfigureAwait(false);
        }

        return result;
    }

    private async Task<ImmutableArray<DfuSeCommand>> GetCommandsCoreAsync(CancellationToken cancellationToken)
    {
        await EnsureIdleAsync(cancellationToken).ConfigureAwait(false);
        byte[] buffer = new byte[Math.Min(TransferSize, 256)];
        int got = await Client.UploadAsync(DfuSeCommands.CommandBlock, buffer, null, cancellationToken).ConfigureAwait(false);
        ImmutableArray<DfuSeCommand> commands = DfuSeCommands.ParseCommandList(buffer.AsSpan(0, got));
        await EnsureIdleAsync(cancellationToken).ConfigureAwait(false);
        return commands;
    }

}
