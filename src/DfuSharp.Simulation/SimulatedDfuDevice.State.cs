using System.Text;

namespace DfuSharp.Simulation;

/// <summary>Saving and loading what the device remembers across power cycles: its memories and its protection.</summary>
public sealed partial class SimulatedDfuDevice
{
    private const uint StateMagic = 0x4D49_5344; // "DSIM" little-endian
    private const int StateVersion = 1;

    /// <summary>Writes the device's non-volatile state (memories, firmware image, read protection) to a stream.</summary>
    /// <param name="stream">A writable stream.</param>
    /// <exception cref="IOException">The stream could not be written.</exception>
    public void SaveState(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        lock (_gate)
        {
            using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
            writer.Write(StateMagic);
            writer.Write(StateVersion);
            writer.Write(_home.Name);
            writer.Write(_readProtected);
            writer.Write(_banks.Count);
            foreach (MemoryBank bank in _banks)
            {
                writer.Write(bank.Base);
                writer.Write(bank.Data.Length);
                writer.Write(bank.Data);
            }

            writer.Write(_firmware.Length);
            writer.Write(_firmwareLength);
            writer.Write(_firmware, 0, _firmwareLength);
        }
    }

    /// <summary>Replaces the device's non-volatile state with one saved by <see cref="SaveState"/> from the same profile.</summary>
    /// <param name="stream">A readable stream.</param>
    /// <exception cref="InvalidDataException">The stream does not hold a state of this profile, or it is truncated or
    /// inconsistent; the message ends with the byte offset of the field that is wrong (for a seekable stream).</exception>
    /// <exception cref="IOException">The stream could not be read.</exception>
    public void LoadState(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        long origin = stream.CanSeek ? stream.Position : 0;
        long At() => stream.CanSeek ? stream.Position - origin : -1;
        InvalidDataException Corrupt(long offset, string message, Exception? inner = null)
            => new(offset >= 0 ? $"{message} (at byte offset {offset})" : message, inner);

        lock (_gate)
        {
            using var reader = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
            long field = 0;
            try
            {
                if (reader.ReadUInt32() != StateMagic)
                {
                    throw Corrupt(field, "Not a simulated device state: bad magic");
                }

                field = At();
                int version = reader.ReadInt32();
                if (version != StateVersion)
                {
                    throw Corrupt(field, $"Simulated device state version {version} is not supported (expected {StateVersion})");
                }

                field = At();
                string name = reader.ReadString();
                if (name != _home.Name)
                {
                    throw Corrupt(field, $"The state belongs to profile \"{name}\", not \"{_home.Name}\"");
                }

                field = At();
                bool readProtected = reader.ReadBoolean();
                field = At();
                int banks = reader.ReadInt32();
                if (banks != _banks.Count)
                {
                    throw Corrupt(field, banks < 0
                        ? $"The state's memory count is corrupt ({(uint)banks:X8}); profile \"{name}\" has {_banks.Count}"
                        : $"The state has {banks} memories; profile \"{name}\" has {_banks.Count}");
                }

                var contents = new byte[banks][];
                for (int i = 0; i < banks; i++)
                {
                    field = At();
                    uint address = reader.ReadUInt32();
                    int length = reader.ReadInt32();
                    if (address != _banks[i].Base || length != _banks[i].Data.Length)
                    {
                        throw Corrupt(field,
                            $"Memory {i} in the state is 0x{address:X8}+{length}; the profile has 0x{_banks[i].Base:X8}+{_banks[i].Data.Length}");
                    }

                    field = At();
                    contents[i] = ReadExactly(reader, length, $"memory {i}", field);
                }

                field = At();
                int capacity = reader.ReadInt32();
                int firmwareLength = reader.ReadInt32();
                if (capacity != _firmware.Length || firmwareLength < 0 || firmwareLength > capacity)
                {
                    throw Corrupt(field, $"The state's firmware store ({firmwareLength} of {capacity} bytes) does not fit this profile's {_firmware.Length} bytes");
                }

                field = At();
                byte[] firmware = ReadExactly(reader, firmwareLength, "the firmware store", field);
                if (stream.CanSeek && stream.Position != stream.Length)
                {
                    throw Corrupt(At(), $"The state has {stream.Length - stream.Position} bytes after its end");
                }

                for (int i = 0; i < banks; i++)
                {
                    contents[i].CopyTo(_banks[i].Data, 0);
                }

                _firmware.AsSpan().Fill(0xFF);
                firmware.CopyTo(_firmware, 0);
                _firmwareLength = firmwareLength;
                _readProtected = readProtected;
            }
            catch (EndOfStreamException e)
            {
                throw Corrupt(field, "The simulated device state is truncated", e);
            }
        }
    }

    private static byte[] ReadExactly(BinaryReader reader, int length, string what, long offset)
    {
        byte[] bytes = reader.ReadBytes(length);
        if (bytes.Length != length)
        {
            throw new InvalidDataException(offset >= 0
                ? $"The simulated device state is truncated in {what} (at byte offset {offset + bytes.Length})"
                : $"The simulated device state is truncated in {what}");
        }

        return bytes;
    }
}
