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
    /// <exception cref="InvalidDataException">The stream does not hold a state of this profile, or it is truncated or inconsistent.</exception>
    /// <exception cref="IOException">The stream could not be read.</exception>
    public void LoadState(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        lock (_gate)
        {
            using var reader = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
            try
            {
                if (reader.ReadUInt32() != StateMagic)
                {
                    throw new InvalidDataException("Not a simulated device state: bad magic.");
                }

                int version = reader.ReadInt32();
                if (version != StateVersion)
                {
                    throw new InvalidDataException($"Simulated device state version {version} is not supported (expected {StateVersion}).");
                }

                string name = reader.ReadString();
                if (name != _home.Name)
                {
                    throw new InvalidDataException($"The state belongs to profile \"{name}\", not \"{_home.Name}\".");
                }

                bool readProtected = reader.ReadBoolean();
                int banks = reader.ReadInt32();
                if (banks != _banks.Count)
                {
                    throw new InvalidDataException($"The state has {banks} memories; profile \"{name}\" has {_banks.Count}.");
                }

                var contents = new byte[banks][];
                for (int i = 0; i < banks; i++)
                {
                    uint address = reader.ReadUInt32();
                    int length = reader.ReadInt32();
                    if (address != _banks[i].Base || length != _banks[i].Data.Length)
                    {
                        throw new InvalidDataException(
                            $"Memory {i} in the state is 0x{address:X8}+{length}; the profile has 0x{_banks[i].Base:X8}+{_banks[i].Data.Length}.");
                    }

                    contents[i] = ReadExactly(reader, length, i);
                }

                int capacity = reader.ReadInt32();
                int firmwareLength = reader.ReadInt32();
                if (capacity != _firmware.Length || firmwareLength < 0 || firmwareLength > capacity)
                {
                    throw new InvalidDataException($"The state's firmware store ({firmwareLength} of {capacity} bytes) does not fit this profile's {_firmware.Length} bytes.");
                }

                byte[] firmware = ReadExactly(reader, firmwareLength, banks);

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
                throw new InvalidDataException("The simulated device state is truncated.", e);
            }
        }
    }

    private static byte[] ReadExactly(BinaryReader reader, int length, int memory)
    {
        byte[] bytes = reader.ReadBytes(length);
        if (bytes.Length != length)
        {
            throw new InvalidDataException($"The simulated device state is truncated in memory {memory}.");
        }

        return bytes;
    }
}
