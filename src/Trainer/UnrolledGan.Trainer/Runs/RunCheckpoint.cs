using UnrolledGan.Figures;
using UnrolledGan.Trainer.Core;
using static TorchSharp.torch;

namespace UnrolledGan.Trainer.Runs;

/// <summary>How far a run has come: what its checkpoint holds beside the session's tensors.</summary>
internal sealed record RunProgress(int Step, double TrainSeconds, double EvalSeconds, double WallSeconds,
    IReadOnlyList<SnapshotMetrics> Snapshots, IReadOnlyList<SnapshotImage> Pictures);

/// <summary>
/// A training session and its run's progress, saved to and restored from the job's <see cref="Checkpoint"/> files:
/// both networks, both optimizers' moments and step counts, and App. B.1's frozen discriminators, so a resumed job
/// continues exactly where it stopped. The last two checkpoints are kept: a damaged newest one falls back to the one
/// before, and a damaged pair to step 0, rather than failing the job at every retry.
/// </summary>
internal static class RunCheckpoint
{
    private const string GeneratorSteps = "generator";
    private const string DiscriminatorSteps = "discriminator";

    public static void Save(RunLayout layout, TrainingSession session, RunProgress progress)
    {
        // The newest becomes the previous before the next is written, so whenever a crash comes, the newest whole
        // checkpoint is one of the two files.
        if (File.Exists(layout.Checkpoint))
        {
            File.Move(layout.Checkpoint, layout.PreviousCheckpoint, overwrite: true);
        }
        Checkpoint.Save(layout.Checkpoint, new CheckpointHeader
        {
            Config = session.Config,
            Step = progress.Step,
            TrainSeconds = progress.TrainSeconds,
            EvalSeconds = progress.EvalSeconds,
            WallSeconds = progress.WallSeconds,
            Snapshots = progress.Snapshots,
            Pictures = progress.Pictures,
            OptimizerSteps = new Dictionary<string, long>
            {
                [GeneratorSteps] = session.Gan.GeneratorState.Step,
                [DiscriminatorSteps] = session.Gan.DiscriminatorState.Step,
            },
            EnsembleCopiesTaken = session.Gan.History.Taken,
        }, Tensors(session));
    }

    /// <summary>
    /// Loads the newest intact checkpoint into the session, or nothing (step 0) when none is. Each damaged one is set
    /// aside as <c>*.corrupt-&lt;time&gt;</c> and told to <paramref name="setAside"/>. An intact checkpoint must have
    /// been made with the session's config.
    /// </summary>
    public static RunProgress? Restore(RunLayout layout, TrainingSession session, Action<string> setAside)
    {
        var tensors = Tensors(session);
        foreach (string path in new[] { layout.Checkpoint, layout.PreviousCheckpoint }.Where(File.Exists))
        {
            StoredCheckpoint stored;
            try
            {
                stored = Checkpoint.Read(path, tensors);
            }
            catch (InvalidDataException e)
            {
                string? aside = TrainerProtocol.SetAside(path);
                setAside($"{Path.GetFileName(path)} is damaged: {e.Message}; set aside as {Path.GetFileName(aside)}");
                continue;
            }
            var header = stored.Header;
            if (header.Config != session.Config)
            {
                throw new ConfigException("resume", $"the checkpoint in '{layout.Folder}' was made with a different config");
            }
            stored.CopyInto(tensors);
            session.Gan.GeneratorState.Step = header.OptimizerSteps[GeneratorSteps];
            session.Gan.DiscriminatorState.Step = header.OptimizerSteps[DiscriminatorSteps];
            session.Gan.History.Taken = header.EnsembleCopiesTaken;
            return new RunProgress(header.Step, header.TrainSeconds, header.EvalSeconds, header.WallSeconds, header.Snapshots, header.Pictures);
        }
        return null;
    }

    private static IReadOnlyList<(string Name, Tensor Tensor)> Tensors(TrainingSession session)
    {
        static IEnumerable<(string, Tensor)> Named(string prefix, IEnumerable<Tensor> tensors) =>
            tensors.Select((t, i) => ($"{prefix}.{i}", t));
        var generator = session.Experiment.Generator;
        return generator.named_parameters().Select(p => ($"generator.{p.name}", (Tensor)p.parameter))
            .Concat(generator.named_buffers().Select(b => ($"generator.{b.name}", b.buffer)))
            .Concat(Named("discriminator", session.Gan.DiscriminatorParameters))
            .Concat(Named("generatorOptimizer", session.Gan.GeneratorState.Tensors))
            .Concat(Named("discriminatorOptimizer", session.Gan.DiscriminatorState.Tensors))
            .Concat(Named("discriminatorEnsemble", session.Gan.History.Tensors))
            .ToArray();
    }
}
