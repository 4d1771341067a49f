using System.Globalization;

namespace UnrolledGan.Trainer;

/// <summary>
/// About how much memory one trainer process needs for a config, from its sizes alone, so a sweep that cannot fit
/// is refused when it is submitted rather than found out by the kernel. The estimate (README, "Bad input and faults"):
/// <code>
///   bytes = runtime base + data set
///         + 4 B × parameters × 4 (weights, gradient, Adam's two moments) × (K + 2)   (θ_D^0 … θ_D^K and θ_G)
///         + 4 B × batch × activations per sample × (5 + 2K)                            (the unroll graph, Eq. 10)
///         + 4 B × evaluation samples × activations per sample
/// </code>
/// A plain step holds about 5 copies of the activations (G's pass, D's real and generated passes, their backward,
/// the optimizer's temporaries); each unrolled step adds about 2 (its forward, and the graph double backpropagation
/// keeps of it). Calibrated on the peak RSS of real runs (/usr/bin/time -v, jemalloc, one thread, on the 2-core
/// development machine): 2-D mixture, quick preset, K = 0 at batch 8 and 8,192 peaked at 204 and 276 MiB
/// (estimates 205, 287); K = 5 at 8,192 at 430 (451); K = 10 at 512 / 2,048 / 8,192 at 234 / 306 / 608 (239 / 314
/// / 616). It errs high, about 2×, for the image experiments, whose measures generate their samples in chunks:
/// colored MNIST, quick preset, K = 5 peaked at 452 MiB (estimate about 1 GiB).
/// </summary>
public static class JobMemory
{
    private const long FloatBytes = 4;
    private const int PlainStepCopies = 5;
    private const int UnrolledStepCopies = 2;
    private const int ParameterCopies = 4;

    /// <summary>The .NET runtime, libtorch and the trainer's code: the 2-D mixture at K = 0 and batch 8 peaked at 204 MiB.</summary>
    public const long RuntimeBase = 200L << 20;

    /// <summary>MNIST's 70,000 28×28 digits as 32-bit floats (CIFAR-10's 60,000 32×32×3 images for cifar10).</summary>
    private static long DataSet(TrainingConfig config) => config.Experiment == Experiments.MixtureOfGaussians
        ? 0
        : config.Dataset == "cifar10" ? 60_000L * 32 * 32 * 3 * FloatBytes : 70_000L * 28 * 28 * FloatBytes;

    public static long Estimate(TrainingConfig config) => Explain(config).Bytes;

    /// <summary>The estimate, and the field whose term of it is largest: the one to shrink.</summary>
    public static (long Bytes, string Field) Explain(TrainingConfig config)
    {
        var (parameters, activations) = Shape(config);
        long unroll = config.Unroll;
        var terms = new (long Bytes, string Field)[]
        {
            (FloatBytes * parameters * ParameterCopies * (unroll + 2),
                config.Experiment == Experiments.MixtureOfGaussians ? "mixture.hiddenUnits" : "generatorSize"),
            (FloatBytes * config.BatchSize * activations * (PlainStepCopies + UnrolledStepCopies * unroll), "batchSize"),
            (FloatBytes * config.EvalSamples * activations, "evalSamples"),
        };
        return (RuntimeBase + DataSet(config) + terms.Sum(t => t.Bytes), terms.MaxBy(t => t.Bytes).Field);
    }

