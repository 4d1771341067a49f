namespace UnrolledGan.Grains;

[GenerateSerializer]
public enum SweepPhase
{
    Running,
    Completed,
    Cancelled,

    /// <summary>The sweep's stored state was unreadable and was set aside; <see cref="SweepStatus.Problem"/> says how to recover.</summary>
    Damaged,
}

/// <summary>A sweep's state as queries see it: counts, every job's record, and live progress of the running ones.</summary>
[GenerateSerializer, Immutable]
public sealed record SweepStatus
{
    [Id(0)] public required string Name { get; init; }
    [Id(1)] public required SweepPhase Phase { get; init; }
    [Id(2)] public required IReadOnlyList<JobRecord> Jobs { get; init; }
    [Id(3)] public required IReadOnlyList<JobProgress> Progress { get; init; }
    [Id(4)] public required DateTimeOffset CreatedAt { get; init; }
    [Id(5)] public DateTimeOffset? EndedAt { get; init; }
    [Id(6)] public required string ResultsFolder { get; init; }

    /// <summary>What is wrong with the sweep, when something is (its state was damaged), and what to do.</summary>
    [Id(7)] public string? Problem { get; init; }

    public int Total => Jobs.Count;
    public int Count(JobStatus status) => Jobs.Count(j => j.Status == status);
    public int Done => Jobs.Count(j => j.Status is JobStatus.Succeeded or JobStatus.Failed or JobStatus.Cancelled);
}

/// <summary>A sweep in the catalog, for listing.</summary>
[GenerateSerializer, Immutable]
public sealed record SweepEntry(
    [property: Id(0)] string Name,
    [property: Id(1)] string Experiment,
    [property: Id(2)] SweepPhase Phase,
    [property: Id(3)] int Total,
    [property: Id(4)] int Succeeded,
    [property: Id(5)] int Failed,
    [property: Id(6)] DateTimeOffset CreatedAt);

/// <summary>Worker slots of one silo: one per visible GPU, or a configured number of CPU slots.</summary>
[GenerateSerializer, Immutable]
public sealed record SiloSlots(
    [property: Id(0)] string Silo,
    [property: Id(1)] int Capacity,
    [property: Id(2)] IReadOnlyList<string> RunningJobs,
    [property: Id(3)] string Kind,
    [property: Id(4)] DateTimeOffset ReportedAt);
