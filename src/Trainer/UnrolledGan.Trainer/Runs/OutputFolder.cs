using System.Text.Json;

namespace UnrolledGan.Trainer.Runs;

/// <summary>Checks a job's output folder before anything is trained or written into it.</summary>
internal static class OutputFolder
{
    public static RunLayout Prepare(string folder, TrainingConfig config, bool resume)
    {
        var layout = new RunLayout(Path.GetFullPath(folder));
        if (File.Exists(layout.Folder))
        {
            throw new ConfigException("out", $"'{folder}' is a file, not a folder");
        }
        bool existed = Directory.Exists(layout.Folder);
        try
        {
            Directory.CreateDirectory(layout.Folder);
            string probe = Path.Combine(layout.Folder, $".write-probe-{Environment.ProcessId}");
            File.WriteAllText(probe, "");
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            if (!existed && Directory.Exists(layout.Folder))
            {
                Directory.Delete(layout.Folder, recursive: true);
            }
            throw new ConfigException("out", $"cannot write to '{folder}': {e.Message}");
        }

        bool holdsRun = File.Exists(layout.Result) || File.Exists(layout.Checkpoint) || File.Exists(layout.PreviousCheckpoint);
        if (holdsRun && !resume)
        {
            throw new ConfigException("out", $"'{folder}' already holds a run; pass --resume to continue it, or choose another folder");
        }
        if (holdsRun && File.Exists(layout.Config) && ReadConfig(layout.Config) != config)
        {
            throw new ConfigException("resume", $"'{folder}' holds a run with a different config; choose another folder");
        }
        return layout;
    }

    /// <summary>
    /// Takes the folder's lock for the life of this process, so two trainers never write one job, even when an
    /// orchestrator dispatches it twice. The kernel releases the lock when the process dies, however it dies.
    /// </summary>
    public static FileStream Lock(RunLayout layout)
    {
        try
        {
            return new FileStream(layout.Lock, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            throw new FolderBusyException($"out: another trainer is running in '{layout.Folder}'");
        }
    }

    /// <summary>
    /// The finished result in the folder, when a resumed job has nothing left to do. A damaged result is set aside and
    /// reported, and the job reruns from its checkpoint instead of failing on the same file at every retry.
    /// </summary>
    public static TrainingResult? CompletedResult(RunLayout layout, TrainingConfig config, ProgressWriter progress)
    {
        var result = layout.ReadResult(out string? damage);
        if (damage is not null)
        {
            progress.Recovered(damage, config.Steps);
        }
        return result?.Config == config ? result : null;
    }

    private static TrainingConfig? ReadConfig(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<TrainingConfig>(File.ReadAllText(path), TrainerJson.Options);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>The output folder belongs to another live trainer.</summary>
internal sealed class FolderBusyException(string message) : Exception(message);
