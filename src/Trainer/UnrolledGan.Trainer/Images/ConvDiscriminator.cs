using UnrolledGan.Trainer.Core;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace UnrolledGan.Trainer.Images;

/// <summary>
/// The convolutional discriminator of Apps. C–F: 3×3 convolutions of stride 2, each followed by batch normalization
/// and a leaky ReLU (leak 0.3), then a linear projection of the flattened map to one logit. The appendices' tables
/// call these layers "transposed convolutions", but they halve the image, so they are plain strided convolutions.
/// Weights are plain tensors in the order [W_1, γ_1, β_1, …, W_out, b_out] so θ_D^k can replace them. Batch
/// normalization always uses the minibatch's own statistics, computed from the weights it is given, so every
/// unrolled step normalizes exactly as a real step would and the statistics are differentiated through.
/// </summary>
internal sealed class ConvDiscriminator : IFunctionalDiscriminator
{
    public const double Leak = 0.3;
    private const double NormEpsilon = 1e-5;

    private readonly Tensor[] _parameters;
    private readonly int _layers;

    public ConvDiscriminator(int channels, int height, int width, IReadOnlyList<int> widths, Generator random, Device device,
        ScalarType dtype = ScalarType.Float32)
    {
        _layers = widths.Count;
        var parameters = new List<Tensor>();
        using (no_grad())
        {
            long inputs = channels;
            foreach (int outputs in widths)
            {
                // No convolution bias: batch normalization's β takes its place.
                var weight = empty(outputs, inputs, 3, 3, dtype: dtype, device: device);
                Initialization.XavierUniform(weight, random);
                parameters.Add(weight.requires_grad_());
                parameters.Add(ones(outputs, dtype: dtype, device: device).requires_grad_());
                parameters.Add(zeros(outputs, dtype: dtype, device: device).requires_grad_());
                inputs = outputs;
            }
            var (h, w) = OutputSize(height, width, widths.Count);
            var projection = empty(1, inputs * h * w, dtype: dtype, device: device);
            Initialization.XavierUniform(projection, random);
            parameters.Add(projection.requires_grad_());
            parameters.Add(zeros(1, dtype: dtype, device: device).requires_grad_());
        }
        _parameters = parameters.ToArray();
    }

    public IReadOnlyList<Tensor> Parameters => _parameters;

    /// <summary>Height and width after <paramref name="layers"/> stride-2 convolutions with padding 1: 28 → 14 → 7 → 4.</summary>
    public static (int Height, int Width) OutputSize(int height, int width, int layers)
    {
        for (int i = 0; i < layers; i++)
        {
            (height, width) = ((height + 1) / 2, (width + 1) / 2);
        }
        return (height, width);
    }

    public Tensor Logits(Tensor x, IReadOnlyList<Tensor> weights)
    {
        var hidden = x;
        for (int layer = 0; layer < _layers; layer++)
        {
            hidden = conv2d(hidden, weights[3 * layer], strides: [2, 2], padding: [1, 1]);
            hidden = batch_norm(hidden, null, null, weights[3 * layer + 1], weights[3 * layer + 2], training: true, eps: NormEpsilon);
            hidden = leaky_relu(hidden, Leak);
        }
        return linear(hidden.flatten(1), weights[^2], weights[^1]).squeeze(1);
    }

    public void Dispose()
    {
        foreach (var parameter in _parameters)
        {
            parameter.Dispose();
        }
    }
}
