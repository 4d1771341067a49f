using UnrolledGan.Figures;
using UnrolledGan.Trainer.Core;
using static TorchSharp.torch;

namespace UnrolledGan.Trainer.Runs;

/// <summary>How far a run has come: what its checkpoint holds beside the session's tensors.</summary>
internal sealed record RunProgress(int Step, double TrainSeconds, double EvalSeconds, IReadOnlyList<SnapshotMetrics> Snapshots,
    IReadOnlyList<SnapshotImage> Pictures);

/// <summary>
/// A training session and its run's progress, saved to and restored from one <see cref="Checkpoint"/> file: both
/// networks, both optimizers' moments and step counts, and App. B.1's frozen discriminators, so a resumed job continues
/// exactly where it stopped.
/// </summary>
internal static class RunCheckpoint
{
    private const string GeneratorSteps = "generator";
    private const string DiscriminatorSteps = "discriminator";

    public static void Save(string path, TrainingSession session, RunProgress progress) =>
        Checkpoint.Save(path, new CheckpointHeader
        {
            Config = session.Config,
            Step = progress.Step,
            TrainSeconds = progress.TrainSeconds,
            EvalSeconds = progress.EvalSeconds,
            Snapshots = progress.Snapshots,
            Pictures = progress.Pictures,
            OptimizerSteps = new Dictionary<string, long>
            {
                [GeneratorSteps] = session.Gan.GeneratorState.Step,
                [DiscriminatorSteps] = session.Gan.DiscriminatorState.Step,
            },
            EnsembleCopiesTaken = session.Gan.History.Taken,
        }, Tensors(session));

    /// <summary>Loads the checkpoint into the session; it must have been made with the session's config.</summary>
    public static RunProgress Restore(string path, TrainingSession session)
    {
        var header = Checkpoint.ReadHeader(path);
        if (header.Config != session.Config)
        {
            throw new ConfigException("resume", $"the checkpoint in '{Path.GetDirectoryName(path)}' was made with a different config");
        }
        Checkpoint.Load(path, Tensors(session));
        session.Gan.GeneratorState.Step = header.OptimizerSteps[GeneratorSteps];
        session.Gan.DiscriminatorState.Step = header.OptimizerSteps[DiscriminatorSteps];
        session.Gan.History.Taken = header.EnsembleCopiesTaken;
        return new RunProgress(header.Step, header.TrainSeconds, header.EvalSeconds, header.Snapshots, header.Pictures);
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
