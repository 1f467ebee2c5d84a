using MultiCodex.Bench;
using MultiCodex.Bench.Upstream;

// bench/run.sh runs this; bench/README.md explains the modes and options.
//   MultiCodex.Bench [--smoke] [options]   the benchmark (or its correctness smoke) against a stack it starts
//   MultiCodex.Bench upstream [options]    the fake upstream alone (the harness starts it as a child process)
try
{
    if (args.Length > 0 && args[0] == "upstream")
    {
        var upstreamArgs = new ArgReader(args[1..]);
        return await FakeUpstream.RunAsync(upstreamArgs);
    }
    var reader = new ArgReader(args);
    var options = BenchOptions.From(reader);
    reader.EnsureAllRead();
    return await Harness.RunAsync(options);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"bench: {e.Message} (see bench/README.md)");
    return 2;
}
