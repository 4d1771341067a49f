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
    public Tensor DiscriminatorLoss(Tensor realLogits, Tensor fakeLogits) =>
        softplus(-realLogits).mean() + softplus(fakeLogits).mean();

    /// <summary>The generator's loss at some θ_D (θ_D^K for Eq. 10).</summary>
    public Tensor GeneratorLoss(Tensor realLogits, Tensor fakeLogits) => generatorLoss switch
    {
        // G minimizes f itself; log D(x) matters because θ_D^K depends on θ_G through the unrolling.
        Trainer.GeneratorLoss.Minimax => -DiscriminatorLoss(realLogits, fakeLogits),
        Trainer.GeneratorLoss.NonSaturating => softplus(-fakeLogits).mean(),
        _ => throw new ArgumentOutOfRangeException(nameof(generatorLoss)),
    };
}
