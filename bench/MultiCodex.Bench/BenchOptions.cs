namespace MultiCodex.Bench;

/// <summary>The harness's settings (bench/README.md lists them); every default is the full benchmark's.</summary>
internal sealed record BenchOptions
{
    public required string RepoRoot { get; init; }
    public required string OutDir { get; init; }
    public bool Smoke { get; init; }

    /// <summary>Profile the Edge under two loads instead of running the scenarios (Profile/ProfileRun.cs).</summary>
    public bool Profile { get; init; }

    /// <summary>Start the stack, print a wrk command per route and the pids, and keep it up until Enter (ServeMode.cs).</summary>
    public bool Serve { get; init; }
    public int Rounds { get; init; } = 5;
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(5);
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(3);
    public IReadOnlyList<int> Connections { get; init; } = [1, 64];
    public IReadOnlyList<int> LargeConnections { get; init; } = [1, 16];
    public int ProbeRequests { get; init; } = 200;
    public int Streams { get; init; } = 2000;
    public TimeSpan Ramp { get; init; } = TimeSpan.FromSeconds(10);
    public TimeSpan Hold { get; init; } = TimeSpan.FromSeconds(10);
    public TimeSpan StreamInterval { get; init; } = TimeSpan.FromMilliseconds(1000);
    public int StreamRounds { get; init; } = 3;
    public int Accounts { get; init; } = 4;
    public IReadOnlySet<string> Scenarios { get; init; } = new HashSet<string>(AllScenarios);

    public static readonly string[] AllScenarios = ["streams", "wrk", "ttfb", "conversation"];

    /// <summary>Deltas per long stream: it lasts the ramp plus the hold, so every stream is open when the ramp ends.</summary>
    public int LongStreamDeltas => Math.Max(1, (int)Math.Ceiling((Ramp + Hold) / StreamInterval));

    public string BenchDir => Path.Combine(RepoRoot, "bench");

    public string RunDir => Path.Combine(RepoRoot, "artifacts", Smoke ? "bench-smoke" : Profile ? "bench-profile" : Serve ? "bench-serve" : "bench-run");

    /// <summary>Where bench/run.sh installs dotnet-counters and dotnet-trace (never globally).</summary>
    public string ToolsDir => Path.Combine(RepoRoot, "artifacts", "tools");

    public static BenchOptions From(ArgReader args)
    {
        var repo = Path.GetFullPath(args.Text("--repo", Directory.GetCurrentDirectory()));
        var smoke = args.Flag("--smoke");
        var profile = args.Flag("--profile");
        var serve = args.Flag("--serve");
        if ((smoke ? 1 : 0) + (profile ? 1 : 0) + (serve ? 1 : 0) > 1)
        {
            throw new ArgumentException("--smoke, --profile and --serve are separate modes: give one");
        }
        var defaults = new BenchOptions { RepoRoot = repo, OutDir = "" };
        var scenarios = args.Text("--scenarios", string.Join(',', AllScenarios)).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var name in scenarios.Where(s => !AllScenarios.Contains(s)))
        {
            throw new ArgumentException($"--scenarios: unknown scenario '{name}' (known: {string.Join(", ", AllScenarios)})");
        }
        var options = defaults with
        {
            OutDir = Path.GetFullPath(args.Text("--out", Path.Combine(repo, "bench", "results"))),
            Smoke = smoke,
            Profile = profile,
            Serve = serve,
            Rounds = Positive(args, "--rounds", defaults.Rounds),
            // A profile wants enough samples per load: a longer run than one measurement of the benchmark.
            Duration = TimeSpan.FromSeconds(Positive(args, "--duration", profile ? 15 : (int)defaults.Duration.TotalSeconds)),
            Warmup = TimeSpan.FromSeconds(args.Number("--warmup", (int)defaults.Warmup.TotalSeconds)),
            Connections = args.Numbers("--connections", defaults.Connections),
            LargeConnections = args.Numbers("--large-connections", defaults.LargeConnections),
            ProbeRequests = Positive(args, "--probe-requests", defaults.ProbeRequests),
            Streams = Positive(args, "--streams", smoke ? 20 : defaults.Streams),
            Ramp = TimeSpan.FromSeconds(Positive(args, "--ramp", smoke ? 1 : (int)defaults.Ramp.TotalSeconds)),
            Hold = TimeSpan.FromSeconds(args.Number("--hold", smoke ? 1 : (int)defaults.Hold.TotalSeconds)),
            StreamInterval = TimeSpan.FromMilliseconds(Positive(args, "--stream-interval-ms", smoke ? 50 : (int)defaults.StreamInterval.TotalMilliseconds)),
            StreamRounds = args.Number("--stream-rounds", defaults.StreamRounds),
            Accounts = Positive(args, "--accounts", defaults.Accounts),
            Scenarios = scenarios.ToHashSet(),
        };
        return options;
    }

    private static int Positive(ArgReader args, string name, int fallback) =>
        args.Number(name, fallback) is > 0 and var value ? value : throw new ArgumentException($"{name} must be at least 1");
}
