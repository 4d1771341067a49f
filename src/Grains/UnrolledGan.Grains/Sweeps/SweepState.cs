namespace UnrolledGan.Grains.Sweeps;

/// <summary>A sweep's durable state: the spec it was created from and every job's record, in grid order.</summary>
[GenerateSerializer]
public sealed class SweepState
{
    [Id(0)] public SweepSpec? Spec { get; set; }
    [Id(1)] public string Fingerprint { get; set; } = "";
    [Id(2)] public List<JobRecord> Jobs { get; set; } = [];
    [Id(3)] public SweepPhase Phase { get; set; }
    [Id(4)] public DateTimeOffset CreatedAt { get; set; }
    [Id(5)] public DateTimeOffset? EndedAt { get; set; }

    /// <summary>The submitting client's trace, so every job's spans join it.</summary>
    [Id(6)] public string? TraceParent { get; set; }

    /// <summary>The files written when the sweep completed (tables in every format, pictures); null before.</summary>
    [Id(7)] public IReadOnlyList<string>? ReportFiles { get; set; }
}
