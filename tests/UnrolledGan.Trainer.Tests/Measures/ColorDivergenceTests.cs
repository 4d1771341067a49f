using UnrolledGan.Trainer.Measures;

namespace UnrolledGan.Trainer.Tests.Measures;

public sealed class ColorDivergenceTests
{
    [Fact]
    public void IdenticalSetsHaveZeroDivergence()
    {
        var colors = new Gaussian(seed: 1).Points(1000, [0, 0.2, -0.1], 0.5);

        ColorDivergence.JsDivergence(colors, colors).ShouldBeLessThan(0.01);
    }

    [Fact]
    public void TwoSamplesOfOneDistributionHaveASmallFloorThatShrinksWithTheirSize()
    {
        // Two KDEs of independent samples differ, so their JS divergence is a positive floor rather than 0: about
        // 0.016 nats for 2,000 vs 2,000 colours in 3-D. It falls as the samples grow.
        var gaussian = new Gaussian(seed: 2);
        double Floor(int n) => ColorDivergence.JsDivergence(gaussian.Points(n, [0, 0, 0], 0.5), gaussian.Points(n, [0, 0, 0], 0.5));

        double small = Floor(250), large = Floor(2000);

        large.ShouldBeLessThan(0.025);
        large.ShouldBeLessThan(small * 0.75);
    }

    [Fact]
    public void FarApartGaussiansHaveDivergenceLogTwo()
    {
        var gaussian = new Gaussian(seed: 3);
        var p = gaussian.Points(1000, [0, 0, 0], 0.5);
        var q = gaussian.Points(1000, [6, -6, 6], 0.5);

        ColorDivergence.JsDivergence(p, q).ShouldBe(Math.Log(2), 1e-3);
    }

    [Fact]
    public void OverlappingGaussiansMatchNumericalIntegration()
    {
        // A KDE of n draws from N(μ, 1) with Scott's bandwidth h = n^(−1/5) converges to N(μ, 1 + h²), so that is
        // the pair whose JS divergence the estimate should reach. The draws are rescaled to exactly mean μ and
        // variance 1, since a sample mean off by 1/√n would move the divergence by more than the tolerance.
        const int n = 3000;
        var gaussian = new Gaussian(seed: 4);
        var p = gaussian.Standardized(n, mean: 0, std: 1);
        var q = gaussian.Standardized(n, mean: 1, std: 1);
        double sigma = Math.Sqrt(1 + Math.Pow(n, -0.4));

        double expected = JsOfNormals(0, 1, sigma);
        double estimate = ColorDivergence.JsDivergence(p, q);

        // The integration itself, against JS(N(0, 1) ‖ N(1, 1)) = 0.111421 nats from an independent trapezoid rule.
        JsOfNormals(0, 1, 1).ShouldBe(0.111421, 1e-5);
        estimate.ShouldBe(expected, 0.03 * expected);
    }

    [Fact]
    public void TheEstimateIsDeterministicAndOrderFree()
    {
        var gaussian = new Gaussian(seed: 5);
        var p = gaussian.Points(500, [0, 0, 0], 0.5);
        var q = gaussian.Points(500, [0.3, 0, 0], 0.5);

        double first = ColorDivergence.JsDivergence(p, q);

        ColorDivergence.JsDivergence(p, q).ShouldBe(first);
        ColorDivergence.JsDivergence(q, p).ShouldBe(first, 0.01);
    }

    [Fact]
    public void PointsInAPlaneAreRejected()
    {
        var flat = Enumerable.Range(0, 10).Select(i => new double[] { i, 2 * i, 0 }).ToList();

        Should.Throw<ArgumentException>(() => ColorDivergence.JsDivergence(flat, flat));
    }

    /// <summary>JS(N(a, σ²) ‖ N(b, σ²)) in nats by Simpson's rule on a fine grid.</summary>
    private static double JsOfNormals(double a, double b, double sigma)
    {
        double Pdf(double x, double mean) => Math.Exp(-0.5 * (x - mean) * (x - mean) / (sigma * sigma)) / (sigma * Math.Sqrt(2 * Math.PI));
        double Integrand(double x)
        {
            double p = Pdf(x, a), q = Pdf(x, b), m = 0.5 * (p + q);
            double left = p > 0 ? p * Math.Log(p / m) : 0;
            double right = q > 0 ? q * Math.Log(q / m) : 0;
            return 0.5 * (left + right);
        }
        double low = Math.Min(a, b) - 12 * sigma, high = Math.Max(a, b) + 12 * sigma;
        const int intervals = 20_000;
        double step = (high - low) / intervals;
        double sum = Integrand(low) + Integrand(high);
        for (int i = 1; i < intervals; i++)
        {
            sum += (i % 2 == 1 ? 4 : 2) * Integrand(low + i * step);
        }
        return sum * step / 3;
    }
}
