using TorchSharp;
using static TorchSharp.torch;

namespace UnrolledGan.Trainer.Measures;

/// <summary>
/// Inference via optimization (§3.4.1, Eqs. 13–14): how closely a generator can reproduce given training images.
/// z_nearest = argmin_z ‖G(z) − x‖², found with L-BFGS from several random starts; a model that dropped a mode
/// cannot reach the images of that mode, so its best error there stays large.
/// </summary>
/// <remarks>
/// Every (target, start) pair is its own optimization: its own curvature history, strong Wolfe line search and
/// stopping test (<see cref="BatchedLbfgs"/>), so one hard target neither stops nor steers another. They are only
/// evaluated together, in batches of at most <see cref="EvaluationBatch"/> images, which the generator allows
/// because in eval mode its batch norm uses running statistics and each image depends on its own z alone.
/// </remarks>
public static class InferenceByOptimization
{
    /// <summary>Images per generator call: bounds memory at Table 3's 1,280 targets × 3 starts.</summary>
    public const int EvaluationBatch = 256;

    /// <param name="generator">Maps [N, noiseDimension] noise to images shaped like <paramref name="targets"/>. It is put
    /// in eval mode for the search (batch-norm uses its running statistics) and restored afterwards; its parameters
    /// are frozen meanwhile, so they neither change nor collect gradients.</param>
    /// <param name="targets">[N, …] target images x, on the generator's device and dtype.</param>
    /// <param name="starts">Random starts z ~ N(0, I) per target (the paper uses 3); the lowest error wins.</param>
    /// <param name="iterations">L-BFGS iterations per start, each with its own line search.</param>
    /// <returns>Per target, min over starts of ‖G(z) − x‖² / (values per image): the mean squared error of Table 3.
    /// +∞ when no start gave a finite error.</returns>
    public static float[] BestMse(nn.Module<Tensor, Tensor> generator, Tensor targets, int noiseDimension, int starts, int iterations,
        torch.Generator random) =>
        Reconstruct(generator, targets, noiseDimension, starts, iterations, random).Errors;

    /// <summary><see cref="BestMse"/>, with the best z of every target ([N, noiseDimension], on the CPU) and the optimizer's account of each start.</summary>
    internal static InferenceResult Reconstruct(nn.Module<Tensor, Tensor> generator, Tensor targets, int noiseDimension, int starts,
        int iterations, torch.Generator random)
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
            using var scope = torch.NewDisposeScope();
            var target = targets.detach();
            // One draw per start, in start order, so a run's starts do not depend on how they are batched.
            var start = cat(Enumerable.Range(0, starts)
                .Select(_ => randn([count, noiseDimension], dtype: targets.dtype, device: targets.device, generator: random)).ToArray(), 0);
            CheckShape(generator, start[..1], target);

            // Row r is start r / count of target r mod count.
            var result = BatchedLbfgs.Minimize(Objective(generator, target), start, new LbfgsOptions(iterations));

            var errors = Enumerable.Repeat(float.PositiveInfinity, (int)count).ToArray();
            var bestRow = new long[count];
            for (int row = 0; row < result.Loss.Length; row++)
            {
                int t = (int)(row % count);
                // A non-finite error (a diverged start) never replaces a finite one.
                if (result.Loss[row] < errors[t])
                {
                    errors[t] = (float)result.Loss[row];
                    bestRow[t] = row;
                }
            }
            var z = result.Points.index_select(0, tensor(bestRow, device: targets.device)).cpu().MoveToOuterDisposeScope();
            return new InferenceResult(errors, z, result.Iterations, result.Evaluations, result.Stops);
        }
        finally
        {
            for (int p = 0; p < parameters.Length; p++)
            {
                parameters[p].requires_grad_(requiredGrad[p]);
            }
            generator.train(wasTraining);
        }
    }

    /// <summary>Each row's MSE against its own target and its gradient in z, in batches of <see cref="EvaluationBatch"/>.</summary>
    private static RowObjective Objective(nn.Module<Tensor, Tensor> generator, Tensor targets) => (rows, points) =>
    {
        long count = targets.shape[0];
        var losses = new List<Tensor>();
        var gradients = new List<Tensor>();
        for (long from = 0; from < rows.shape[0]; from += EvaluationBatch)
        {
            long to = Math.Min(from + EvaluationBatch, rows.shape[0]);
            var z = points.narrow(0, from, to - from).detach().requires_grad_(true);
            var target = targets.index_select(0, rows.narrow(0, from, to - from).remainder(count));
            var loss = (generator.call(z) - target).square().reshape(to - from, -1).mean([1]);
            gradients.Add(torch.autograd.grad([loss.sum()], [z])[0].detach());
            losses.Add(loss.detach());
        }
        return (cat(losses, 0), cat(gradients, 0));
    };

    /// <summary>A mismatch would broadcast silently or abort the process inside libtorch; fail in C# instead.</summary>
    private static void CheckShape(nn.Module<Tensor, Tensor> generator, Tensor z, Tensor targets)
    {
        using var noGrad = torch.no_grad();
        var shape = generator.call(z).shape.Skip(1);
        if (!shape.SequenceEqual(targets.shape.Skip(1)))
        {
            throw new ArgumentException(
                $"The generator makes [N, {string.Join(", ", shape)}] but the targets are [{string.Join(", ", targets.shape)}].",
                nameof(targets));
        }
    }
}

/// <summary>The best error and z of each target, and per start (row r = start r / N of target r mod N) how its optimization went.</summary>
internal sealed record InferenceResult(float[] Errors, Tensor BestNoise, int[] Iterations, int[] Evaluations, LbfgsStop[] Stops);
