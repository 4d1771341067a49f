namespace UnrolledGan.Trainer.Measures;

/// <summary>
/// One line search along a descent direction for a step α that meets the strong Wolfe conditions
/// φ(α) ≤ φ(0) + c₁ α φ'(0) and |φ'(α)| ≤ c₂ |φ'(0)|: bracketing, then zoom, after Nocedal and Wright, Numerical
/// Optimization (2nd ed.), Algorithms 3.5 and 3.6, with cubic interpolation (their Eq. 3.59). It is a state machine,
/// not a loop, so that many independent searches can share each batched evaluation: evaluate φ and φ' at
/// <see cref="Trial"/>, pass them to <see cref="Observe"/>, until <see cref="Done"/>.
/// </summary>
internal sealed class StrongWolfeLineSearch
{
    public const double SufficientDecrease = 1e-4;

    /// <summary>c₂ = 0.9, the usual choice for quasi-Newton directions, whose unit step is usually accepted at once.</summary>
    public const double Curvature = 0.9;

    public const int MaxEvaluations = 25;

    private readonly double _phi0;
    private readonly double _slope0;
    private readonly double _stepTolerance;
    private Point _previous;
    private Point _low;
    private Point _high;
    private bool _zooming;
    private int _evaluations;

    /// <param name="phi0">φ(0).</param>
    /// <param name="slope0">φ'(0), negative along a descent direction.</param>
    /// <param name="firstStep">The first α to try (1 for a quasi-Newton step).</param>
    /// <param name="stepTolerance">The search ends once its bracket is narrower than this, in α.</param>
    public StrongWolfeLineSearch(double phi0, double slope0, double firstStep, double stepTolerance)
    {
        if (!(slope0 < 0))
        {
            throw new ArgumentOutOfRangeException(nameof(slope0), slope0, "The direction must descend: φ'(0) < 0.");
        }
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(firstStep);
        _phi0 = phi0;
        _slope0 = slope0;
        _stepTolerance = stepTolerance;
        _previous = new Point(0, phi0, slope0);
        Best = _previous;
        Trial = firstStep;
    }

    /// <summary>The α to evaluate next.</summary>
    public double Trial { get; private set; }

    public bool Done { get; private set; }

    /// <summary>Whether <see cref="Best"/> meets both strong Wolfe conditions; a search can end without (budget or bracket spent).</summary>
    public bool Satisfied { get; private set; }

    /// <summary>The lowest point seen that meets the sufficient-decrease condition; α = 0 when none did.</summary>
    public Point Best { get; private set; }

    /// <summary>Whether the last observed trial became <see cref="Best"/>: its gradient is then the one to keep.</summary>
    public bool LastWasBest { get; private set; }

    public int Evaluations => _evaluations;

    /// <summary>φ(Trial) and φ'(Trial); a non-finite value counts as a step too far.</summary>
    public void Observe(double phi, double slope)
    {
        if (Done)
        {
            throw new InvalidOperationException("The line search has ended.");
        }
        _evaluations++;
        LastWasBest = false;
        if (!double.IsFinite(phi) || !double.IsFinite(slope))
        {
            (phi, slope) = (double.PositiveInfinity, double.NaN);
        }
        var trial = new Point(Trial, phi, slope);
        bool decreases = phi <= _phi0 + SufficientDecrease * trial.Step * _slope0;
        bool flat = Math.Abs(slope) <= -Curvature * _slope0;

        if (!_zooming)
        {
            // Algorithm 3.5: a trial that rises above the sufficient-decrease line, or above the last trial, brackets
            // a minimum behind it; one that still descends moves the search further out.
            if (!decreases || (_evaluations > 1 && phi >= _previous.Phi))
            {
                Zoom(low: _previous, high: trial);
            }
            else
            {
                Accept(trial, flat);
                if (Done)
                {
                    return;
                }
                if (slope >= 0)
                {
                    Zoom(low: trial, high: _previous);
                }
                else
                {
                    Trial = Extrapolate(_previous, trial);
                    _previous = trial;
                }
            }
        }
        else
        {
            // Algorithm 3.6: keep a bracket whose low end is the best point, shrinking it towards a Wolfe point.
            if (!decreases || phi >= _low.Phi)
            {
                _high = trial;
            }
            else
            {
                Accept(trial, flat);
                if (Done)
                {
                    return;
                }
                if (slope * (_high.Step - _low.Step) >= 0)
                {
                    _high = _low;
                }
                _low = trial;
            }
            Trial = Interpolate(_low, _high);
        }

        if (_evaluations >= MaxEvaluations || (_zooming && Math.Abs(_high.Step - _low.Step) < _stepTolerance))
        {
            Done = true;
        }
    }

    private void Accept(Point trial, bool flat)
    {
        Best = trial;
        LastWasBest = true;
        if (flat)
        {
            Satisfied = true;
            Done = true;
        }
    }

    private void Zoom(Point low, Point high)
    {
        _zooming = true;
        _low = low;
        _high = high;
        Trial = Interpolate(low, high);
    }

    /// <summary>Beyond the last trial: the cubic's minimizer when it lies 10% to 10× further out, else the nearer bound.</summary>
    private static double Extrapolate(Point previous, Point last)
    {
        double lower = last.Step * 1.1, upper = last.Step * 10;
        double? cubic = CubicMinimizer(previous, last);
        return cubic is { } step ? Math.Clamp(step, lower, upper) : upper;
    }

    /// <summary>Inside the bracket: the cubic's minimizer when it keeps 10% of the bracket away from both ends, else bisection.</summary>
    private static double Interpolate(Point low, Point high)
    {
        double left = Math.Min(low.Step, high.Step), right = Math.Max(low.Step, high.Step);
        double margin = 0.1 * (right - left);
        double? cubic = CubicMinimizer(low, high);
        return cubic is { } step && step >= left + margin && step <= right - margin ? step : (left + right) / 2;
    }

    /// <summary>The minimizer of the cubic through two points' values and slopes (Nocedal and Wright, Eq. 3.59); null when it has none.</summary>
    public static double? CubicMinimizer(Point a, Point b)
    {
        if (!double.IsFinite(a.Phi) || !double.IsFinite(b.Phi) || !double.IsFinite(a.Slope) || !double.IsFinite(b.Slope) || a.Step == b.Step)
        {
            return null;
        }
        double d1 = a.Slope + b.Slope - 3 * (a.Phi - b.Phi) / (a.Step - b.Step);
        double discriminant = d1 * d1 - a.Slope * b.Slope;
        if (discriminant < 0)
        {
            return null;
        }
        double d2 = Math.Sign(b.Step - a.Step) * Math.Sqrt(discriminant);
        double denominator = b.Slope - a.Slope + 2 * d2;
        if (denominator == 0)
        {
            return null;
        }
        double step = b.Step - (b.Step - a.Step) * (b.Slope + d2 - d1) / denominator;
        return double.IsFinite(step) ? step : null;
    }

    /// <summary>α, φ(α) and φ'(α).</summary>
    public readonly record struct Point(double Step, double Phi, double Slope);
}
