namespace UnrolledGan.Trainer.Measures;

/// <summary>
/// §3.4.2: the distribution of ℓ2 distances between random pairs of samples. Mode collapse concentrates mass in
/// small volumes, which shifts this distribution towards small distances compared with the data's.
/// </summary>
public static class PairwiseDistances
{
    /// <param name="rows">Samples one after another, each <paramref name="dimension"/> values (e.g. 3·32·32 pixels).</param>
    /// <param name="pairs">How many pairs to draw; pairs are drawn with replacement, the two rows of a pair are distinct.</param>
    /// <param name="seed">Fixes the pairs, so data and every model can be measured the same way.</param>
    public static double[] Sample(ReadOnlySpan<float> rows, int dimension, int pairs, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(pairs);
        if (rows.Length % dimension != 0)
        {
            throw new ArgumentException($"{rows.Length} values are not a whole number of rows of {dimension}.", nameof(rows));
        }
        int count = rows.Length / dimension;
        if (count < 2)
        {
            throw new ArgumentException("At least two rows are needed to form a pair.", nameof(rows));
        }
        var random = new Random(seed);
        var distances = new double[pairs];
        for (int k = 0; k < pairs; k++)
        {
            int i = random.Next(count);
            // Uniform over the other count − 1 rows: skip over i rather than redraw.
            int j = random.Next(count - 1);
            if (j >= i)
            {
                j++;
            }
            var a = rows.Slice(i * dimension, dimension);
            var b = rows.Slice(j * dimension, dimension);
            double sum = 0;
            for (int d = 0; d < dimension; d++)
            {
                double difference = (double)a[d] - b[d];
                sum += difference * difference;
            }
            distances[k] = Math.Sqrt(sum);
        }
        return distances;
    }

    /// <summary>The middle value; the mean of the two middle values for an even count.</summary>
    public static double Median(double[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Length == 0)
        {
            throw new ArgumentException("The median of no values is undefined.", nameof(values));
        }
        var sorted = (double[])values.Clone();
        Array.Sort(sorted);
        int middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
