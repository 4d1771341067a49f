namespace UnrolledGan.Trainer.Mixture;

/// <summary>How generated 2-D points cover the mixture: high-quality points lie within 3σ of a mode's centre.</summary>
internal sealed record MixtureScore(int ModesCovered, double HighQualityFraction, double? ReverseKl, IReadOnlyList<int> HighQualityPerMode)
{
    public IReadOnlyDictionary<string, double?> ToMetrics() => new Dictionary<string, double?>
    {
        [Experiments.Metrics.ModesCovered] = ModesCovered,
        [Experiments.Metrics.HighQualityFraction] = HighQualityFraction,
        [Experiments.Metrics.ReverseKl] = ReverseKl,
    };
}

internal static class MixtureMetrics
{
    /// <summary>Mode centres equally spaced on a circle (App. A).</summary>
    public static (double X, double Y)[] Centers(MixtureOptions options) =>
        Enumerable.Range(0, options.Modes)
            .Select(i => 2 * Math.PI * i / options.Modes)
            .Select(angle => (options.Radius * Math.Cos(angle), options.Radius * Math.Sin(angle)))
            .ToArray();

    /// <param name="points">Interleaved x, y coordinates.</param>
    public static MixtureScore Score(ReadOnlySpan<float> points, MixtureOptions options)
    {
        var centers = Centers(options);
        double threshold = 3 * options.StandardDeviation;
        var perMode = new int[centers.Length];
        int count = points.Length / 2;
        int highQuality = 0;
        for (int i = 0; i < count; i++)
        {
            double x = points[2 * i], y = points[2 * i + 1];
            int nearest = 0;
            double best = double.MaxValue;
            for (int m = 0; m < centers.Length; m++)
            {
                double dx = x - centers[m].X, dy = y - centers[m].Y;
                double distance = dx * dx + dy * dy;
                if (distance < best)
                {
                    best = distance;
                    nearest = m;
                }
            }
            if (Math.Sqrt(best) <= threshold)
            {
                perMode[nearest]++;
                highQuality++;
            }
        }
        int covered = perMode.Count(n => n >= options.MinSamplesPerMode);
        return new MixtureScore(covered, count == 0 ? 0 : (double)highQuality / count, ReverseKl(perMode), perMode);
    }

    /// <summary>KL(model ‖ uniform) over the modes of the high-quality points; undefined when there are none.</summary>
    public static double? ReverseKl(IReadOnlyList<int> perMode)
    {
        double total = perMode.Sum();
        if (total == 0)
        {
            return null;
        }
        double kl = 0;
        foreach (int n in perMode.Where(n => n > 0))
        {
            double p = n / total;
            kl += p * Math.Log(p * perMode.Count);
        }
        return kl;
    }
}
