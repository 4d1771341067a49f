using System.ComponentModel.DataAnnotations;
using UnrolledGan.Trainer;

namespace UnrolledGan.Grains.Workers;

/// <summary>The worker slots this silo offers and how it runs trainer processes.</summary>
public sealed class WorkerOptions : IValidatableObject
{
    public const string SectionName = "Workers";

    /// <summary>CPU slots when no GPU is used; 0 means one per core.</summary>
    [Range(0, 1024)]
    public int CpuSlots { get; set; }

    /// <summary>
    /// "auto" (the GPUs this process sees: CUDA_VISIBLE_DEVICES if set, else devices 0 … n−1 for the n device files
    /// /dev/nvidia0, 1, …), "none", or a comma-separated list of device ids; one slot per GPU.
    /// </summary>
    [Required]
    public string Gpus { get; set; } = "auto";

    /// <summary>The trainer executable; empty finds it beside the silo or in the repository's build output.</summary>
    public string? TrainerPath { get; set; }

    /// <summary>How often a silo with free slots asks sweeps for work (it also asks at once when a slot frees).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a stopping silo waits for its trainers to checkpoint after SIGTERM before killing them.</summary>
    public TimeSpan ShutdownGrace { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Most often a running job's progress is forwarded to its sweep.</summary>
    public TimeSpan ProgressInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often a run's supervisor tells its sweep the run is alive while its progress lines pause.</summary>
    public TimeSpan HeartbeatPeriod { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// A run whose sweep has not renewed its lease for this long (the silo is cut off from the cluster, or the sweep
    /// no longer answers) is stopped: it checkpoints and ends, so the job can run elsewhere.
    /// </summary>
    public TimeSpan LeaseTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The sweep queues a running job again when its run has not been heard from for this long. It is longer than
    /// <see cref="LeaseTimeout"/>, so a silo that lost touch has stopped the run before the job moves on.
    /// </summary>
    public TimeSpan RunSilenceTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// A run whose step count has not gone up for this long is killed and counts as a failure (it is retried within
    /// the sweep's budget). Long enough for a job's final evaluation, which advances no step.
    /// </summary>
    public TimeSpan StallTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>A run on a silo that membership does not know yet (it is joining) counts as alive this long.</summary>
    public TimeSpan UnknownSiloGrace { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How long a run's end is offered to its sweep (which may be moving between silos, or waiting for its database).</summary>
    public TimeSpan EndReportTimeout { get; set; } = TimeSpan.FromMinutes(2);

    public TimeSpan EndReportRetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The most memory one job may need by its estimate (<see cref="JobMemory"/>), e.g. "8GiB": every grid point of a
    /// submitted sweep is checked against it, and a sweep with a point over it is refused naming the field.
    /// </summary>
    [Required]
    public string JobMemoryLimit { get; set; } = "8GiB";

    /// <summary>
    /// The data limit (RLIMIT_DATA) each trainer process runs under; empty means <see cref="JobMemoryLimit"/>, which is
    /// above the estimate of every admitted job. A trainer that goes over it fails that run, not the machine.
    /// </summary>
    public string? TrainerMemoryLimit { get; set; }

    /// <summary>The runtime and libtorch alone need about this much; a lower trainer limit would abort every run at start.</summary>
    public const long MinimumTrainerMemory = 512L << 20;

    public long JobMemoryLimitBytes => JobMemory.TryParseSize(JobMemoryLimit, out long bytes) ? bytes : 0;

    public long TrainerMemoryLimitBytes =>
        string.IsNullOrWhiteSpace(TrainerMemoryLimit) ? JobMemoryLimitBytes : JobMemory.TryParseSize(TrainerMemoryLimit, out long bytes) ? bytes : 0;

    public IEnumerable<ValidationResult> Validate(ValidationContext context)
    {
        if (LeaseTimeout <= 2 * HeartbeatPeriod)
        {
            yield return new ValidationResult(
                $"LeaseTimeout ({LeaseTimeout}) must be more than twice HeartbeatPeriod ({HeartbeatPeriod})", [nameof(LeaseTimeout)]);
        }
        if (RunSilenceTimeout <= LeaseTimeout)
        {
            yield return new ValidationResult(
                $"RunSilenceTimeout ({RunSilenceTimeout}) must be longer than LeaseTimeout ({LeaseTimeout})", [nameof(RunSilenceTimeout)]);
        }
        var sizes = new[] { (nameof(JobMemoryLimit), JobMemoryLimit, JobMemoryLimitBytes), (nameof(TrainerMemoryLimit), TrainerMemoryLimit, TrainerMemoryLimitBytes) };
        foreach (var (name, text, bytes) in sizes.Where(s => !string.IsNullOrWhiteSpace(s.Item2)))
        {
            if (bytes < MinimumTrainerMemory)
            {
                yield return new ValidationResult($"{name} must be a size of at least 512MiB such as 8GiB (got '{text}')", [name]);
            }
        }
        foreach (var (name, value) in new[]
        {
            (nameof(PollInterval), PollInterval), (nameof(ShutdownGrace), ShutdownGrace), (nameof(ProgressInterval), ProgressInterval),
            (nameof(HeartbeatPeriod), HeartbeatPeriod), (nameof(EndReportRetryDelay), EndReportRetryDelay), (nameof(StallTimeout), StallTimeout),
        })
        {
            if (value <= TimeSpan.Zero)
            {
                yield return new ValidationResult($"{name} must be positive (got {value})", [name]);
            }
        }
    }
}

/// <summary>Where results and the embedded default's durable state live.</summary>
public sealed class ResultsOptions
{
    public const string SectionName = "Results";

    /// <summary>Sweeps write to &lt;Folder&gt;/&lt;sweep&gt;/; on a cluster this must be one volume shared by every silo.</summary>
    [Required]
    public string Folder { get; set; } = "results";

    /// <summary>The largest grid a sweep may expand to.</summary>
    [Range(1, 1_000_000)]
    public int MaxJobsPerSweep { get; set; } = 10_000;

    /// <summary>A sweep's folder; the name is checked again here, since every path under the results folder is built from one.</summary>
    public string SweepFolder(string sweep) => SweepNames.IsSweepName(sweep)
        ? Under(Path.Combine(Folder, sweep))
        : throw new ArgumentException($"'{sweep}' is not a sweep name ({SweepNames.Rule})", nameof(sweep));

    public string JobFolder(string sweep, string jobId) => SweepNames.IsJobId(jobId)
        ? Under(TrainerProtocol.JobFolder(SweepFolder(sweep), jobId))
        : throw new ArgumentException($"'{jobId}' is not a job id", nameof(jobId));

    /// <summary>The full path, which must lie inside the results folder.</summary>
    private string Under(string path)
    {
        string root = Path.GetFullPath(Folder);
        string full = Path.GetFullPath(path);
        return full.StartsWith(root.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal)
            ? full
            : throw new ArgumentException($"'{path}' is outside the results folder {root}");
    }
}
