using static TorchSharp.torch;

namespace UnrolledGan.Trainer.Core;

/// <summary>
/// A discriminator that runs from an explicit list of parameter tensors, so that K optimizer steps can be taken
/// functionally and differentiated through (Eq. 7, Eq. 12). <see cref="Parameters"/> holds the live weights;
/// <see cref="Logits"/> and <see cref="Evaluate"/> accept them or any tensors of the same shapes, such as θ_D^k.
/// </summary>
internal interface IFunctionalDiscriminator : IDisposable
{
    IReadOnlyList<Tensor> Parameters { get; }

    /// <summary>Logits of D(x; weights), one per row of <paramref name="x"/>.</summary>
    Tensor Logits(Tensor x, IReadOnlyList<Tensor> weights);

    /// <summary>D on one (real, fake) minibatch, ready to give L_D and its gradient; by default through autograd.</summary>
    DiscriminatorPass Evaluate(Tensor real, Tensor fake, IReadOnlyList<Tensor> weights) =>
        new AutogradDiscriminatorPass(Logits(real, weights), Logits(fake, weights), weights);
}
