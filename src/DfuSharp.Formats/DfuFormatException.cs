namespace DfuSharp.Formats;

/// <summary>
/// The exception thrown when a firmware file (.dfu, DfuSe, Intel HEX, S-record) is malformed.
/// It says what was expected and where: a byte <see cref="Offset"/> for binary files,
/// a <see cref="LineNumber"/> for text files.
/// </summary>
/// <remarks>
/// <see cref="InvalidDataException"/> is sealed, so this exception derives from <see cref="FormatException"/>;
/// catch <see cref="DfuFormatException"/> (or <see cref="FormatException"/>) for any malformed firmware file.
/// </remarks>
public sealed class DfuFormatException : FormatException
{
    /// <summary>Initializes a new instance with a generic message.</summary>
    public DfuFormatException()
        : this(DfuFormatError.Malformed, "The firmware file is malformed.")
    {
    }

    /// <summary>Initializes a new instance with a message.</summary>
    /// <param name="message">What is wrong.</param>
    public DfuFormatException(string message)
        : this(DfuFormatError.Malformed, message)
    {
    }

    /// <summary>Initializes a new instance with a message and the exception that caused it.</summary>
    /// <param name="message">What is wrong.</param>
    /// <param name="innerException">The underlying cause.</param>
    public DfuFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
        Error = DfuFormatError.Malformed;
    }

    /// <summary>Initializes a new instance for a defect in a binary file.</summary>
    /// <param name="error">The kind of defect.</param>
    /// <param name="message">What was expected and what was found.</param>
    /// <param name="offset">The byte offset of the defect in the file, if known.</param>
    public DfuFormatException(DfuFormatError error, string message, long? offset = null)
        : base(offset is { } o ? $"{WithoutPeriod(message)} at byte offset {o}" : message)
    {
        Error = error;
        Offset = offset;
    }

    /// <summary>Initializes a new instance for a defect in a text file.</summary>
    /// <param name="error">The kind of defect.</param>
    /// <param name="message">What was expected and what was found.</param>
    /// <param name="lineNumber">The 1-based line number of the defect.</param>
    /// <param name="offset">The byte offset of the start of that line, if known.</param>
    public DfuFormatException(DfuFormatError error, string message, int lineNumber, long? offset)
        : base($"{WithoutPeriod(message)} at line {lineNumber}")
    {
        Error = error;
        LineNumber = lineNumber;
        Offset = offset;
    }

    // "Bad suffix." + " at byte offset 0" would read "Bad suffix. at byte offset 0"; the place ends the sentence.
    private static string WithoutPeriod(string message) => message.EndsWith('.') ? message[..^1] : message;

    /// <summary>Gets the kind of defect.</summary>
    public DfuFormatError Error { get; }

    /// <summary>Gets the byte offset of the defect in the input, or <see langword="null"/> when it has none.</summary>
    public long? Offset { get; }

    /// <summary>Gets the 1-based line number of the defect in a text file, or <see langword="null"/> for binary files.</summary>
    public int? LineNumber { get; }

    /// <summary>Gets <see cref="DfuErrorCategory.Data"/>: the file is malformed.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822:Mark members as static", Justification = "A property of every failure, as on DfuException.")]
    public DfuErrorCategory Category => DfuErrorCategory.Data;
}
