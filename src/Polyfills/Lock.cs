#if !NET9_0_OR_GREATER
namespace System.Threading;

/// <summary>
/// .NET 8 stand-in for the .NET 9 <c>System.Threading.Lock</c>: the <c>lock</c> statement enters it through
/// <see cref="EnterScope"/>, which holds a private monitor, so the same source compiles for both targets.
/// </summary>
internal sealed class Lock
{
    private readonly object _monitor = new();

    /// <summary>Enters the lock, waiting if another thread holds it.</summary>
    /// <returns>A scope whose <see cref="Scope.Dispose"/> leaves the lock.</returns>
    public Scope EnterScope()
    {
        Monitor.Enter(_monitor);
        return new Scope(_monitor);
    }

    /// <summary>A held <see cref="Lock"/>; disposing it leaves the lock.</summary>
    public ref struct Scope
    {
        private readonly object _monitor;

        internal Scope(object monitor) => _monitor = monitor;

        /// <summary>Leaves the lock.</summary>
        public readonly void Dispose() => Monitor.Exit(_monitor);
    }
}
#endif
