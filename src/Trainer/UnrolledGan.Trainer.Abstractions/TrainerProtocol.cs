namespace UnrolledGan.Trainer;

/// <summary>
/// The contract between a trainer process and the silo that supervises it: the files of a job's folder, the exit
/// codes, and how a run's end is read from its exit code and its last progress line. Both sides use only this.
/// </summary>
public static class TrainerProtocol
{
    /// <summary>Exit codes a supervisor can act on: retry a failure, never retry bad input, resume an interruption.</summary>
    public static class ExitCodes
    {
        public const int Success = 0;
        public const int Failed = 1;
        public const int BadInput = 2;

        /// <summary>Another live trainer owns the output folder (EX_TEMPFAIL); try again later, it is not a failure.</summary>
        public const int Busy = 75;

        /// <summary>128 + SIGINT, as a shell reports it: stopped on request after a checkpoint.</summary>
        public const int Interrupted = 130;
    }

    /// <summary>
    /// The variable through which a supervisor passes the job's span to the trainer, as a W3C traceparent (the
    /// OpenTelemetry convention for environment carriers); the trainer's spans become its children.
    /// </summary>
    public const string TraceParentVariable = "TRACEPARENT";

    /// <summary>A job's folder: under its sweep's folder, named by the job's id.</summary>
    public static string JobFolder(string sweepFolder, string jobId) => Path.Combine(sweepFolder, "jobs", jobId);

    /// <summary>The names of the files in a job's folder.</summary>
    public static class Files
    {
        /// <summary>The job's config as the silo hands it to the trainer (--config).</summary>
        public const string Job = "job.json";

        /// <summary>The full config the trainer resolved from it, kept to refuse resuming with another.</summary>
        public const string Config = "config.json";
        public const string Result = "result.json";
        public const string Checkpoint = "checkpoint.bin";

        /// <summary>The checkpoint before the newest, for when the newest turns out damaged.</summary>
        public const string PreviousCheckpoint = "checkpoint.prev.bin";
        public const string Snapshots = "snapshots.jsonl";
        public const string Losses = "losses.jsonl";
        public const string Density = "density.png";
        public const string DensityData = "density.json";
        public const string Inference = "inference.json";
        public const string Distances = "distances.json";
        public const string Runs = "runs.jsonl";
        public const string Lock = "job.lock";
    }

    /// <summary>
    /// How a run ended, from its exit code and its last progress line. Success needs both: an exit code of 0 without
    /// a "completed" line means the process ended without finishing its job (a trainer that printed nothing, say).
    /// </summary>
    public static RunEnd End(int exitCode, ProgressEvent? last) => exitCode switch
    {
        ExitCodes.Success when last?.Event == ProgressEvent.Kinds.Completed => RunEnd.Completed,
        ExitCodes.BadInput => RunEnd.BadInput,
        ExitCodes.Busy => RunEnd.Busy,
        ExitCodes.Interrupted => RunEnd.Interrupted,
        _ => RunEnd.Failed,
    };

    /// <summary>
    /// Moves a damaged file out of the way as <c>name.corrupt-yyyyMMddTHHmmssZ</c>, kept for a post-mortem, so the
    /// next reader starts over instead of failing on it again. Returns where it went, or null if another process
    /// moved it first.
    /// </summary>
    public static string? SetAside(string path)
    {
        string aside = $"{path}.corrupt-{DateTime.UtcNow:yyyyMMddTHHmmssZ}";
        try
        {
            File.Move(path, aside, overwrite: true);
            return aside;
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }
}

/// <summary>A trainer run's end as the protocol defines it; the supervisor adds what only it knows (a cancel, a stall).</summary>
public enum RunEnd
{
    /// <summary>The job is done and its result file is written.</summary>
    Completed,

    /// <summary>Crashed, killed, or an error: worth a retry.</summary>
    Failed,

    /// <summary>The config was rejected: a retry would be rejected too.</summary>
    BadInput,

    /// <summary>Another live trainer holds the job's folder.</summary>
    Busy,

    /// <summary>Stopped on request after a checkpoint, to be resumed.</summary>
    Interrupted,
}
