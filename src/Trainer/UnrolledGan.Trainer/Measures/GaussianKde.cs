namespace UnrolledGan.Trainer.Measures;

/// <summary>
/// A Gaussian kernel density estimate with a full kernel covariance chosen by Scott's rule, as
/// scipy.stats.gaussian_kde does by default: Σ_kernel = n^(−2/(d+4)) · (the sample covariance, n − 1 denominator).
/// A full covariance follows the correlated spread of colours a generator emits, which a diagonal one would blur.
/// </summary>
public sealed class GaussianKde
{
    private readonly double[] _points;
    private readonly double[] _whitened;
    private readonly double[,] _cholesky;
    private readonly double _logNormalizer;

    public GaussianKde(IReadOnlyList<double[]> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        if (points.Count < 2)
        {
            throw new ArgumentException("A kernel density estimate needs at least two points.", nameof(points));
        }
        Dimension = points[0].Length;
        if (Dimension < 1 || points.Any(p => p.Length != Dimension))
        {
            throw new ArgumentException("Every point must have the same, positive dimension.", nameof(points));
        }
        Count = points.Count;
        int d = Dimension;
        _points = points.SelectMany(p => p).ToArray();

        var mean = new double[d];
        for (int i = 0; i < Count; i++)
        {
            for (int a = 0; a < d; a++)
            {
                mean[a] += _points[i * d + a] / Count;
            }
        }
        double factor = Math.Pow(Count, -2.0 / (d + 4));
        var covariance = new double[d, d];
        for (int i = 0; i < Count; i++)
        {
            for (int a = 0; a < d; a++)
            {
                for (int b = 0; b <= a; b++)
                {
                    covariance[a, b] += (_points[i * d + a] - mean[a]) * (_points[i * d + b] - mean[b]);
                }
            }
        }
        for (int a = 0; a < d; a++)
        {
            for (int b = 0; b <= a; b++)
            {
                covariance[a, b] *= factor / (Count - 1);
                covariance[b, a] = covariance[a, b];
            }
        }
        _cholesky = Cholesky(covariance)
            ?? throw new ArgumentException("The points' covariance is singular (they lie in a lower-dimensional subspace).", nameof(points));

        double logDeterminant = 0;
        for (int a = 0; a < d; a++)
        {
            logDeterminant += 2 * Math.Log(_cholesky[a, a]);
        }
        _logNormalizer = -Math.Log(Count) - 0.5 * logDeterminant - 0.5 * d * Math.Log(2 * Math.PI);
        _whitened = new double[_points.Length];
        for (int i = 0; i < Count; i++)
        {
            Whiten(_points.AsSpan(i * d, d), _whitened.AsSpan(i * d, d));
        }
    }

    public int Dimension { get; }

    public int Count { get; }

    /// <summary>log p(x) in nats, with the log-sum-exp trick so far-away points give −large rather than log 0.</summary>
    public double LogDensity(ReadOnlySpan<double> x)
    {
        int d = Dimension;
        Span<double> y = stackalloc double[d];
        Whiten(x, y);
        // One pass: the running sum is kept relative to the largest exponent seen so far.
        double max = double.NegativeInfinity;
        double sum = 0;
        for (int i = 0; i < Count; i++)
        {
            double squared = 0;
            int offset = i * d;
            for (int a = 0; a < d; a++)
            {
                double difference = y[a] - _whitened[offset + a];
                squared += difference * difference;
            }
            double exponent = -0.5 * squared;
            if (exponent > max)
            {
                sum = sum * Math.Exp(max - exponent) + 1;
                max = exponent;
            }
            else
            {
                sum += Math.Exp(exponent - max);
            }
        }
        return max + Math.Log(sum) + _logNormalizer;
    }

    /// <summary>One draw from the estimate: a random point plus kernel noise L·ε.</summary>
    public void Sample(Random random, Span<double> x)
    {
        int d = Dimension;
        int i = random.Next(Count);
        Span<double> noise = stackalloc double[d];
        for (int a = 0; a < d; a++)
        {
            noise[a] = StandardNormal(random);
        }
        for (int a = 0; a < d; a++)
        {
            double value = _points[i * d + a];
            for (int b = 0; b <= a; b++)
            {
                value += _cholesky[a, b] * noise[b];
            }
            x[a] = value;
        }
    }

    internal static double StandardNormal(Random random)
    {
        // Box–Muller; 1 − U keeps the logarithm's argument in (0, 1].
        double u = 1 - random.NextDouble(), v = random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u)) * Math.Cos(2 * Math.PI * v);
    }

    /// <summary>Solves L y = x by forward substitution, so that |y − yᵢ|² is the Mahalanobis distance under Σ_kernel.</summary>
    private void Whiten(ReadOnlySpan<double> x, Span<double> y)
    {
        for (int a = 0; a < Dimension; a++)
        {
            double value = x[a];
            for (int b = 0; b < a; b++)
            {
                value -= _cholesky[a, b] * y[b];
            }
            y[a] = value / _cholesky[a, a];
        }
    }

    private static double[,]? Cholesky(double[,] matrix)
    {
        int d = matrix.GetLength(0);
        var lower = new double[d, d];
        for (int a = 0; a < d; a++)
        {
            for (int b = 0; b <= a; b++)
            {
                double sum = matrix[a, b];
                for (int k = 0; k < b; k++)
                {
                    sum -= lower[a, k] * lower[b, k];
                }
                if (a == b)
                {
                    if (!(sum > 1e-300))
                    {
                        return null;
                    }
                    lower[a, a] = Math.Sqrt(sum);
                }
                else
                {
                    lower[a, b] = sum / lower[b, b];
                }
            }
        }
        return lower;
    }
}
