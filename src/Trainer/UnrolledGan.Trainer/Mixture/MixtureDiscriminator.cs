using UnrolledGan.Trainer.Core;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace UnrolledGan.Trainer.Mixture;

/// <summary>
/// App. A's discriminator: input scaled (by 1/4 in the paper), fully connected hidden layers, a linear logit.
/// Its weights are plain tensors in the order [W1, b1, …, W_out, b_out] so they can be replaced by θ_D^k.
/// </summary>
internal sealed class MixtureDiscriminator : IFunctionalDiscriminator
{
    private readonly Tensor[] _parameters;
    private readonly double _inputScale;
    private readonly Activation _activation;

    public MixtureDiscriminator(int hiddenUnits, int layers, Activation activation, double inputScale, double initGain,
        Device device, ScalarType dtype = ScalarType.Float32)
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
                var weight = empty(outputs, inputs, dtype: dtype, device: device);
                nn.init.orthogonal_(weight, initGain);
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
            hidden = Activate(linear(hidden, weights[2 * layer], weights[2 * layer + 1]), _activation);
        }
        return linear(hidden, weights[2 * last], weights[2 * last + 1]).squeeze(1);
    }

    internal static Tensor Activate(Tensor x, Activation activation) => activation switch
    {
        Activation.Relu => relu(x),
        Activation.Tanh => tanh(x),
        _ => throw new ArgumentOutOfRangeException(nameof(activation)),
    };

    public void Dispose()
    {
        foreach (var parameter in _parameters)
        {
            parameter.Dispose();
        }
    }
}
