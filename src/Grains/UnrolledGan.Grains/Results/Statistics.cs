using MathNet.Numerics.Distributions;

namespace UnrolledGan.Grains.Results;

/// <summary>
/// The statistics of the tables: mean ± standard error over seeds, and a two-sided test of a column against K = 0.
/// With at most <see cref="MaxPermutationSeeds"/> seeds in each column the test is the exact permutation test of the
/// difference in means: it needs no normality, and it stays defined when both columns are constant. Beyond that it
/// is Welch's t-test, which is undefined when both variances are zero; its p is then null, not 0 or 1.
/// </summary>
public static class Statistics
{
    /// <summary>Up to 5 against 5 seeds the permutation test enumerates C(10, 5) = 252 relabellings.</summary>
    public const int MaxPermutationSeeds = 5;

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

    /// <summary>The test the tables use for <paramref name="sample"/> against <paramref name="baseline"/>; null without values to test.</summary>
    public static SignificanceTest? Compare(IReadOnlyList<double> sample, IReadOnlyList<double> baseline) =>
        sample.Count <= MaxPermutationSeeds && baseline.Count <= MaxPermutationSeeds
            ? Permutation(sample, baseline)
            : Welch(sample, baseline);

    /// <summary>
    /// Exact two-sided permutation test of the difference in means: p is the share of all C(m + n, m) ways to split
    /// the pooled values into groups of the two sizes whose |difference in means| is at least the observed one.
    /// The observed split is one of them, so p ≥ 1 / C(m + n, m): with two seeds against two, p is never below 1/3.
    /// </summary>
    public static SignificanceTest? Permutation(IReadOnlyList<double> sample, IReadOnlyList<double> baseline)
    {
        if (sample.Count < 1 || baseline.Count < 1)
        {
            return null;
        }
        double[] pooled = [.. sample, .. baseline];
        double total = pooled.Sum();
        double observed = Mean(sample) - Mean(baseline);
        // Sums of equal values in another order can differ in the last bits; such splits tie with the observed one.
        double tolerance = 1e-9 * Math.Max(1, pooled.Max(Math.Abs));
        int splits = 0, atLeastAsExtreme = 0;
        foreach (double sampleSum in SubsetSums(pooled, sample.Count))
        {
            double difference = sampleSum / sample.Count - (total - sampleSum) / baseline.Count;
            splits++;
            if (Math.Abs(difference) >= Math.Abs(observed) - tolerance)
            {
                atLeastAsExtreme++;
            }
        }
        return new SignificanceTest(SignificanceTestKind.Permutation, observed, null, (double)atLeastAsExtreme / splits);
    }

    /// <summary>The sum of every subset of <paramref name="size"/> of the values, each subset once.</summary>
    private static IEnumerable<double> SubsetSums(double[] values, int size)
    {
        var chosen = Enumerable.Range(0, size).ToArray();
        while (true)
        {
            yield return chosen.Sum(i => values[i]);
            int position = size - 1;
            while (position >= 0 && chosen[position] == values.Length - size + position)
            {
                position--;
            }
            if (position < 0)
            {
                yield break;
            }
            chosen[position]++;
            for (int next = position + 1; next < size; next++)
            {
                chosen[next] = chosen[next - 1] + 1;
            }
        }
    }

    /// <summary>
    /// Welch's unequal-variance t-test, two-sided. When both variances are zero t has no distribution: the test
    /// comes back with the difference in means and no t, degrees of freedom or p.
    /// </summary>
    public static SignificanceTest? Welch(IReadOnlyList<double> sample, IReadOnlyList<double> baseline)
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
            return new SignificanceTest(SignificanceTestKind.Welch, difference, null, null);
        }
        double t = difference / Math.Sqrt(a + b);
        double freedom = (a + b) * (a + b) / (a * a / (sample.Count - 1) + b * b / (baseline.Count - 1));
        double p = 2 * StudentT.CDF(0, 1, freedom, -Math.Abs(t));
        return new SignificanceTest(SignificanceTestKind.Welch, difference, t, p, freedom);
    }
}
