namespace UnrolledGan.Trainer;

/// <summary>The files of one job's output folder.</summary>
public sealed record RunLayout(string Folder)
{
    public string Config => Path.Combine(Folder, "config.json");
    public string Result => Path.Combine(Folder, "result.json");
    public string Snapshots => Path.Combine(Folder, "snapshots.jsonl");

    /// <summary>The generator's and discriminator's losses at each log interval, one <see cref="LossPoint"/> a line.</summary>
    public string Losses => Path.Combine(Folder, "losses.jsonl");
    public string Checkpoint => Path.Combine(Folder, "checkpoint.bin");
    public string Density => Path.Combine(Folder, "density.png");
    public string DensityData => Path.Combine(Folder, "density.json");

    /// <summary>Per-target reconstruction errors of inference via optimization (§3.4.1), in a fixed target order.</summary>
    public string Inference => Path.Combine(Folder, "inference.json");

    /// <summary>Pairwise ℓ2 distances of the final model's samples and of the data (§3.4.2).</summary>
    public string Distances => Path.Combine(Folder, "distances.json");

    /// <summary>One line per run of the job, appended by the silo that supervised it.</summary>
    public string Runs => Path.Combine(Folder, "runs.jsonl");

    /// <summary>Held exclusively (flock) by the trainer that owns the folder; the kernel frees it when that process dies.</summary>
    public string Lock => Path.Combine(Folder, "job.lock");

    /// <summary>The folder's result, or null while the job has not finished.</summary>
    public TrainingResult? ReadResult() => File.Exists(Result)
        ? System.Text.Json.JsonSerializer.Deserialize<TrainingResult>(File.ReadAllText(Result), TrainerJson.Options)
        : null;
}
