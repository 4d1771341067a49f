namespace UnrolledGan.Deploy.Tests;

/// <summary>What the silo, the sweep client and the trainer promise, as the deployment files must use it.</summary>
public static class Contract
{
    public const string Namespace = "unrolledgan";

    /// <summary>
    /// Every configuration key the silo reads, in environment form (Section__Key): ClusteringOptions,
    /// WorkerOptions, ResultsOptions and TelemetryOptions. A key outside this set would be ignored silently.
    /// </summary>
    public static readonly IReadOnlySet<string> ConfigurationKeys = new HashSet<string>(StringComparer.Ordinal)
    {
        "Cluster__ClusterId", "Cluster__ServiceId", "Cluster__Instance", "Cluster__SiloPort", "Cluster__GatewayPort",
        "Cluster__PrimarySiloEndpoint", "Cluster__AdvertisedAddress", "Cluster__SiloName",
        "Workers__CpuSlots", "Workers__Gpus", "Workers__ThreadsPerJob", "Workers__TrainerPath",
        "Workers__PollInterval", "Workers__ShutdownGrace", "Workers__ProgressInterval",
        "Results__Folder", "Results__MaxJobsPerSweep",
        "Telemetry__OtlpEndpoint", "Telemetry__PrometheusPort",
    };

    /// <summary>How long a stopping silo lets its trainers checkpoint when Workers:ShutdownGrace is not set.</summary>
    public static readonly TimeSpan DefaultShutdownGrace = TimeSpan.FromSeconds(30);

    /// <summary>Downward-API variables the manifests define to feed the keys above.</summary>
    public static readonly IReadOnlySet<string> PodVariables = new HashSet<string>(StringComparer.Ordinal) { "POD_IP", "POD_NAME" };

    public static bool IsAllowedEnvironmentName(string name) =>
        ConfigurationKeys.Contains(name) || PodVariables.Contains(name) || name.StartsWith("DOTNET_", StringComparison.Ordinal);

    /// <summary>The Prometheus names of the UnrolledGan meter's instruments.</summary>
    public static readonly IReadOnlySet<string> Gauges = new HashSet<string>
    {
        "unrolledgan_jobs_queued", "unrolledgan_jobs_running", "unrolledgan_training_steps_per_second",
        "unrolledgan_worker_slots", "unrolledgan_worker_slots_busy",
    };

    public static readonly IReadOnlySet<string> Counters = new HashSet<string>
    {
        "unrolledgan_jobs_succeeded_total", "unrolledgan_jobs_failed_total",
    };

    public static readonly IReadOnlySet<string> Histograms = new HashSet<string> { "unrolledgan_job_duration_seconds" };

    /// <summary>Every series name a scrape of a silo can show for the UnrolledGan meter.</summary>
    public static readonly IReadOnlySet<string> SeriesNames = Gauges.Concat(Counters)
        .Concat(Histograms.SelectMany(h => new[] { h + "_bucket", h + "_sum", h + "_count" }))
        .ToHashSet();

    public static readonly IReadOnlyList<string> SweepClientVerbs = ["run", "submit", "status", "watch", "results", "cancel", "list"];

    public static readonly IReadOnlyList<string> Experiments = ["mixture-of-gaussians"];
    public static readonly IReadOnlyList<string> Presets = ["quick", "paper", "notebook"];
    public static readonly IReadOnlyList<string> MixtureMetrics = ["modesCovered", "highQualityFraction", "reverseKl"];

    /// <summary>The fields of a sweep spec file (SweepSpecReader), top level and under axes.</summary>
    public static readonly IReadOnlySet<string> SweepSpecFields = new HashSet<string>(StringComparer.Ordinal)
    {
        "name", "experiment", "preset", "axes", "steps", "overrides", "metrics", "retries", "concurrency",
    };

    public static readonly IReadOnlySet<string> SweepSpecAxes = new HashSet<string>(StringComparer.Ordinal)
    {
        "unroll", "seeds", "discriminatorSize", "modelSize",
    };

    /// <summary>The three executables: project file, assembly name, and where the image publishes them.</summary>
    public static readonly IReadOnlyList<Executable> Executables =
    [
        new("src/Silo/UnrolledGan.Silo/UnrolledGan.Silo.csproj", "UnrolledGan.Silo", "/app/silo"),
        new("src/SweepClient/UnrolledGan.SweepClient/UnrolledGan.SweepClient.csproj", "UnrolledGan.SweepClient", "/app/client"),
        new("src/Trainer/UnrolledGan.Trainer/UnrolledGan.Trainer.csproj", "UnrolledGan.Trainer", "/app/trainer"),
    ];

    public static Executable Silo => Executables[0];
    public static Executable SweepClient => Executables[1];
    public static Executable Trainer => Executables[2];
}

public sealed record Executable(string Project, string AssemblyName, string ImageFolder)
{
    public string ImagePath => $"{ImageFolder}/{AssemblyName}";
}
