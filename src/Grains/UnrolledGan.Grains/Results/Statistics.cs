using MathNet.Numerics.Distributions;

namespace UnrolledGan.Grains.Results;

/// <summary>The statistics the paper's tables report: mean ± standard error over seeds, and Welch's t-test.</summary>
public static class Statistics
{
    public static double Mean(IReadOnlyList<double> values) => values.Average();

    /// <summary>Sample standard deviation (n − 1) over √n; undefined for fewer than two values.</summary>
    public static double? StandardError(IReadOnlyList<double> values)
    {
        if (values.Count < 2)
        {
            return null;
        }
        double mean = Mean(values);
        double variance = values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1);
        return Math.Sqrt(variance / values.Count);
    }

    /// <summary>Welch's unequal-variance t-test of <paramref name="sample"/> against <paramref name="baseline"/>, two-sided.</summary>
    public static WelchTest? Welch(IReadOnlyList<double> sample, IReadOnlyList<double> baseline)
    {
        if (sample.Count < 2 || baseline.Count < 2)
        {
            return null;
        }
        double a = Math.Pow(StandardError(sample)!.Value, 2);
        double b = Math.Pow(StandardError(baseline)!.Value, 2);
        double difference = Mean(sample) - Mean(baseline);
        if (a + b == 0)
        {
            // Both samples constant: identical means are indistinguishable, different ones certainly differ.
            return difference == 0 ? new WelchTest(0, double.NaN, 1) : new WelchTest(double.PositiveInfinity * Math.Sign(difference), double.NaN, 0);
        }
        double t = difference / Math.Sqrt(a + b);
        double freedom = (a + b) * (a + b) / (a * a / (sample.Count - 1) + b * b / (baseline.Count - 1));
        double p = 2 * StudentT.CDF(0, 1, freedom, -Math.Abs(t));
        return new WelchTest(t, freedom, p);
    }
}
