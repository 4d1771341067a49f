using UnrolledGan.Figures;
using UnrolledGan.Trainer.Core;
using static TorchSharp.torch;

namespace UnrolledGan.Trainer.Images;

/// <summary>
/// An image experiment of §3.2–3.4: a data source, an appendix's generator and functional discriminator, and the
/// measures its table reports. Measures compare against data statistics drawn with a fixed seed, so every job of a
/// sweep is scored against the same data, whatever its own seed.
/// </summary>
internal sealed class ImageExperiment : IExperiment
{
    /// <summary>Seed of the data-side statistics and the inference targets: the same for every job, so jobs are comparable.</summary>
    public const long ReferenceSeed = 20_170_424;

    private readonly TrainingConfig _config;
    private readonly Device _device;
    private readonly IImageSource _source;
    private readonly nn.Module<Tensor, Tensor> _generator;
    private readonly ConvDiscriminator _discriminator;
    private readonly IReadOnlyList<IImageMeasure> _measures;
    private readonly Reconstruction? _reconstruction;
    private readonly IDisposable[] _owned;

    public ImageExperiment(TrainingConfig config, Device device, IImageSource source, nn.Module<Tensor, Tensor> generator,
        ConvDiscriminator discriminator, IReadOnlyList<IImageMeasure> measures, Reconstruction? reconstruction = null,
        params IDisposable[] owned)
    {
        _config = config;
        _device = device;
        _source = source;
        _generator = generator;
        _discriminator = discriminator;
        _measures = measures;
        _reconstruction = reconstruction;
        _owned = owned;
    }

    public nn.Module<Tensor, Tensor> Generator => _generator;
    public IFunctionalDiscriminator Discriminator => _discriminator;
    public int EvaluationBatch => 256;

    public Tensor SampleReal(int count, Generator random) => _source.Sample(count, random);

    public Tensor SampleNoise(int count, Generator random) => randn([count, _config.NoiseDimension], device: _device, generator: random);

    public IReadOnlyDictionary<string, double?> Evaluate(Tensor generated) =>
        _measures.SelectMany(m => m.Score(generated)).ToDictionary();

    public SnapshotImage Picture(int step, Tensor generated) => Tiles(generated, step);

    public SnapshotImage DataPicture(Generator random)
    {
        using var scope = NewDisposeScope();
        return Tiles(_source.Sample(_config.Images.PictureSamples, random), step: -1);
    }

    public IReadOnlyDictionary<string, double?> EvaluateFinal(RunLayout layout, Generator random)
    {
        // Fresh samples from the final-evaluation stream, so a job resumed after its last snapshot writes the same file.
        if (_measures.OfType<PairDistances>().FirstOrDefault() is { } distances)
        {
            using var noGrad = no_grad();
            distances.Save(layout.Distances, Sampling.InBatches(_generator, SampleNoise(_config.EvalSamples, random), EvaluationBatch));
        }
        return _reconstruction?.Score(_generator, random, layout.Inference) ?? new Dictionary<string, double?>();
    }

    private SnapshotImage Tiles(Tensor images, int step)
    {
        int count = (int)Math.Min(images.shape[0], _config.Images.PictureSamples);
        int columns = (int)Math.Ceiling(Math.Sqrt(count));
        return TiledImage.FromPlanar(ImageTensors.ToArray(images[..count]), count, _source.Channels, _source.Height, _source.Width,
            columns, step);
    }

    public void Dispose()
    {
        _source.Dispose();
        _generator.Dispose();
        _discriminator.Dispose();
        foreach (var owned in _owned)
        {
            owned.Dispose();
        }
    }
}
