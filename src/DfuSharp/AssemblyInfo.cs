using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("DfuSharp.Tests")]
