namespace UnrolledGan.Trainer.Mixture;

/// <summary>
/// How generated 2-D points cover the mixture. The paper defines no number for App. A (Fig. 2 is pictures); these are
/// this project's choices, following common practice for the 2-D ring in later mode-collapse work:
/// <list type="bullet">
/// <item>a point is high quality when it lies within 3σ of a mode's centre;</item>
/// <item>a mode is covered when at least <see cref="MixtureOptions.MinSamplesPerMode"/> points are high quality there;</item>
/// <item>the reverse KL is KL(model ‖ uniform) over the modes, each point counted at its nearest mode whatever its
/// distance. Counting only high-quality points would leave a run with none of them without a value, and dropping
/// those runs from the mean flatters the collapsed settings; nearest-mode counting gives every run a value in
/// [0, ln 8], and quality is the other two measures' business.</item>
/// </list>
/// </summary>
internal sealed record MixtureScore(int ModesCovered, double HighQualityFraction, double ReverseKl,
    IReadOnlyList<int> HighQualityPerMode, IReadOnlyList<int> NearestPerMode)
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

    /// <param name="points">Interleaved x, y coordinates; at least one point.</param>
    public static MixtureScore Score(ReadOnlySpan<float> points, MixtureOptions options)
    {
        int count = points.Length / 2;
        if (count == 0)
        {
            throw new ArgumentException("At least one point is needed to score the mixture.", nameof(points));
        }
        var centers = Centers(options);
        double threshold = 3 * options.StandardDeviation;
        var highQualityPerMode = new int[centers.Length];
        var nearestPerMode = new int[centers.Length];
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
            nearestPerMode[nearest]++;
            if (Math.Sqrt(best) <= threshold)
            {
                highQualityPerMode[nearest]++;
                highQuality++;
            }
        }
        int covered = highQualityPerMode.Count(n => n >= options.MinSamplesPerMode);
        return new MixtureScore(covered, (double)highQuality / count, ReverseKl(nearestPerMode), highQualityPerMode, nearestPerMode);
    }

    /// <summary>KL(model ‖ uniform) = Σ p log(p · modes) over the modes' counts, in nats; 0 · log 0 = 0.</summary>
    public static double ReverseKl(IReadOnlyList<int> perMode)
    {
        double total = perMode.Sum();
        if (total == 0)
        {
            throw new ArgumentException("The counts must hold at least one point.", nameof(perMode));
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
