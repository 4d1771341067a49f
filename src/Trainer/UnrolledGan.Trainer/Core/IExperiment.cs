using UnrolledGan.Figures;
using static TorchSharp.torch;

namespace UnrolledGan.Trainer.Core;

/// <summary>One of the paper's experiments: its data, its two networks and how its samples are scored and pictured.</summary>
internal interface IExperiment : IDisposable
{
    nn.Module<Tensor, Tensor> Generator { get; }
    IFunctionalDiscriminator Discriminator { get; }

    Tensor SampleReal(int count, Generator random);
    Tensor SampleNoise(int count, Generator random);

    /// <summary>Most samples generated in one call at evaluation; image generators' activations take gigabytes at thousands of samples.</summary>
    int EvaluationBatch => int.MaxValue;

    /// <summary>The experiment's metrics on generated samples (a CPU sync point; called at snapshot steps only).</summary>
    IReadOnlyDictionary<string, double?> Evaluate(Tensor generated);

    /// <summary>A picture of generated samples at a snapshot step, as Fig. 2 or Fig. 3 shows them.</summary>
    SnapshotImage Picture(int step, Tensor generated);

    /// <summary>The same picture of the data, drawn as the last column.</summary>
    SnapshotImage DataPicture(Generator random);

    /// <summary>Measures too costly for every snapshot (inference via optimization), taken once on the final model; they may leave files in the job's folder.</summary>
    IReadOnlyDictionary<string, double?> EvaluateFinal(RunLayout layout, Generator random) => new Dictionary<string, double?>();
}
