namespace DfuSharp;

/// <summary>Which consent a write into irreversible memory needs.</summary>
public enum DfuConsent
{
    /// <summary>Writing option bytes (<see cref="DownloadOptions.AllowOptionBytes"/>): they change how the chip boots
    /// and protects itself.</summary>
    OptionBytes,

    /// <summary>A write that cannot be undone (<see cref="DownloadOptions.AllowIrreversible"/>): OTP memory, or option
    /// bytes that set read protection level 2.</summary>
    Irreversible,
}

/// <summary>
/// The exception thrown, before anything is sent, when a download would write memory that needs explicit consent and
/// the options do not give it. <see cref="DownloadOptions.Force"/> does not count as consent.
/// </summary>
public class DfuConsentRequiredException : DfuException
{
    /// <summary>Initializes a new instance with a generic message.</summary>
    public DfuConsentRequiredException()
        : base("The download writes memory that needs explicit consent.")
    {
    }

    /// <summary>Initializes a new instance with a message.</summary>
    /// <param name="message">What needs consent.</param>
    public DfuConsentRequiredException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance with a message and its cause.</summary>
    /// <param name="message">What needs consent.</param>
    /// <param name="innerException">The underlying cause.</param>
    public DfuConsentRequiredException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Gets the consent the download needs.</summary>
    public DfuConsent Consent { get; init; }

    /// <summary>Gets the first address that needs it.</summary>
    public uint Address { get; init; }

    /// <summary>Gets <see cref="DfuErrorCategory.Usage"/>: the caller must give the consent the operation needs.</summary>
    public override DfuErrorCategory Category => DfuErrorCategory.Usage;
}
