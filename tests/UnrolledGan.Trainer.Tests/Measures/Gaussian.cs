namespace UnrolledGan.Trainer.Tests.Measures;

/// <summary>Seeded standard-normal draws for building test data (Box–Muller).</summary>
internal sealed class Gaussian(int seed)
{
    private readonly Random _random = new(seed);

    public double Next()
    {
        double u = 1 - _random.NextDouble(), v = _random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u)) * Math.Cos(2 * Math.PI * v);
    }

    public float NextFloat() => (float)Next();

    public List<double[]> Points(int count, double[] mean, double std) =>
        Enumerable.Range(0, count).Select(_ => mean.Select(m => m + std * Next()).ToArray()).ToList();

    /// <summary>1-D draws rescaled to exactly this mean and standard deviation, so only the shape is random.</summary>
    public List<double[]> Standardized(int count, double mean, double std)
    {
        var draws = Enumerable.Range(0, count).Select(_ => Next()).ToArray();
        double average = draws.Average();
        double spread = Math.Sqrt(draws.Sum(x => (x - average) * (x - average)) / (count - 1));
        return draws.Select(x => new[] { mean + std * (x - average) / spread }).ToList();
    }
}
