namespace UnrolledGan.Trainer;

/// <summary>The result file a job leaves in its output folder: final metrics, the full config, timings and environment.</summary>
public sealed record TrainingResult
{
    public const int CurrentSchemaVersion = 1;

    public int SchemaVersion { get; init; } = CurrentSchemaVersion;
    public string? JobId { get; init; }
    public required TrainingConfig Config { get; init; }
    public required IReadOnlyDictionary<string, double?> Metrics { get; init; }
    public required IReadOnlyList<SnapshotMetrics> Snapshots { get; init; }
    public required RunTimings Timings { get; init; }
    public required RunEnvironment Environment { get; init; }
    public IReadOnlyList<string> Artifacts { get; init; } = [];
}

public sealed record SnapshotMetrics(int Step, IReadOnlyDictionary<string, double?> Metrics);

/// <summary>The last minibatch losses at a log step: the generator's objective (Eq. 10) and the discriminator's (Eq. 11).</summary>
public sealed record LossPoint(int Step, double? Generator, double? Discriminator);

public sealed record RunTimings
{
    public DateTimeOffset StartedAt { get; init; }
    public DateTimeOffset CompletedAt { get; init; }

    /// <summary>
    /// Wall time of every process that ran the job, each up to the checkpoint the next resumed from (kept in the
    /// checkpoint's header); <see cref="StartedAt"/> is the last process's start.
    /// </summary>
    public double WallSeconds { get; init; }

    /// <summary>Time inside training steps only, over all attempts, so it does not depend on interruptions.</summary>
    public double TrainSeconds { get; init; }
    public double EvalSeconds { get; init; }
    public double StepsPerSecond { get; init; }
    public int ResumedFromStep { get; init; }
}

public sealed record RunEnvironment
{
    public required string TorchSharpVersion { get; init; }
    public required string LibTorchVersion { get; init; }
    public required string Device { get; init; }
    public int Threads { get; init; }
    public required string Runtime { get; init; }

    /// <summary>The malloc the trainer process ran with (glibc, jemalloc, …), read from its own memory maps; null in results written before it was recorded.</summary>
    public string? Allocator { get; init; }
    public required string Machine { get; init; }
}
