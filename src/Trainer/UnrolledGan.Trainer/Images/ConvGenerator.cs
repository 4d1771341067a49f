using TorchSharp.Modules;
using UnrolledGan.Trainer.Core;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace UnrolledGan.Trainer.Images;

/// <summary>
/// The convolutional generator of Apps. D–F: z → fully connected 4·4·C₀ → reshape → three 3×3 stride-2 convolutions
/// that double the image (4 → 8 → 16 → 32; the tables' "convolution" of stride 2 upsamples, so it is transposed)
/// → a 3×3 stride-1 convolution to the image's channels. Batch normalization and leaky ReLU (0.3) follow every layer
/// but the last, whose tanh matches data scaled to [−1, 1]. 32×32 is centre-cropped to 28×28 for the MNIST family.
/// </summary>
internal sealed class ConvGenerator : nn.Module<Tensor, Tensor>
{
    private readonly Linear _project;
    private readonly BatchNorm1d _projectNorm;
    private readonly ModuleList<ConvTranspose2d> _upsample;
    private readonly ModuleList<BatchNorm2d> _upsampleNorms;
    private readonly Conv2d _output;
    private readonly int _baseWidth;
    private readonly int _height;
    private readonly int _width;

    /// <param name="widths">C₀ of the 4×4 map, then the three upsampling layers' outputs, e.g. [512, 256, 128, 64].</param>
    public ConvGenerator(int noiseDimension, IReadOnlyList<int> widths, int channels, int height, int width, Generator random)
        : base(nameof(ConvGenerator))
    {
        _baseWidth = widths[0];
        _height = height;
        _width = width;
        _project = nn.Linear(noiseDimension, 4 * 4 * widths[0]);
        _projectNorm = nn.BatchNorm1d(4 * 4 * widths[0]);
        _upsample = new ModuleList<ConvTranspose2d>(widths.Skip(1)
            .Select((outputs, i) => nn.ConvTranspose2d(widths[i], outputs, kernel_size: 3, stride: 2, padding: 1, output_padding: 1, bias: false))
            .ToArray());
        _upsampleNorms = new ModuleList<BatchNorm2d>(widths.Skip(1).Select(outputs => nn.BatchNorm2d(outputs)).ToArray());
        _output = nn.Conv2d(widths[^1], channels, kernel_size: 3, stride: 1, padding: 1);
        RegisterComponents();

        using var noGrad = no_grad();
        Initialization.XavierUniform(_project.weight!, random);
        nn.init.zeros_(_project.bias!);
        foreach (var layer in _upsample)
        {
            Initialization.XavierUniform(layer.weight!, random);
        }
        Initialization.XavierUniform(_output.weight!, random);
        nn.init.zeros_(_output.bias!);
    }

    /// <summary>Side of the generated image before cropping: 4 doubled once per upsampling layer.</summary>
    public int NativeSize => 4 << _upsample.Count;

    public override Tensor forward(Tensor noise)
    {
        var hidden = leaky_relu(_projectNorm.call(_project.call(noise)), ConvDiscriminator.Leak);
        hidden = hidden.view(-1, _baseWidth, 4, 4);
        for (int i = 0; i < _upsample.Count; i++)
        {
            hidden = leaky_relu(_upsampleNorms[i].call(_upsample[i].call(hidden)), ConvDiscriminator.Leak);
        }
        var image = tanh(_output.call(hidden));
        int top = (NativeSize - _height) / 2, left = (NativeSize - _width) / 2;
        return top == 0 && left == 0 ? image : image[.., .., top..(top + _height), left..(left + _width)];
    }
}
