using TorchSharp;
using UnrolledGan.Figures;
using UnrolledGan.Trainer.Core;
using static TorchSharp.torch;

namespace UnrolledGan.Trainer.Mixture;

/// <summary>§3.1 and App. A: eight Gaussians of std 0.02 on a circle of radius 2, and a small fully connected GAN.</summary>
internal sealed class MixtureExperiment : IExperiment
{
    private const int PictureBins = 96;

    private readonly TrainingConfig _config;
    private readonly Device _device;
    private readonly Tensor _centers;
    private readonly MixtureGenerator _generator;
    private readonly MixtureDiscriminator _discriminator;

    public MixtureExperiment(TrainingConfig config, Device device, Generator initialization)
    {
        _config = config;
        _device = device;
        var options = config.Mixture;
        _centers = tensor(MixtureMetrics.Centers(options).SelectMany(c => new[] { (float)c.X, (float)c.Y }).ToArray(),
            [options.Modes, 2], device: device);
        _generator = new MixtureGenerator(config.NoiseDimension, ConfigValidator.Scaled(options.HiddenUnits, config.GeneratorSize),
            options.GeneratorLayers, options.Activation, options.InitGain, initialization);
        _generator.to(device);
        _discriminator = new MixtureDiscriminator(ConfigValidator.Scaled(options.HiddenUnits, config.DiscriminatorSize),
            options.DiscriminatorLayers, options.Activation, options.DiscriminatorInputScale, options.InitGain, initialization, device);
    }

    public nn.Module<Tensor, Tensor> Generator => _generator;
    public IFunctionalDiscriminator Discriminator => _discriminator;

    public Tensor SampleReal(int count, Generator random)
    {
        var modes = randint(_config.Mixture.Modes, [count], dtype: ScalarType.Int64, device: _device, generator: random);
        return _centers.index_select(0, modes) + randn([count, 2], device: _device, generator: random) * _config.Mixture.StandardDeviation;
    }

    public Tensor SampleNoise(int count, Generator random) =>
        randn([count, _config.NoiseDimension], device: _device, generator: random);

    public IReadOnlyDictionary<string, double?> Evaluate(Tensor generated) =>
        MixtureMetrics.Score(Points(generated), _config.Mixture).ToMetrics();

    public SnapshotImage Picture(int step, Tensor generated) =>
        DensityImage.FromPoints(Points(generated), Extent, PictureBins, step);

    public SnapshotImage DataPicture(Generator random)
    {
        using var scope = NewDisposeScope();
        return DensityImage.FromPoints(Points(SampleReal(_config.EvalSamples, random)), Extent, PictureBins, step: -1);
    }

    /// <summary>Half-width of the pictured square: the circle plus a margin, as in Fig. 2.</summary>
    private double Extent => _config.Mixture.Radius * 1.5;

    private static float[] Points(Tensor generated) => generated.detach().cpu().contiguous().data<float>().ToArray();

    public void Dispose()
    {
        _centers.Dispose();
        _generator.Dispose();
        _discriminator.Dispose();
    }
}
