namespace DfuSharp;

/// <summary>
/// The cancellation of an erase that the device may already have started: the host waited for the device to finish
/// the command it had received, and says whether the erase completed. It is an <see cref="OperationCanceledException"/>
/// with the caller's token, so code that handles cancellation handles it.
/// </summary>
public sealed class DfuEraseCanceledException : OperationCanceledException
{
    /// <summary>Initializes a new instance with a generic message.</summary>
    public DfuEraseCanceledException()
        : base("The erase was cancelled.")
    {
    }

    /// <summary>Initializes a new instance with a message.</summary>
    /// <param name="message">What was cancelled.</param>
    public DfuEraseCanceledException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with a message and the cancellation it follows.</summary>
    /// <param name="message">What was cancelled.</param>
    /// <param name="innerException">The cancellation.</param>
    public DfuEraseCanceledException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance that says whether the erase completed.</summary>
    /// <param name="message">What was cancelled.</param>
    /// <param name="completed">Whether the device finished the erase: <see langword="true"/>, <see langword="false"/>,
    /// or <see langword="null"/> when the device did not say.</param>
    /// <param name="innerException">The cancellation.</param>
    /// <param name="token">The token that was cancelled.</param>
    public DfuEraseCanceledException(string message, bool? completed, OperationCanceledException innerException, CancellationToken token)
        : base(message, innerException, token)
    {
        Completed = completed;
    }

    /// <summary>Gets whether the device finished the erase it had received: <see langword="true"/> (the memory is
    /// erased), <see langword="false"/> (it was not sent, or the device reported an error), or <see langword="null"/>
    /// (the device did not answer).</summary>
    public bool? Completed { get; }

    /// <summary>
    /// Gets <see cref="DfuErrorCategory.Cancelled"/>: the category a <see cref="DfuException"/> would carry, for callers that
    /// map every DfuSharp failure through <see cref="DfuErrorCategory"/>.
    /// </summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822:Mark members as static", Justification = "A property of every failure, as on DfuException.")]
    public DfuErrorCategory Category => DfuErrorCategory.Cancelled;
}
