namespace UnrolledGan.Trainer;

/// <summary>The files of one job's output folder.</summary>
public sealed record RunLayout(string Folder)
{
    public string Config => Path.Combine(Folder, "config.json");
    public string Result => Path.Combine(Folder, "result.json");
    public string Snapshots => Path.Combine(Folder, "snapshots.jsonl");
    public string Checkpoint => Path.Combine(Folder, "checkpoint.bin");
    public string Density => Path.Combine(Folder, "density.png");
    public string DensityData => Path.Combine(Folder, "density.json");

    /// <summary>Held exclusively (flock) by the trainer that owns the folder; the kernel frees it when that process dies.</summary>
    public string Lock => Path.Combine(Folder, "job.lock");

    /// <summary>The folder's result, or null while the job has not finished.</summary>
    public TrainingResult? ReadResult() => File.Exists(Result)
        ? System.Text.Json.JsonSerializer.Deserialize<TrainingResult>(File.ReadAllText(Result), TrainerJson.Options)
        : null;
}
