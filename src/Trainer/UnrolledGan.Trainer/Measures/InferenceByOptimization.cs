using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace UnrolledGan.Trainer.Measures;

/// <summary>
/// Inference via optimization (§3.4.1, Eqs. 13–14): how closely a generator can reproduce given training images.
/// z_nearest = argmin_z ‖G(z) − x‖², found with L-BFGS from several random starts; a model that dropped a mode
/// cannot reach the images of that mode, so its best error there stays large.
/// </summary>
public static class InferenceByOptimization
{
    /// <param name="generator">Maps [N, noiseDimension] noise to images shaped like <paramref name="targets"/>. It is put
    /// in eval mode for the search (batch-norm uses its running statistics) and restored afterwards; its parameters
    /// are frozen meanwhile, so they neither change nor collect gradients.</param>
    /// <param name="targets">[N, …] target images x, on the generator's device and dtype.</param>
    /// <param name="starts">Random starts z ~ N(0, I) per target (the paper uses 3); the lowest error wins.</param>
    /// <param name="iterations">L-BFGS iterations per start (TorchSharp's max_iter; one step call runs them all).</param>
    /// <param name="learningRate">L-BFGS step scale. TorchSharp's L-BFGS has no line search, so this is PyTorch's
    /// default of 1, the full quasi-Newton step.</param>
    /// <returns>Per target, min over starts of ‖G(z) − x‖² / (values per image): the mean squared error of Table 3.
    /// +∞ when every start diverged to NaN.</returns>
    /// <remarks>
    /// All N targets are optimized together, with the sum over targets of their MSEs as the loss. The objective is
    /// separable, so each z_i gets exactly its own target's gradient; what is shared is L-BFGS's curvature history and
    /// its stopping test, so a batch is not step-for-step identical to N separate runs, but it is N times faster.
    /// </remarks>
    public static float[] BestMse(nn.Module<Tensor, Tensor> generator, Tensor targets, int noiseDimension, int starts, int iterations,
        torch.Generator random, double learningRate = 1.0)
    {
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentOutOfRangeException.ThrowIfLessThan(noiseDimension, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(starts, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1);
        if (targets.dim() < 2 || targets.shape[0] < 1)
        {
            throw new ArgumentException("Targets must be a non-empty batch [N, …].", nameof(targets));
        }
        long count = targets.shape[0];
        long values = targets.numel() / count;
        var best = Enumerable.Repeat(float.PositiveInfinity, (int)count).ToArray();

        bool wasTraining = generator.training;
        var parameters = generator.parameters().ToArray();
        var requiredGrad = parameters.Select(p => p.requires_grad).ToArray();
        generator.eval();
        foreach (var parameter in parameters)
        {
            parameter.requires_grad_(false);
        }
        try
        {
            for (int start = 0; start < starts; start++)
            {
                using var scope = torch.NewDisposeScope();
                var target = targets.detach();
                var z = new Parameter(torch.randn([count, noiseDimension], dtype: targets.dtype, device: targets.device, generator: random));
                if (start == 0)
                {
                    using var _ = torch.no_grad();
                    var shape = generator.call(z).shape;
                    // A mismatch would broadcast silently or abort the process inside libtorch; fail in C# instead.
                    if (!shape.SequenceEqual(target.shape))
                    {
                        throw new ArgumentException(
                            $"The generator makes [{string.Join(", ", shape)}] but the targets are [{string.Join(", ", target.shape)}].",
                            nameof(targets));
                    }
                }
                using var lbfgs = torch.optim.LBFGS([z], lr: learningRate, max_iter: iterations);
                lbfgs.step(() =>
                {
                    lbfgs.zero_grad();
                    var loss = (generator.call(z) - target).square().sum() / values;
                    loss.backward();
                    return loss;
                });

                using var noGrad = torch.no_grad();
                var errors = (generator.call(z) - target).square().reshape(count, -1).mean([1])
                    .to(ScalarType.Float32).cpu().data<float>().ToArray();
                for (int i = 0; i < count; i++)
                {
                    // A NaN error (a diverged start) never replaces a finite one.
                    if (errors[i] < best[i])
                    {
                        best[i] = errors[i];
                    }
                }
            }
        }
        finally
        {
            for (int p = 0; p < parameters.Length; p++)
            {
                parameters[p].requires_grad_(requiredGrad[p]);
            }
            generator.train(wasTraining);
        }
        return best;
    }
}
