namespace DfuSharp.Cli.Devices;

/// <summary>What <c>--all</c>, several <c>--device</c>, <c>--max-parallel</c> and <c>--json-lines</c> asked for.</summary>
/// <param name="IsMany">Whether the command runs as a many-board run (<c>--all</c>, or <c>--device</c> given several times).</param>
/// <param name="All">Whether each selector takes every board it matches (<c>--all</c>) rather than exactly one.</param>
/// <param name="MaxParallel">How many boards run at once, or <see langword="null"/> for all of them.</param>
/// <param name="JsonLines">Whether results stream as JSON lines.</param>
internal sealed record ManyRequest(bool IsMany, bool All, int? MaxParallel, bool JsonLines);
