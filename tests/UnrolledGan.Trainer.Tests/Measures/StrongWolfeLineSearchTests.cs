using UnrolledGan.Trainer.Measures;

namespace UnrolledGan.Trainer.Tests.Measures;

/// <summary>The line search on one-dimensional functions whose strong Wolfe intervals are known by hand.</summary>
public sealed class StrongWolfeLineSearchTests
{
    [Fact]
    public void AUnitStepThatAlreadyMeetsBothConditionsIsTakenAfterOneEvaluation()
    {
        // φ(α) = (α − 1)²: φ'(1) = 0.
        var search = Run(a => ((a - 1) * (a - 1), 2 * (a - 1)), firstStep: 1);

        (search.Best.Step, search.Evaluations, search.Satisfied).ShouldBe((1.0, 1, true));
    }

    [Fact]
    public void AStepTooLongIsZoomedBackIntoTheWolfeInterval()
    {
        // φ(α) = (α − 0.3)², φ'(0) = −0.6: the curvature condition |2(α − 0.3)| ≤ 0.54 holds on [0.03, 0.57].
        var search = Run(a => ((a - 0.3) * (a - 0.3), 2 * (a - 0.3)), firstStep: 1);

        AssertStrongWolfe(search, a => ((a - 0.3) * (a - 0.3), 2 * (a - 0.3)));
        search.Best.Step.ShouldBeInRange(0.03, 0.57);
        search.Evaluations.ShouldBeLessThanOrEqualTo(4);
    }

    [Fact]
    public void AStepTooShortIsExtrapolatedUntilTheSlopeFlattens()
    {
        // φ(α) = (α − 50)² / 100, φ'(0) = −1: the curvature condition needs α in [5, 95], far beyond the first try.
        var search = Run(a => ((a - 50) * (a - 50) / 100, (a - 50) / 50), firstStep: 1);

        AssertStrongWolfe(search, a => ((a - 50) * (a - 50) / 100, (a - 50) / 50));
        search.Best.Step.ShouldBeInRange(5, 95);
    }

    [Fact]
    public void ANonFiniteValueCountsAsTooFar()
    {
        // Beyond α = 0.5 the function is undefined (a diverging generator's NaN); its minimum is at 0.4.
        (double, double) Phi(double a) => a < 0.5 ? ((a - 0.4) * (a - 0.4), 2 * (a - 0.4)) : (double.NaN, double.NaN);

        var search = Run(Phi, firstStep: 1);

        AssertStrongWolfe(search, Phi);
        search.Best.Step.ShouldBeLessThan(0.5);
    }

    [Fact]
    public void ANonDescentDirectionIsRejected() =>
        Should.Throw<ArgumentOutOfRangeException>(() => new StrongWolfeLineSearch(1, 0.5, 1, 1e-9));

    [Fact]
    public void TheCubicThroughTwoPointsOfAParabolaHasItsMinimum()
    {
        // (α − 1)² at 0 (value 1, slope −2) and 3 (value 4, slope 4): Nocedal and Wright's Eq. 3.59 gives α = 1.
        var minimizer = StrongWolfeLineSearch.CubicMinimizer(new(0, 1, -2), new(3, 4, 4));

        minimizer!.Value.ShouldBe(1, 1e-12);
    }

    private static StrongWolfeLineSearch Run(Func<double, (double Phi, double Slope)> phi, double firstStep)
    {
        var (phi0, slope0) = phi(0);
        var search = new StrongWolfeLineSearch(phi0, slope0, firstStep, 1e-12);
        while (!search.Done)
        {
            var (value, slope) = phi(search.Trial);
            search.Observe(value, slope);
        }
        return search;
    }

    private static void AssertStrongWolfe(StrongWolfeLineSearch search, Func<double, (double Phi, double Slope)> phi)
    {
        var (phi0, slope0) = phi(0);
        var (value, slope) = phi(search.Best.Step);
        search.Satisfied.ShouldBeTrue();
        value.ShouldBeLessThanOrEqualTo(phi0 + StrongWolfeLineSearch.SufficientDecrease * search.Best.Step * slope0);
        Math.Abs(slope).ShouldBeLessThanOrEqualTo(StrongWolfeLineSearch.Curvature * Math.Abs(slope0));
        search.Best.Phi.ShouldBe(value);
    }
}
