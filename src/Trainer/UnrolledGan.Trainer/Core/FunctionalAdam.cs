using static TorchSharp.torch;

namespace UnrolledGan.Trainer.Core;

/// <summary>Adam (Kingma &amp; Ba 2014) as the paper unrolls it, with the operations in torch.optim.Adam's order.</summary>
internal sealed class FunctionalAdam(double learningRate, double beta1, double beta2, double epsilon) : IDifferentiableOptimizer
{
    // sqrt has an infinite derivative at 0, and a weight whose gradient is exactly 0 (a dead relu) has v = 0, which
    // would turn the second-order gradient into 0 · ∞ = NaN. Below this floor the clamp passes no gradient instead;
    // its value is far under epsilon, so the update itself is unchanged to float precision.
    private const double SecondMomentFloor = 1e-30;

    public OptimizerState Initialize(IReadOnlyList<Tensor> parameters) =>
        new(parameters.Select(p => zeros_like(p)).ToArray(), parameters.Select(p => zeros_like(p)).ToArray(), 0);

    public (IReadOnlyList<Tensor> Parameters, OptimizerState State) Step(
        IReadOnlyList<Tensor> parameters, IReadOnlyList<Tensor> gradients, OptimizerState state)
    {
        long step = state.Step + 1;
        double biasCorrection1 = 1 - Math.Pow(beta1, step);
        double biasCorrection2Sqrt = Math.Sqrt(1 - Math.Pow(beta2, step));
        double stepSize = learningRate / biasCorrection1;

        var updated = new Tensor[parameters.Count];
        var firstMoments = new Tensor[parameters.Count];
        var secondMoments = new Tensor[parameters.Count];
        for (int i = 0; i < parameters.Count; i++)
        {
            var gradient = gradients[i];
            firstMoments[i] = state.FirstMoments[i] * beta1 + gradient * (1 - beta1);
            secondMoments[i] = state.SecondMoments[i] * beta2 + gradient * gradient * (1 - beta2);
            var denominator = secondMoments[i].clamp_min(SecondMomentFloor).sqrt() / biasCorrection2Sqrt + epsilon;
            updated[i] = parameters[i] - firstMoments[i] / denominator * stepSize;
        }
        return (updated, new OptimizerState(firstMoments, secondMoments, step));
    }
}
