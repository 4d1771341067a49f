using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace UnrolledGan.Trainer.Core;

/// <summary>
/// The GAN value f of Eq. 4 and the losses built from it, on logits: log σ(a) = −softplus(−a) and
/// log(1 − σ(a)) = −softplus(a), which stay finite where D saturates.
/// </summary>
internal sealed class GanObjective(GeneratorLoss generatorLoss)
{
    /// <summary>L_D = −f: the discriminator's loss, Eq. 11 as a minimization.</summary>
    public static Tensor DiscriminatorLoss(Tensor realLogits, Tensor fakeLogits) =>
        softplus(-realLogits).mean() + softplus(fakeLogits).mean();

    /// <summary>
    /// ∂L_D/∂a for the logits of real and fake rows stacked: −σ(−a)/n_real = (σ(a) − 1)/n_real on real rows and
    /// σ(a)/n_fake on fake rows, written (σ(a) − y)·w with the constants of <see cref="DiscriminatorTargets"/>.
    /// </summary>
    public static Tensor DiscriminatorLossGradient(Tensor logits, DiscriminatorTargets targets) =>
        (logits.sigmoid() - targets.Labels).mul_(targets.Weights);

    /// <summary>The generator's loss at some θ_D (θ_D^K for Eq. 10).</summary>
    public Tensor GeneratorLoss(Tensor realLogits, Tensor fakeLogits) => generatorLoss switch
    {
        // G minimizes f itself; log D(x) matters because θ_D^K depends on θ_G through the unrolling.
        Trainer.GeneratorLoss.Minimax => -DiscriminatorLoss(realLogits, fakeLogits),
        Trainer.GeneratorLoss.NonSaturating => softplus(-fakeLogits).mean(),
        _ => throw new ArgumentOutOfRangeException(nameof(generatorLoss)),
    };
}

/// <summary>
/// y (1 on real rows, 0 on fake ones) and w (1/n of each row's half) for a minibatch of <paramref name="RealRows"/>
/// real rows followed by <paramref name="FakeRows"/> fake ones; kept across steps, as the batch size never changes.
/// </summary>
internal sealed class DiscriminatorTargets : IDisposable
{
    public DiscriminatorTargets(long realRows, long fakeRows, ScalarType dtype, Device device)
    {
        (RealRows, FakeRows) = (realRows, fakeRows);
        Labels = cat([ones(realRows, dtype, device), zeros(fakeRows, dtype, device)]).DetachFromDisposeScope();
        Weights = cat([full(realRows, 1.0 / realRows, dtype, device), full(fakeRows, 1.0 / fakeRows, dtype, device)])
            .DetachFromDisposeScope();
    }

    public long RealRows { get; }
    public long FakeRows { get; }
    public Tensor Labels { get; }
    public Tensor Weights { get; }

    public bool Fits(long realRows, long fakeRows) => realRows == RealRows && fakeRows == FakeRows;

    public void Dispose()
    {
        Labels.Dispose();
        Weights.Dispose();
    }
}
