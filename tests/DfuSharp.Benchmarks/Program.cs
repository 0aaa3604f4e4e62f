using BenchmarkDotNet.Running;

using DfuSharp.Benchmarks;

// "process" compares whole processes (dfusharp against srec_cat + dfuse-pack); anything else goes to BenchmarkDotNet.
if (args.Length > 0 && args[0] == "process")
{
    return ProcessComparison.Run(args[1..]);
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
