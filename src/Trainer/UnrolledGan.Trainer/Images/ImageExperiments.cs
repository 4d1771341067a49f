using TorchSharp;
using UnrolledGan.Trainer.Core;
using UnrolledGan.Trainer.Data;
using static TorchSharp.torch;

namespace UnrolledGan.Trainer.Images;

/// <summary>The appendices' architectures, data and measures, put together per experiment.</summary>
internal static class ImageExperiments
{
    /// <summary>App. C's discriminator: convolutions of 16, 32, 32.</summary>
    public static int[] RnnDiscriminatorWidths(double size) => Widths([16, 32, 32], size);

    /// <summary>App. E: a generator of 64 → 32, 16, 8; a discriminator of 8X, 16X, 32X.</summary>
    public static int[] StackedGeneratorWidths { get; } = [64, 32, 16, 8];
    public static int[] StackedDiscriminatorWidths(double size) => Widths([8, 16, 32], size);

    /// <summary>Apps. D and F: a generator of 512X → 256X, 128X, 64X; a discriminator of 64X, 128X, 256X (X = 1 in App. D).</summary>
    public static int[] ConvGeneratorWidths(double size) => Widths([512, 256, 128, 64], size);
    public static int[] ConvDiscriminatorWidths(double size) => Widths([64, 128, 256], size);

    private static int[] Widths(int[] widths, double size) => widths.Select(w => ConfigValidator.Scaled(w, size)).ToArray();

    public static IExperiment Create(TrainingConfig config, Device device, Generator initialization)
    {
        var data = Datasets.Load(config.Dataset, null);
        var (channels, height, width) = config.Experiment switch
        {
            Experiments.StackedMnist or Experiments.ColoredMnist => (3, data.Height, data.Width),
            _ => (data.Channels, data.Height, data.Width),
        };
        var discriminatorWidths = config.Experiment switch
        {
            Experiments.RnnMnist => RnnDiscriminatorWidths(config.DiscriminatorSize),
            Experiments.StackedMnist => StackedDiscriminatorWidths(config.DiscriminatorSize),
            _ => ConvDiscriminatorWidths(config.DiscriminatorSize),
        };
        nn.Module<Tensor, Tensor> generator = config.Experiment switch
        {
            Experiments.RnnMnist => new LstmGenerator(config.NoiseDimension, initialization, rows: height, columns: width),
            Experiments.StackedMnist => new ConvGenerator(config.NoiseDimension, StackedGeneratorWidths, channels, height, width, initialization),
            _ => new ConvGenerator(config.NoiseDimension, ConvGeneratorWidths(config.GeneratorSize), channels, height, width, initialization),
        };
        generator.to(device);
        var discriminator = new ConvDiscriminator(channels, height, width, discriminatorWidths, initialization, device);

        using var reference = new Generator((ulong)ImageExperiment.ReferenceSeed, device);
        return config.Experiment switch
        {
            Experiments.RnnMnist => RnnMnist(config, device, data, generator, discriminator, reference),
            Experiments.StackedMnist => StackedMnist(config, device, data, generator, discriminator),
            Experiments.ColoredMnist => ColoredMnist(config, device, data, generator, discriminator, reference),
            _ => Convolutional(config, device, data, generator, discriminator, reference),
        };
    }

    private static ImageExperiment RnnMnist(TrainingConfig config, Device device, ImageSet data, nn.Module<Tensor, Tensor> generator,
        ConvDiscriminator discriminator, Generator reference)
    {
        var source = new DatasetSource(data, device);
        var distances = Distances(config, source, reference);
        // The classifier knows digits only; on Fashion-MNIST the distances are the measure.
        if (config.Dataset != Datasets.Mnist)
        {
            return new ImageExperiment(config, device, source, generator, discriminator, [distances]);
        }
        var classifier = MnistClassifier.Load(null, device);
        return new ImageExperiment(config, device, source, generator, discriminator, [new DigitClasses(classifier), distances], null, classifier);
    }

    private static ImageExperiment StackedMnist(TrainingConfig config, Device device, ImageSet data, nn.Module<Tensor, Tensor> generator,
        ConvDiscriminator discriminator)
    {
        var classifier = MnistClassifier.Load(null, device);
        return new ImageExperiment(config, device, new StackedMnistSource(data, device), generator, discriminator,
            [new StackedModes(classifier)], null, classifier);
    }

    private static ImageExperiment ColoredMnist(TrainingConfig config, Device device, ImageSet data, nn.Module<Tensor, Tensor> generator,
        ConvDiscriminator discriminator, Generator reference)
    {
        var source = new ColoredMnistSource(data, config.Images, device);
        IReadOnlyList<double[]> dataColors;
        using (var scope = NewDisposeScope())
        {
            dataColors = ColorDistribution.ColorsOf(source.Sample(config.EvalSamples, reference));
        }
        return new ImageExperiment(config, device, source, generator, discriminator,
            [new ColorDistribution(dataColors), Distances(config, source, reference)]);
    }

    private static ImageExperiment Convolutional(TrainingConfig config, Device device, ImageSet data, nn.Module<Tensor, Tensor> generator,
        ConvDiscriminator discriminator, Generator reference)
    {
        if (config.Images.InferenceTargets > data.Count)
        {
            // Checked before libtorch sees the slice: an out-of-range index can abort the process.
            throw new ConfigException("images.inferenceTargets", $"asks for {config.Images.InferenceTargets} targets but {config.Dataset} has {data.Count} images");
        }
        var source = new DatasetSource(data, device);
        Tensor targets;
        using (var scope = NewDisposeScope())
        {
            var order = randperm(source.Images.shape[0], generator: reference, device: device);
            targets = source.Images.index_select(0, order[..config.Images.InferenceTargets]).MoveToOuterDisposeScope();
        }
        return new ImageExperiment(config, device, source, generator, discriminator, [Distances(config, source, reference)],
            new Reconstruction(targets, config.Images, config.NoiseDimension), targets);
    }

    private static PairDistances Distances(TrainingConfig config, IImageSource source, Generator reference)
    {
        using var scope = NewDisposeScope();
        int seed = (int)(ImageExperiment.ReferenceSeed % int.MaxValue);
        return new PairDistances(PairDistances.Of(source.Sample(config.EvalSamples, reference), config.Images.DistancePairs, seed),
            config.Images.DistancePairs, seed);
    }
}