    /// <summary>Parameters of G and D together, and the activations of one sample through G and twice through D.</summary>
    private static (long Parameters, long Activations) Shape(TrainingConfig config)
    {
        if (config.Experiment == Experiments.MixtureOfGaussians)
        {
            var mixture = config.Mixture;
            long g = ConfigValidator.Scaled(mixture.HiddenUnits, config.GeneratorSize);
            long d = ConfigValidator.Scaled(mixture.HiddenUnits, config.DiscriminatorSize);
            long generator = config.NoiseDimension * g + (mixture.GeneratorLayers - 1) * g * g + 2 * g;
            long discriminator = 2 * d + (mixture.DiscriminatorLayers - 1) * d * d + d;
            return (generator + discriminator, mixture.GeneratorLayers * g + 2 * (mixture.DiscriminatorLayers * d + 1));
        }
        // Apps. C–F: 28×28 images (32×32 for CIFAR-10), stride-2 3×3 convolutions in D, G doubling a 4×4 map.
        int side = config.Dataset == "cifar10" ? 32 : 28;
        long channels = config.Experiment is Experiments.StackedMnist or Experiments.ColoredMnist || config.Dataset == "cifar10" ? 3 : 1;
        long pixels = channels * side * side;
        int[] discriminatorWidths = Widths(config.Experiment switch
        {
            Experiments.RnnMnist => [16, 32, 32],
            Experiments.StackedMnist => [8, 16, 32],
            _ => [64, 128, 256],
        }, config.DiscriminatorSize);
        long dParameters = 0, dActivations = 0, inputs = channels, map = side;
        foreach (int width in discriminatorWidths)
        {
            map = (map + 1) / 2;
            dParameters += 9 * inputs * width;
            dActivations += width * map * map;
            inputs = width;
        }
        dParameters += inputs * map * map;
        if (config.Experiment == Experiments.RnnMnist)
        {
            // App. C: a 256-unit LSTM over the image's columns.
            const long h = 256;
            long lstm = config.NoiseDimension * h + 4 * (h * h + 2 * h) + h * side;
            return (lstm + dParameters, side * 6 * h + pixels + 2 * (pixels + dActivations));
        }
        int[] generatorWidths = config.Experiment == Experiments.StackedMnist
            ? [64, 32, 16, 8]
            : Widths([512, 256, 128, 64], config.GeneratorSize);
        long gParameters = config.NoiseDimension * 16L * generatorWidths[0], gActivations = 0, edge = 4;
        for (int i = 0; i < generatorWidths.Length; i++, edge *= 2)
        {
            gActivations += generatorWidths[i] * edge * edge;
            gParameters += 9L * generatorWidths[i] * (i + 1 < generatorWidths.Length ? generatorWidths[i + 1] : channels);
        }
        return (gParameters + dParameters, gActivations + pixels + 2 * (pixels + dActivations));
    }

    private static int[] Widths(int[] widths, double size) => widths.Select(w => Math.Max(1, ConfigValidator.Scaled(w, size))).ToArray();

    /// <summary>"8GiB", "512MiB", "2G", "1.5 GiB" or a number of bytes.</summary>
    public static bool TryParseSize(string? text, out long bytes)
    {
        bytes = 0;
        string value = (text ?? "").Trim();
        int unitAt = value.Length;
        while (unitAt > 0 && char.IsLetter(value[unitAt - 1]))
        {
            unitAt--;
        }
        long unit = value[unitAt..].Trim().ToUpperInvariant() switch
        {
            "" or "B" => 1,
            "K" or "KB" or "KIB" => 1L << 10,
            "M" or "MB" or "MIB" => 1L << 20,
            "G" or "GB" or "GIB" => 1L << 30,
            "T" or "TB" or "TIB" => 1L << 40,
            _ => 0,
        };
        if (unit == 0 || !double.TryParse(value[..unitAt].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double number)
            || !double.IsFinite(number) || number <= 0 || number * unit >= long.MaxValue)
        {
            return false;
        }
        bytes = (long)(number * unit);
        return true;
    }

    /// <summary>A size as people read it: "31 GiB", "640 MiB".</summary>
    public static string Format(long bytes) => bytes >= 10L << 30
        ? $"{bytes / (double)(1L << 30):0} GiB"
        : bytes >= 1L << 30 ? $"{bytes / (double)(1L << 30):0.#} GiB" : $"{bytes / (double)(1L << 20):0} MiB";
}
