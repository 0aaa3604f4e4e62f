namespace DfuSharp.Formats;

/// <summary>Which Intel HEX record gives the start address.</summary>
public enum IntelHexStartKind
{
    /// <summary>Type 03, Start Segment Address: CS and IP for an 8086-style processor.</summary>
    Segment = 3,

    /// <summary>Type 05, Start Linear Address: a 32-bit EIP.</summary>
    Linear = 5,
}

/// <summary>The execution start address of an Intel HEX file (record 03 or 05), kept as its four data bytes.</summary>
/// <remarks>
/// srec_cat writes a start address A in an 03 record as the 32-bit value A (CS = A &gt;&gt; 16, IP = A &amp; 0xFFFF),
/// whereas the Intel HEX specification reads 03 as CS:IP, the address CS × 16 + IP: srec_cat's start address 0x1F000
/// is read back as 0xF010. <see cref="Value"/> keeps the raw bytes, so both readings are available.
/// </remarks>
public readonly record struct IntelHexStartAddress
{
    private IntelHexStartAddress(IntelHexStartKind kind, uint value)
    {
        Kind = kind;
        Value = value;
    }

    /// <summary>Gets which record holds the address.</summary>
    public IntelHexStartKind Kind { get; }

    /// <summary>Gets the record's four data bytes as a big-endian 32-bit value: EIP, or CS in the high half and IP in the low half.</summary>
    public uint Value { get; }

    /// <summary>Gets CS of an 03 record (the high half of <see cref="Value"/>).</summary>
    public ushort CodeSegment => (ushort)(Value >> 16);

    /// <summary>Gets IP of an 03 record (the low half of <see cref="Value"/>).</summary>
    public ushort InstructionPointer => (ushort)Value;

    /// <summary>Gets the address the specification means: EIP for 05, CS × 16 + IP for 03.</summary>
    public uint Address => Kind == IntelHexStartKind.Linear ? Value : ((uint)CodeSegment << 4) + InstructionPointer;

    /// <summary>Creates a Start Linear Address (05).</summary>
    /// <param name="address">EIP.</param>
    /// <returns>The start address.</returns>
    public static IntelHexStartAddress Linear(uint address) => new(IntelHexStartKind.Linear, address);

    /// <summary>Creates a Start Segment Address (03).</summary>
    /// <param name="codeSegment">CS.</param>
    /// <param name="instructionPointer">IP.</param>
    /// <returns>The start address.</returns>
    public static IntelHexStartAddress Segment(ushort codeSegment, ushort instructionPointer)
        => new(IntelHexStartKind.Segment, ((uint)codeSegment << 16) | instructionPointer);

    /// <inheritdoc/>
    public override string ToString() => Kind == IntelHexStartKind.Linear
        ? $"EIP 0x{Value:X8}"
        : $"CS:IP {CodeSegment:X4}:{InstructionPointer:X4} (0x{Address:X8})";
}
