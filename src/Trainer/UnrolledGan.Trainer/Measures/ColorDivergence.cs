namespace UnrolledGan.Trainer.Measures;

/// <summary>
/// Table 2 (§3.3.2): the Jensen–Shannon divergence between the data's and the model's distributions over digit
/// colours, each smoothed by a Gaussian kernel density estimate (<see cref="GaussianKde"/>).
/// </summary>
public static class ColorDivergence
{
    public const int DefaultDraws = 4096;
    public const int DefaultSeed = 20161107;

    /// <summary>JS(P ‖ Q) in nats, in [0, ln 2]; see the overload for the estimator.</summary>
    public static double JsDivergence(IReadOnlyList<double[]> p, IReadOnlyList<double[]> q) =>
        JsDivergence(p, q, DefaultDraws, DefaultSeed);

    /// <summary>
    /// JS(P ‖ Q) = E_M[f(r)], M = ½(P + Q), r = p/m ∈ [0, 2], f(r) = ½[r ln r + (2 − r) ln(2 − r)] ∈ [0, ln 2],
    /// estimated by Monte Carlo with <paramref name="draws"/> draws from each KDE (together, draws from M). This form
    /// has a bounded integrand, unlike ½E_P[log p/m] + ½E_Q[log q/m] whose terms run to −∞ where the other density
    /// dominates, so it needs fewer draws for the same noise. Drawing from the KDEs, rather than evaluating at the
    /// sample points, keeps a point's own kernel from inflating its density; the fixed seed makes it deterministic.
    /// </summary>
    public static double JsDivergence(IReadOnlyList<double[]> p, IReadOnlyList<double[]> q, int draws, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(draws, 1);
        var densityP = new GaussianKde(p);
        var densityQ = new GaussianKde(q);
        if (densityP.Dimension != densityQ.Dimension)
        {
            throw new ArgumentException($"The sets' dimensions differ: {densityP.Dimension} and {densityQ.Dimension}.", nameof(q));
        }
        // Draw every point first, in order, so the seed alone fixes them; then evaluate in parallel, which cannot
        // change the result because each term lands in its own slot and the sum runs in order.
        var random = new Random(seed);
        int d = densityP.Dimension;
        var points = new double[2 * draws * d];
        for (int k = 0; k < 2 * draws; k++)
        {
            (k < draws ? densityP : densityQ).Sample(random, points.AsSpan(k * d, d));
        }
        var terms = new double[2 * draws];
        Parallel.For(0, 2 * draws, k =>
        {
            var x = points.AsSpan(k * d, d);
            terms[k] = Integrand(densityP.LogDensity(x) - densityQ.LogDensity(x));
        });
        double sum = 0;
        foreach (double term in terms)
        {
            sum += term;
        }
        return sum / (2 * draws);
    }

    /// <summary>f(r) with r = p/m = 2 / (1 + q/p), from log p − log q so that neither density is exponentiated.</summary>
    private static double Integrand(double logRatio)
    {
        // ln(1 + e^t) without overflow for large t.
        static double Softplus(double t) => t > 0 ? t + Math.Log(1 + Math.Exp(-t)) : Math.Log(1 + Math.Exp(t));
        // x ln x → 0 as x → 0, where the other density is overwhelmingly larger.
        static double XLogX(double logX) => double.IsNegativeInfinity(logX) ? 0 : Math.Exp(logX) * logX;
        return 0.5 * (XLogX(Math.Log(2) - Softplus(-logRatio)) + XLogX(Math.Log(2) - Softplus(logRatio)));
    }
}
