namespace UnrolledGan.Trainer.Measures;

/// <summary>Table 1: how the classifier's labels of generated samples spread over the data's classes.</summary>
public sealed record LabelScore(int ModesCovered, double ReverseKl);

/// <summary>
/// The stacked-MNIST measures of §3.3.1: the number of the 1,000 classes that get at least one sample, and the KL
/// divergence from the model's label distribution to the data's, which is uniform over all classes.
/// </summary>
public static class LabelDistribution
{
    /// <param name="labels">One predicted class per generated sample, in [0, classes).</param>
    /// <returns>Modes with at least one sample, and KL(model ‖ uniform) = Σ p log(p · classes) in nats.</returns>
    public static LabelScore Score(ReadOnlySpan<int> labels, int classes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        if (labels.IsEmpty)
        {
            throw new ArgumentException("At least one label is needed to estimate a distribution.", nameof(labels));
        }
        var counts = new int[classes];
        foreach (int label in labels)
        {
            if ((uint)label >= (uint)classes)
            {
                throw new ArgumentOutOfRangeException(nameof(labels), label, $"A label must lie in [0, {classes}).");
            }
            counts[label]++;
        }
        double total = labels.Length;
        int covered = 0;
        double kl = 0;
        foreach (int count in counts)
        {
            if (count == 0)
            {
                // 0 · log 0 = 0: an unseen class adds nothing to KL(model ‖ data), which is why it is the reverse KL.
                continue;
            }
            covered++;
            double p = count / total;
            kl += p * Math.Log(p * classes);
        }
        return new LabelScore(covered, kl);
    }

    /// <summary>The class of a stacked digit (§3.3.1): one MNIST digit per colour channel, read as a 3-digit number.</summary>
    public static int StackedLabel(int r, int g, int b)
    {
        foreach (int digit in (ReadOnlySpan<int>)[r, g, b])
        {
            if ((uint)digit > 9)
            {
                throw new ArgumentOutOfRangeException(nameof(r), digit, "Each channel's digit must lie in [0, 9].");
            }
        }
        return r * 100 + g * 10 + b;
    }
}
