using System.Buffers.Binary;
using System.Collections.Immutable;

namespace DfuSharp.DfuSe;

/// <summary>The DfuSe commands sent in DFU_DNLOAD block 0 (ST AN3156 §6), identified by their first byte.</summary>
public enum DfuSeCommand : byte
{
    /// <summary>Get Commands: read with DFU_UPLOAD block 0; lists the commands the bootloader supports.</summary>
    GetCommands = 0x00,

    /// <summary>Set Address Pointer: the address of the next write, read or leave.</summary>
    SetAddress = 0x21,

    /// <summary>Erase: a page at an address, or the whole memory when no address follows (mass erase).</summary>
    Erase = 0x41,

    /// <summary>Read Unprotect: remove read protection; the device mass-erases and resets.</summary>
    ReadUnprotect = 0x92,
}

/// <summary>Encodes DfuSe command payloads (ST AN3156 §6.3) and decodes the Get Commands reply. Pure: no I/O.</summary>
public static class DfuSeCommands
{
    /// <summary>The length of a command that carries an address: the command byte and a 32-bit little-endian address.</summary>
    public const int AddressCommandLength = 5;

    /// <summary>wBlockNum of a DfuSe command (ST AN3156 §6.3: commands go in block 0).</summary>
    public const ushort CommandBlock = 0;

    /// <summary>The first wBlockNum that carries data (ST AN3156 §6.3.6: address = (wBlockNum − 2) × wTransferSize + pointer).</summary>
    public const ushort FirstDataBlock = 2;

    /// <summary>Encodes Set Address Pointer (0x21 followed by the address).</summary>
    /// <param name="address">The address.</param>
    /// <returns>The 5-byte payload.</returns>
    public static byte[] SetAddress(uint address) => WithAddress(DfuSeCommand.SetAddress, address);

    /// <summary>Encodes Erase of the page that contains <paramref name="address"/> (0x41 followed by the address).</summary>
    /// <param name="address">An address in the page.</param>
    /// <returns>The 5-byte payload.</returns>
    public static byte[] Erase(uint address) => WithAddress(DfuSeCommand.Erase, address);

    /// <summary>Encodes Mass Erase (0x41 alone).</summary>
    /// <returns>The 1-byte payload.</returns>
    public static byte[] MassErase() => [(byte)DfuSeCommand.Erase];

    /// <summary>Encodes Read Unprotect (0x92 alone).</summary>
    /// <returns>The 1-byte payload.</returns>
    public static byte[] ReadUnprotect() => [(byte)DfuSeCommand.ReadUnprotect];

    /// <summary>Decodes the reply to Get Commands (DFU_UPLOAD block 0): one byte per supported command.</summary>
    /// <param name="reply">The bytes the device sent.</param>
    /// <returns>The commands, in the device's order.</returns>
    /// <exception cref="DfuProtocolException">The reply is empty or does not start with the Get Commands byte (0x00).</exception>
    public static ImmutableArray<DfuSeCommand> ParseCommandList(ReadOnlySpan<byte> reply)
    {
        if (reply.IsEmpty || reply[0] != (byte)DfuSeCommand.GetCommands)
        {
            throw new DfuProtocolException(
                $"The Get Commands reply must start with 0x00 (ST AN3156 §6.2.1); the device sent {Convert.ToHexString(reply)}.");
        }

        var builder = ImmutableArray.CreateBuilder<DfuSeCommand>(reply.Length);
        foreach (byte b in reply)
        {
            builder.Add((DfuSeCommand)b);
        }

        return builder.MoveToImmutable();
    }

    private static byte[] WithAddress(DfuSeCommand command, uint address)
    {
        byte[] payload = new byte[AddressCommandLength];
        payload[0] = (byte)command;
        BinaryPrimitives.WriteUInt32LittleEndian(payload.AsSpan(1), address);
        return payload;
    }
}
