using static TorchSharp.torch;

namespace UnrolledGan.Trainer.Core;

/// <summary>
/// An optimizer written as a pure function of parameters, gradients and state, so the graph of an update can be
/// kept and backpropagated through (paper §1.2, Maclaurin et al. 2015). The same function performs the real update
/// in place, so the unrolled steps are exactly the steps the discriminator would take.
/// </summary>
internal interface IDifferentiableOptimizer
{
    OptimizerState Initialize(IReadOnlyList<Tensor> parameters);

    (IReadOnlyList<Tensor> Parameters, OptimizerState State) Step(
        IReadOnlyList<Tensor> parameters, IReadOnlyList<Tensor> gradients, OptimizerState state);
}

internal static class DifferentiableOptimizerExtensions
{
    /// <summary>Applies one step to live parameters and state, outside autograd.</summary>
    public static void StepInPlace(this IDifferentiableOptimizer optimizer,
        IReadOnlyList<Tensor> parameters, IReadOnlyList<Tensor> gradients, OptimizerState state)
    {
        using var noGrad = no_grad();
        var (updated, next) = optimizer.Step(parameters, gradients, state);
        for (int i = 0; i < parameters.Count; i++)
        {
            parameters[i].copy_(updated[i]);
        }
        foreach (var (live, fresh) in state.Tensors.Zip(next.Tensors))
        {
            live.copy_(fresh);
        }
        state.Step = next.Step;
    }
}
