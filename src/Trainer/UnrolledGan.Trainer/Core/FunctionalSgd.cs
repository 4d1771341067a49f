using static TorchSharp.torch;

namespace UnrolledGan.Trainer.Core;

/// <summary>Plain gradient descent, Eq. 7 as the paper writes it.</summary>
internal sealed class FunctionalSgd(double learningRate) : IDifferentiableOptimizer
{
    public OptimizerState Initialize(IReadOnlyList<Tensor> parameters) => new([], [], 0);

    public (IReadOnlyList<Tensor> Parameters, OptimizerState State) Step(
        IReadOnlyList<Tensor> parameters, IReadOnlyList<Tensor> gradients, OptimizerState state) =>
        (parameters.Zip(gradients, (p, g) => p - g * learningRate).ToArray(), new OptimizerState([], [], state.Step + 1));
}
