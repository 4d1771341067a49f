using System.Globalization;
using System.Text.Json.Serialization;

namespace UnrolledGan.Grains;

/// <summary>One grid point: its stable id, its place on the axes and the complete trainer config it runs.</summary>
[GenerateSerializer, Immutable]
public sealed record JobSpec(
    [property: Id(0)] string JobId,
    [property: Id(1)] string SweepName,
    [property: Id(2)] int Unroll,
    [property: Id(3)] double Size,
    [property: Id(4)] int Seed,
    [property: Id(5)] string ConfigJson)
{
    [JsonIgnore]
    public GridPoint Point => new(Unroll, Size, Seed);
}

/// <summary>A place on a sweep's axes: K, the size factor X (the discriminator's width) and the seed.</summary>
[GenerateSerializer, Immutable]
public sealed record GridPoint([property: Id(0)] int Unroll, [property: Id(1)] double Size, [property: Id(2)] int Seed)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"K = {Unroll}, size {Size}, seed {Seed}");
}

[GenerateSerializer]
public enum JobStatus
{
    Queued,
    Running,
    Succeeded,
    Failed,
    Cancelled,
}

/// <summary>A job's durable record in its sweep.</summary>
[GenerateSerializer]
public sealed record JobRecord
{
    [Id(0)] public required JobSpec Spec { get; init; }
    [Id(1)] public JobStatus Status { get; init; } = JobStatus.Queued;

    /// <summary>Runs that ended in failure; a run lost with its silo is not counted.</summary>
    [Id(2)] public int FailedAttempts { get; init; }
    [Id(3)] public string? FailureReason { get; init; }
    [Id(4)] public string? Silo { get; init; }
    [Id(5)] public IReadOnlyDictionary<string, double?>? Metrics { get; init; }
    [Id(6)] public double? TrainSeconds { get; init; }
    [Id(7)] public DateTimeOffset? StartedAt { get; init; }
    [Id(8)] public DateTimeOffset? EndedAt { get; init; }

    /// <summary>Times the job was started, on any silo; more than FailedAttempts + 1 means it was resumed.</summary>
    [Id(9)] public int Starts { get; init; }

    /// <summary>What produced the result: trainer, TorchSharp and libtorch versions, device, runtime.</summary>
    [Id(10)] public IReadOnlyDictionary<string, string>? Versions { get; init; }

    /// <summary>A queued job is not handed out before this (its folder was still held by another trainer).</summary>
    [Id(11)] public DateTimeOffset? NotBefore { get; init; }

    /// <summary>The token of the lease that holds the running job; reports without it are refused.</summary>
    [Id(12)] public string? LeaseToken { get; init; }

    /// <summary>
    /// The grid point of the config the trainer ran, from its result file; the table groups results by it. Null for
    /// results recorded before it was kept (their point is the spec's), and left out of stored JSON when null.
    /// </summary>
    [Id(13), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public GridPoint? Ran { get; init; }

    /// <summary>
    /// Runs the sweep gave up on without hearing their end, oldest first; each next lease carries them so its runner
    /// records them in the job folder's run record. Left out of stored JSON when there are none.
    /// </summary>
    [Id(14), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyList<LostRun>? LostRuns { get; init; }
}

/// <summary>
/// A run whose end never reached its sweep: its silo was declared dead (a kill, a cut link), or nothing was heard of
/// it for Workers:RunSilenceTimeout. Its job was queued again; which run it was, where, and why it was given up.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record LostRun(
    [property: Id(0)] int Attempt,
    [property: Id(1)] string Silo,
    [property: Id(2)] DateTimeOffset LeasedAt,
    [property: Id(3)] DateTimeOffset LostAt,
    [property: Id(4)] string Reason);

/// <summary>How one run of a job ended, as its trainer grain reports it.</summary>
[GenerateSerializer, Immutable]
public sealed record JobOutcome(
    [property: Id(0)] string JobId,
    [property: Id(1)] JobExit Exit,
    [property: Id(2)] string? FailureReason,
    [property: Id(3)] IReadOnlyDictionary<string, double?>? Metrics,
    [property: Id(4)] double? TrainSeconds,
    [property: Id(5)] string Silo,
    [property: Id(6)] int ExitCode,
    [property: Id(7)] int Attempt,
    [property: Id(8)] string Token,
    [property: Id(9)] IReadOnlyDictionary<string, string>? Versions = null,
    [property: Id(10)] GridPoint? Ran = null);

/// <summary>The trainer's exit, as the sweep acts on it.</summary>
[GenerateSerializer]
public enum JobExit
{
    Succeeded,

    /// <summary>Crashed or killed: retried while the sweep's retry budget lasts.</summary>
    Failed,

    /// <summary>The trainer rejected its config: retrying cannot help.</summary>
    BadInput,

    /// <summary>Stopped on purpose (silo shutdown) after a checkpoint: queued again, not counted as a failure.</summary>
    Interrupted,

    /// <summary>Another live trainer holds the job's folder: queued again, not counted as a failure.</summary>
    Busy,

    Cancelled,

    /// <summary>The run never started (e.g. the cluster was changing while a silo left): queued again, not a failure.</summary>
    NotStarted,
}

/// <summary>
/// A job handed to one worker slot: the job, which run of it this is, when, the sweep's trace to join, the
/// unguessable token its run's reports must carry, and the job's earlier runs that were lost, for its run record.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record JobLease(
    [property: Id(0)] JobSpec Spec,
    [property: Id(1)] int Attempt,
    [property: Id(2)] string Silo,
    [property: Id(3)] string? TraceParent,
    [property: Id(4)] DateTimeOffset LeasedAt,
    [property: Id(5)] string Token,
    [property: Id(6)] IReadOnlyList<LostRun>? LostRuns = null)
{
    /// <summary>The trainer grain's key: one activation per run, so a rerun is always placed afresh.</summary>
    public string TrainerKey => $"{Spec.JobId}#{Attempt}";
}

/// <summary>A running job's latest progress line, for live views.</summary>
[GenerateSerializer, Immutable]
public sealed record JobProgress(
    [property: Id(0)] string JobId,
    [property: Id(1)] int Step,
    [property: Id(2)] int TotalSteps,
    [property: Id(3)] double? StepsPerSecond,
    [property: Id(4)] double? EtaSeconds,
    [property: Id(5)] string Silo,
    [property: Id(6)] DateTimeOffset UpdatedAt,
    [property: Id(7)] int Attempt,
    [property: Id(8)] string Token);
