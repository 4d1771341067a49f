using TorchSharp;
using UnrolledGan.Trainer.Measures;
using static TorchSharp.torch;

namespace UnrolledGan.Trainer.Tests.Measures;

/// <summary>L-BFGS on Rosenbrock's function, whose minimum (a, a²) is known, one problem per row.</summary>
public sealed class BatchedLbfgsTests
{
    // Rows: (a, b) of f(x, y) = (a − x)² + b (y − x²)², and a start.
    private static readonly (double A, double B, double X, double Y)[] Problems =
    [
        (1, 100, -1.2, 1), (1, 100, 0.5, -0.5), (2, 50, -1, 3), (-0.5, 10, 1.5, 1.5),
    ];

    [Fact]
    public void EveryRowReachesItsOwnRosenbrockMinimum()
    {
        var result = Minimize(Problems, iterations: 200);

        var points = result.Points.data<double>().ToArray();
        for (int i = 0; i < Problems.Length; i++)
        {
            var (a, _, _, _) = Problems[i];
            points[2 * i].ShouldBe(a, 1e-5, $"row {i}'s x");
            points[2 * i + 1].ShouldBe(a * a, 1e-5, $"row {i}'s y");
            result.Loss[i].ShouldBeLessThan(1e-12);
            result.Stops[i].ShouldBeOneOf(LbfgsStop.Converged, LbfgsStop.NoProgress);
            // The classic start (−1.2, 1) takes steepest descent hundreds of steps; with curvature and a Wolfe
            // line search it takes a few dozen.
            result.Iterations[i].ShouldBeLessThan(100);
        }
    }

    [Fact]
    public void ARowEndsExactlyWhereItWouldAloneWhateverTheOthersDo()
    {
        // The last row starts at its minimum and stops before its first iteration; the others take different
        // numbers of iterations. None of that may change another row's path.
        (double, double, double, double)[] problems = [.. Problems, (1, 100, 1, 1)];
        var together = Minimize(problems, iterations: 200);

        together.Stops[^1].ShouldBe(LbfgsStop.Converged);
        together.Iterations[^1].ShouldBe(0);
        together.Iterations.Take(Problems.Length).Distinct().Count().ShouldBeGreaterThan(1);
        for (int i = 0; i < problems.Length; i++)
        {
            var alone = Minimize([problems[i]], iterations: 200);
            together.Iterations[i].ShouldBe(alone.Iterations[0], $"row {i}");
            together.Evaluations[i].ShouldBe(alone.Evaluations[0], $"row {i}");
            together.Loss[i].ShouldBe(alone.Loss[0], 1e-15, $"row {i}");
            together.Points[i].data<double>().ToArray().ShouldBe(alone.Points[0].data<double>().ToArray(), 1e-12);
        }
    }

    [Fact]
    public void TheIterationLimitIsPerRow()
    {
        var result = Minimize(Problems, iterations: 3);

        result.Iterations.ShouldAllBe(n => n <= 3);
        result.Stops.ShouldContain(LbfgsStop.IterationLimit);
    }

    private static LbfgsResult Minimize((double A, double B, double X, double Y)[] problems, int iterations)
    {
        var a = tensor(problems.Select(p => p.A).ToArray());
        var b = tensor(problems.Select(p => p.B).ToArray());
        var start = tensor(problems.SelectMany(p => new[] { p.X, p.Y }).ToArray()).reshape(problems.Length, 2);
        return BatchedLbfgs.Minimize((rows, points) =>
        {
            var (ra, rb) = (a.index_select(0, rows), b.index_select(0, rows));
            var (x, y) = (points[.., 0], points[.., 1]);
            var bend = y - x * x;
            var loss = (ra - x).square() + rb * bend.square();
            var gradient = stack([-2 * (ra - x) - 4 * rb * x * bend, 2 * rb * bend], 1);
            return (loss, gradient);
        }, start, new LbfgsOptions(iterations, GradientTolerance: 1e-10, ChangeTolerance: 1e-15));
    }
}
