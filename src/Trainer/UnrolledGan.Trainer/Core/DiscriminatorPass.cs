using TorchSharp;
using static TorchSharp.torch;

namespace UnrolledGan.Trainer.Core;

/// <summary>
/// D evaluated at some weights on one (real, fake) minibatch: both logits, the discriminator's loss L_D (Eq. 11 as a
/// minimization) and its gradient with respect to those weights, the quantity each unrolling step (Eq. 7) needs.
/// </summary>
internal abstract class DiscriminatorPass(Tensor realLogits, Tensor fakeLogits)
{
    private Tensor? _loss;

    public Tensor RealLogits { get; } = realLogits;
    public Tensor FakeLogits { get; } = fakeLogits;

    /// <summary>L_D, computed when first asked for: an unrolling step needs only its gradient.</summary>
    public Tensor Loss => _loss ??= GanObjective.DiscriminatorLoss(RealLogits, FakeLogits);

    /// <summary>
    /// ∂L_D/∂θ_D. With <paramref name="createGraph"/> the gradients are themselves differentiable functions of the
    /// weights and the minibatch, so the generator's gradient can flow back through them (the second term of Eq. 12).
    /// The logits stay differentiable either way.
    /// </summary>
    public abstract IReadOnlyList<Tensor> LossGradients(bool createGraph);
}

/// <summary>Any discriminator: the gradient is autograd's own backward of <see cref="DiscriminatorPass.Loss"/>.</summary>
internal sealed class AutogradDiscriminatorPass(Tensor realLogits, Tensor fakeLogits, IReadOnlyList<Tensor> weights)
    : DiscriminatorPass(realLogits, fakeLogits)
{
    // The graph is retained: the generator's loss is still to be differentiated through the same logits.
    public override IReadOnlyList<Tensor> LossGradients(bool createGraph) =>
        [.. torch.autograd.grad([Loss], [.. weights], retain_graph: true, create_graph: createGraph)];
}
