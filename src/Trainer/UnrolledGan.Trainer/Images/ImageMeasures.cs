using System.Text.Json;
using UnrolledGan.Trainer.Data;
using UnrolledGan.Trainer.Measures;
using static TorchSharp.torch;

namespace UnrolledGan.Trainer.Images;

/// <summary>One of the paper's measures of generated images, taken at every snapshot.</summary>
internal interface IImageMeasure
{
    IReadOnlyDictionary<string, double?> Score(Tensor generated);
}

/// <summary>§3.3.1, Table 1: each channel's digit by the pre-trained classifier; modes with a sample and KL to uniform over 1,000.</summary>
internal sealed class StackedModes(MnistClassifier classifier) : IImageMeasure
{
    public IReadOnlyDictionary<string, double?> Score(Tensor generated)
    {
        long count = generated.shape[0];
        int[] digits = classifier.Classify(generated.reshape(count * 3, 1, generated.shape[2], generated.shape[3]));
        var labels = new int[count];
        for (int i = 0; i < count; i++)
        {
            labels[i] = LabelDistribution.StackedLabel(digits[3 * i], digits[3 * i + 1], digits[3 * i + 2]);
        }
        var score = LabelDistribution.Score(labels, 1000);
        return new Dictionary<string, double?>
        {
            [Experiments.Metrics.ModesCovered] = score.ModesCovered,
            [Experiments.Metrics.ReverseKl] = score.ReverseKl,
        };
    }
}

/// <summary>The RNN generator's digits (§3.2): which of the ten classes it generates, and KL to uniform over them.</summary>
internal sealed class DigitClasses(MnistClassifier classifier) : IImageMeasure
{
    public IReadOnlyDictionary<string, double?> Score(Tensor generated)
    {
        var score = LabelDistribution.Score(classifier.Classify(generated), 10);
        return new Dictionary<string, double?>
        {
            [Experiments.Metrics.ModesCovered] = score.ModesCovered,
            [Experiments.Metrics.ReverseKl] = score.ReverseKl,
        };
    }
}

/// <summary>
/// §3.3.2, Table 2: each image's foreground colour by 2-means, for samples and data alike, then the JS divergence
/// between Gaussian kernel density estimates of the two colour distributions.
/// </summary>
internal sealed class ColorDistribution(IReadOnlyList<double[]> dataColors) : IImageMeasure
{
    public static IReadOnlyList<double[]> ColorsOf(Tensor images) =>
        ForegroundColor.OfEach(ImageTensors.ToArray(images), (int)images.shape[2], (int)images.shape[3]);

    public IReadOnlyDictionary<string, double?> Score(Tensor generated) => new Dictionary<string, double?>
    {
        [Experiments.Metrics.JsDivergence] = ColorDivergence.JsDivergence(ColorsOf(generated), dataColors),
    };
}

/// <summary>
/// §3.4.2: ℓ2 distances between random pairs of samples, against the same for data. Mode collapse shows as a
/// median below the data's; the distances themselves are kept for Fig. 6's histograms.
/// </summary>
internal sealed class PairDistances(double[] dataDistances, int pairs, int seed) : IImageMeasure
{
    public static double[] Of(Tensor images, int pairs, int seed)
    {
        long count = images.shape[0];
        int dimension = (int)(images.numel() / count);
        return PairwiseDistances.Sample(ImageTensors.ToArray(images), dimension, pairs, seed);
    }

    public IReadOnlyDictionary<string, double?> Score(Tensor generated)
    {
        double median = PairwiseDistances.Median(Of(generated, pairs, seed));
        return new Dictionary<string, double?>
        {
            [Experiments.Metrics.DistanceMedian] = median,
            [Experiments.Metrics.DistanceMedianRatio] = median / PairwiseDistances.Median(dataDistances),
        };
    }

    /// <summary>The final model's and the data's distances, for the sweep's Fig. 6.</summary>
    public void Save(string path, Tensor generated) => AtomicFile.WriteAllText(path, JsonSerializer.Serialize(
        new PairDistanceFile(PairwiseDistances.Median(dataDistances), Of(generated, pairs, seed), dataDistances), TrainerJson.Compact));
}

/// <summary>§3.4.1, Eq. 13–14: the best reconstruction MSE of fixed data targets, one per target so models can be ranked (Table 3), by per-target L-BFGS with a strong Wolfe line search.</summary>
internal sealed class Reconstruction(Tensor targets, ImageOptions options, int noiseDimension)
{
    public IReadOnlyDictionary<string, double?> Score(nn.Module<Tensor, Tensor> generator, Generator random, string path)
    {
        var result = InferenceByOptimization.Reconstruct(generator, targets, noiseDimension, options.InferenceStarts,
            options.InferenceIterations, random);
        result.BestNoise.Dispose();
        var stops = result.Stops.GroupBy(s => s.ToString()).ToDictionary(g => g.Key, g => g.Count());
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(
            new InferenceFile(result.Errors, result.Iterations.Average(), result.Evaluations.Average(), stops), TrainerJson.Compact));
        return new Dictionary<string, double?> { [Experiments.Metrics.InferenceMse] = result.Errors.Average() };
    }
}
