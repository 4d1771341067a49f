using System.ComponentModel.DataAnnotations;

namespace UnrolledGan.Grains.Workers;

/// <summary>The worker slots this silo offers and how it runs trainer processes.</summary>
public sealed class WorkerOptions
{
    public const string SectionName = "Workers";

    /// <summary>CPU slots when no GPU is used; 0 means one per core.</summary>
    [Range(0, 1024)]
    public int CpuSlots { get; set; }

    /// <summary>"auto" (the visible GPUs), "none", or a comma-separated list of device ids; one slot per GPU.</summary>
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

    public string SweepFolder(string sweep) => Path.GetFullPath(Path.Combine(Folder, sweep));

    public string JobFolder(string sweep, string jobId) => Path.Combine(SweepFolder(sweep), "jobs", jobId);
}
