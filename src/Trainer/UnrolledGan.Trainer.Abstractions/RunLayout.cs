using System.Text.Json;
using static UnrolledGan.Trainer.TrainerProtocol;

namespace UnrolledGan.Trainer;

/// <summary>The files of one job's output folder, named by <see cref="TrainerProtocol.Files"/>.</summary>
public sealed record RunLayout(string Folder)
{
    public string Job => Path.Combine(Folder, Files.Job);
    public string Config => Path.Combine(Folder, Files.Config);
    public string Result => Path.Combine(Folder, Files.Result);
    public string Snapshots => Path.Combine(Folder, Files.Snapshots);

    /// <summary>The generator's and discriminator's losses at each log interval, one <see cref="LossPoint"/> a line.</summary>
    public string Losses => Path.Combine(Folder, Files.Losses);
    public string Checkpoint => Path.Combine(Folder, Files.Checkpoint);
    public string PreviousCheckpoint => Path.Combine(Folder, Files.PreviousCheckpoint);
    public string Density => Path.Combine(Folder, Files.Density);
    public string DensityData => Path.Combine(Folder, Files.DensityData);

    /// <summary>Per-target reconstruction errors of inference via optimization (§3.4.1), in a fixed target order.</summary>
    public string Inference => Path.Combine(Folder, Files.Inference);

    /// <summary>Pairwise ℓ2 distances of the final model's samples and of the data (§3.4.2).</summary>
    public string Distances => Path.Combine(Folder, Files.Distances);

    /// <summary>One line per run of the job, appended by the silo that supervised it.</summary>
    public string Runs => Path.Combine(Folder, Files.Runs);

    /// <summary>Held exclusively (flock) by the trainer that owns the folder; the kernel frees it when that process dies.</summary>
    public string Lock => Path.Combine(Folder, Files.Lock);

    /// <summary>The folder's result, or null while the job has not finished; a damaged one throws <see cref="InvalidDataException"/>.</summary>
    public TrainingResult? ReadResult()
    {
        if (!File.Exists(Result))
        {
            return null;
        }
        try
        {
            return JsonSerializer.Deserialize<TrainingResult>(File.ReadAllText(Result), TrainerJson.Options)
                ?? throw new JsonException("the file holds null");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{Files.Result} is damaged ({e.Message})", e);
        }
    }

    /// <summary>
    /// The folder's result, as <see cref="ReadResult()"/>; a damaged one is set aside and said in <paramref name="damage"/>,
    /// so the job reruns from its checkpoint instead of failing on the same file at every retry.
    /// </summary>
    public TrainingResult? ReadResult(out string? damage)
    {
        damage = null;
        try
        {
            return ReadResult();
        }
        catch (InvalidDataException e)
        {
            damage = $"{e.Message}; set aside as {Path.GetFileName(SetAside(Result)) ?? "(moved meanwhile)"}";
            return null;
        }
    }
}
