namespace UnrolledGan.Trainer;

/// <summary>
/// One line of the trainer's stdout. A supervising process reads these to follow a job; everything for humans
/// goes to stderr. Fields that do not apply to an event are left out.
/// </summary>
public sealed record ProgressEvent
{
    public required string Event { get; init; }
    public int Step { get; init; }
    public int TotalSteps { get; init; }
    public double? StepsPerSecond { get; init; }
    public double? EtaSeconds { get; init; }
    public double? GeneratorLoss { get; init; }
    public double? DiscriminatorLoss { get; init; }
    public int? ResumedFromStep { get; init; }
    public IReadOnlyDictionary<string, double?>? Metrics { get; init; }
    public string? Path { get; init; }
    public string? Error { get; init; }

    public static class Kinds
    {
        public const string Started = "started";
        public const string Progress = "progress";
        public const string Snapshot = "snapshot";
        public const string Checkpoint = "checkpoint";
        public const string Completed = "completed";
        public const string Failed = "failed";
        public const string Interrupted = "interrupted";

        /// <summary>A damaged file (checkpoint, result) was set aside and the job went on without it; Error says which.</summary>
        public const string Recovered = "recovered";
    }
}
