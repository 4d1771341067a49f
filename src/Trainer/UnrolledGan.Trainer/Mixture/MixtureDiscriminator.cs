using UnrolledGan.Trainer.Core;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace UnrolledGan.Trainer.Mixture;

/// <summary>
/// App. A's discriminator: input scaled (by 1/4 in the paper), fully connected hidden layers, a linear logit.
/// Its weights are plain tensors in the order [W1, b1, …, W_out, b_out] so they can be replaced by θ_D^k; each W is
/// stored inputs × outputs, so a layer is x·W + b.
/// </summary>
internal sealed class MixtureDiscriminator : IFunctionalDiscriminator
{
    private readonly Tensor[] _parameters;
    private readonly double _inputScale;
    private readonly Activation _activation;
    private DiscriminatorTargets? _targets;

    public MixtureDiscriminator(int hiddenUnits, int layers, Activation activation, double inputScale, double initGain,
        Generator random, Device device, ScalarType dtype = ScalarType.Float32)
    {
        _inputScale = inputScale;
        _activation = activation;
        var parameters = new List<Tensor>();
        using (no_grad())
        {
            for (int i = 0; i <= layers; i++)
            {
                long inputs = i == 0 ? 2 : hiddenUnits;
                long outputs = i == layers ? 1 : hiddenUnits;
                var weight = empty(inputs, outputs, dtype: dtype, device: device);
                Initialization.Orthogonal(weight, initGain, random);
                parameters.Add(weight.requires_grad_());
                parameters.Add(zeros(outputs, dtype: dtype, device: device).requires_grad_());
            }
        }
        _parameters = parameters.ToArray();
    }

    public IReadOnlyList<Tensor> Parameters => _parameters;

    public Tensor Logits(Tensor x, IReadOnlyList<Tensor> weights)
    {
        var hidden = _inputScale == 1.0 ? x : x * _inputScale;
        int last = weights.Count / 2 - 1;
        for (int layer = 0; layer < last; layer++)
        {
            hidden = Activate(addmm(weights[2 * layer + 1], hidden, weights[2 * layer], 1, 1), _activation);
        }
        return addmm(weights[2 * last + 1], hidden, weights[2 * last], 1, 1).view(-1);
    }

    public DiscriminatorPass Evaluate(Tensor real, Tensor fake, IReadOnlyList<Tensor> weights)
    {
        long realRows = real.shape[0], fakeRows = fake.shape[0];
        if (_targets?.Fits(realRows, fakeRows) != true)
        {
            _targets?.Dispose();
            _targets = new DiscriminatorTargets(realRows, fakeRows, weights[0].dtype, weights[0].device);
        }
        return ExplicitPass.Run(real, fake, weights, _inputScale, _activation, _targets);
    }

    internal static Tensor Activate(Tensor x, Activation activation) => activation switch
    {
        Activation.Relu => relu(x),
        Activation.Tanh => tanh(x),
        _ => throw new ArgumentOutOfRangeException(nameof(activation)),
    };

    public void Dispose()
    {
        _targets?.Dispose();
        foreach (var parameter in _parameters)
        {
            parameter.Dispose();
        }
    }

    /// <summary>
    /// D on real and fake rows together, with the backward pass written out as tensor operations: autograd
    /// differentiates them again for the second term of Eq. 12, and they cost about half what a generic
    /// autograd.grad does (README, "Speed and memory"). The 2-D input is held transposed (2 × N, contiguous) so that
    /// no matrix product has two columns and a long inner dimension: MKL's kernels for those run 10× slower here.
    /// </summary>
    private sealed class ExplicitPass(Tensor realLogits, Tensor fakeLogits, Tensor logits, IReadOnlyList<Tensor> weights,
        IReadOnlyList<Tensor> inputsTransposed, IReadOnlyList<Tensor> activations, Activation activation, DiscriminatorTargets targets)
        : DiscriminatorPass(realLogits, fakeLogits)
    {
        public static ExplicitPass Run(Tensor real, Tensor fake, IReadOnlyList<Tensor> weights, double inputScale,
            Activation activation, DiscriminatorTargets targets)
        {
            var input = cat([real.t(), fake.t()], 1);
            if (inputScale != 1.0)
            {
                input = input * inputScale;
            }
            // inputsTransposed[l] is layer l's input, features × rows; activations[l] is its output, rows × features.
            var inputsTransposed = new List<Tensor> { input };
            var activations = new List<Tensor>();
            var hidden = input.t();
            int last = weights.Count / 2 - 1;
            for (int layer = 0; layer < last; layer++)
            {
                hidden = Activate(addmm(weights[2 * layer + 1], hidden, weights[2 * layer], 1, 1), activation);
                activations.Add(hidden);
                inputsTransposed.Add(hidden.t());
            }
            var logits = addmm(weights[2 * last + 1], hidden, weights[2 * last], 1, 1).view(-1);
            return new ExplicitPass(logits.narrow(0, 0, real.shape[0]), logits.narrow(0, real.shape[0], fake.shape[0]), logits,
                weights, inputsTransposed, activations, activation, targets);
        }

        public override IReadOnlyList<Tensor> LossGradients(bool createGraph)
        {
            using var gradMode = createGraph ? null : no_grad();
            int last = weights.Count / 2 - 1;
            var gradients = new Tensor[weights.Count];
            // ∂L_D/∂a, then back through the output layer: ∂/∂W_out = hᵀ·δ, ∂/∂b_out = Σδ, ∂/∂h = δ·W_outᵀ.
            var delta = GanObjective.DiscriminatorLossGradient(logits, targets).unsqueeze(1);
            gradients[2 * last] = mm(inputsTransposed[last], delta);
            gradients[2 * last + 1] = delta.sum(0, keepdim: false);
            var upstream = mm(delta, weights[2 * last].t());
            for (int layer = last - 1; layer >= 0; layer--)
            {
                var preactivation = ActivationBackward(upstream, activations[layer], activation);
                gradients[2 * layer] = mm(inputsTransposed[layer], preactivation);
                gradients[2 * layer + 1] = preactivation.sum(0, keepdim: false);
                if (layer > 0)
                {
                    upstream = mm(preactivation, weights[2 * layer].t());
                }
            }
            return gradients;
        }

        /// <summary>∂/∂(pre-activation) from ∂/∂(activation), written with the activation's output h.</summary>
        private static Tensor ActivationBackward(Tensor upstream, Tensor output, Activation activation) => activation switch
        {
            // relu′ is 0 or 1, constant almost everywhere: this term has no second derivative of its own.
            Activation.Relu => upstream.masked_fill(output.le(0), 0),
            // tanh′ = 1 − h², differentiable again through h.
            Activation.Tanh => upstream.addcmul(upstream * output, output, -1),
            _ => throw new ArgumentOutOfRangeException(nameof(activation)),
        };
    }
}
