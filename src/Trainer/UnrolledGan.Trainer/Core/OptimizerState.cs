using static TorchSharp.torch;

namespace UnrolledGan.Trainer.Core;

/// <summary>An optimizer's moments and step count. Functional steps return a new state; in-place steps overwrite this one.</summary>
internal sealed class OptimizerState(IReadOnlyList<Tensor> firstMoments, IReadOnlyList<Tensor> secondMoments, long step)
{
    public IReadOnlyList<Tensor> FirstMoments { get; } = firstMoments;
    public IReadOnlyList<Tensor> SecondMoments { get; } = secondMoments;
    public long Step { get; set; } = step;

    public IEnumerable<Tensor> Tensors => FirstMoments.Concat(SecondMoments);
}
