using static TorchSharp.torch;

namespace UnrolledGan.Trainer.Measures;

/// <summary>
/// Per-row losses and gradients of many independent problems. <paramref name="rows"/> (int64) says which problems,
/// <paramref name="points"/> is one point per row; the answer is each row's loss [n] and gradient [n, d], detached.
/// </summary>
internal delegate (Tensor Loss, Tensor Gradient) RowObjective(Tensor rows, Tensor points);

/// <summary>Why a row's optimization ended.</summary>
internal enum LbfgsStop
{
    /// <summary>Its largest gradient component fell to the gradient tolerance.</summary>
    Converged,

    /// <summary>Its step or its loss changed by less than the change tolerance.</summary>
    NoProgress,

    /// <summary>The line search found no point lower than the current one.</summary>
    LineSearchFailed,

    IterationLimit,
}

/// <param name="Iterations">Quasi-Newton iterations per row (each one line search).</param>
/// <param name="History">Curvature pairs (s, y) each row keeps.</param>
internal sealed record LbfgsOptions(int Iterations, int History = 10, double GradientTolerance = 1e-7, double ChangeTolerance = 1e-9);

/// <param name="Points">The last point of every row, [N, d]: each row's lowest loss found.</param>
internal sealed record LbfgsResult(Tensor Points, double[] Loss, int[] Iterations, int[] Evaluations, LbfgsStop[] Stops);

/// <summary>
/// L-BFGS (Nocedal and Wright, Algorithm 7.4, two-loop recursion) with a strong Wolfe line search, run on N
/// independent problems at once. Every row has its own curvature history, step, line search, iteration count and
/// stopping test, so a row ends exactly where it would alone; the rows only share the batched evaluations, and a row
/// that has stopped, or whose line search has ended, is no longer evaluated.
/// </summary>
internal static class BatchedLbfgs
{
    /// <summary>Curvature pairs with s·y at or below this are skipped: they would make the inverse Hessian estimate indefinite.</summary>
    private const double CurvatureFloor = 1e-10;

    public static LbfgsResult Minimize(RowObjective objective, Tensor start, LbfgsOptions options)
    {
        ArgumentNullException.ThrowIfNull(objective);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Iterations, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.History, 1);
        if (start.dim() != 2)
        {
            throw new ArgumentException("The start must be one point per row, [N, d].", nameof(start));
        }
        int count = (int)start.shape[0];
        long dimension = start.shape[1];
        var points = start.detach().clone();
        var gradients = zeros_like(points);
        var pairsS = zeros([count, options.History, dimension], dtype: start.dtype, device: start.device);
        var pairsY = zeros_like(pairsS);
        var inverseCurvature = zeros([count, options.History], dtype: start.dtype, device: start.device);
        var loss = new double[count];
        var iterations = new int[count];
        var evaluations = new int[count];
        var stops = new LbfgsStop?[count];

        using (var scope = NewDisposeScope())
        {
            var all = arange(count, dtype: ScalarType.Int64, device: start.device);
            var (startLoss, startGradient) = objective(all, points);
            gradients.copy_(startGradient);
            loss = Doubles(startLoss);
            var largest = Doubles(startGradient.abs().amax([1]));
            for (int i = 0; i < count; i++)
            {
                evaluations[i] = 1;
                stops[i] = largest[i] <= options.GradientTolerance ? LbfgsStop.Converged : null;
            }
        }

        while (true)
        {
            int[] active = Enumerable.Range(0, count).Where(i => stops[i] is null).ToArray();
            if (active.Length == 0)
            {
                break;
            }
            using var scope = NewDisposeScope();
            var rows = tensor(active.Select(i => (long)i).ToArray(), device: start.device);
            var z = points.index_select(0, rows);
            var g = gradients.index_select(0, rows);
            var s = pairsS.index_select(0, rows);
            var y = pairsY.index_select(0, rows);
            var rho = inverseCurvature.index_select(0, rows);

            var direction = Direction(g, s, y, rho);
            var slope = Doubles((g * direction).sum(1));
            // Rounding can leave the quasi-Newton direction not quite downhill: such a row restarts from steepest
            // descent with an empty history, as a fresh L-BFGS would.
            bool[] restart = slope.Select(v => !(v < 0)).ToArray();
            if (restart.Any(r => r))
            {
                var mask = tensor(restart, device: start.device);
                direction = where(mask.unsqueeze(1), -g, direction);
                rho = where(mask.unsqueeze(1), zeros_like(rho), rho);
                slope = Doubles((g * direction).sum(1));
            }
            // Not even steepest descent goes down where the loss or gradient is not finite: nothing to search.
            var hopeless = active.Where((_, a) => !(slope[a] < 0) || !double.IsFinite(loss[active[a]])).ToArray();
            if (hopeless.Length > 0)
            {
                foreach (int row in hopeless)
                {
                    stops[row] = LbfgsStop.LineSearchFailed;
                }
                continue;
            }
            var reach = Doubles(direction.abs().amax([1]));
            var gradientSum = Doubles(g.abs().sum(1));
            var searches = active.Select((row, a) => new StrongWolfeLineSearch(loss[row], slope[a],
                FirstStep(iterations[row], gradientSum[a]), options.ChangeTolerance / Math.Max(reach[a], double.Epsilon))).ToArray();

            var (bestZ, bestG) = Search(objective, rows, z, g, direction, searches);
            for (int a = 0; a < active.Length; a++)
            {
                evaluations[active[a]] += searches[a].Evaluations;
            }

            var step = bestZ - z;
            var change = bestG - g;
            var curvature = Doubles((step * change).sum(1));
            var moved = searches.Select(search => search.Best.Step > 0).ToArray();
            var keep = tensor(moved.Zip(curvature, (m, c) => m && c > CurvatureFloor).ToArray(), device: start.device).unsqueeze(1);
            // Newest pair first; a row that keeps no pair this iteration keeps its history as it was.
            s = where(keep.unsqueeze(2), cat([step.unsqueeze(1), s[.., ..^1]], 1), s);
            y = where(keep.unsqueeze(2), cat([change.unsqueeze(1), y[.., ..^1]], 1), y);
            var newRho = (1.0 / (step * change).sum(1).clamp_min(CurvatureFloor)).unsqueeze(1);
            rho = where(keep, cat([newRho, rho[.., ..^1]], 1), rho);
            points.index_copy_(0, rows, bestZ);
            gradients.index_copy_(0, rows, bestG);
            pairsS.index_copy_(0, rows, s);
            pairsY.index_copy_(0, rows, y);
            inverseCurvature.index_copy_(0, rows, rho);

            var largestGradient = Doubles(bestG.abs().amax([1]));
            var largestStep = Doubles(step.abs().amax([1]));
            for (int a = 0; a < active.Length; a++)
            {
                int row = active[a];
                double previous = loss[row];
                if (!moved[a])
                {
                    stops[row] = LbfgsStop.LineSearchFailed;
                    continue;
                }
                loss[row] = searches[a].Best.Phi;
                iterations[row]++;
                stops[row] = largestGradient[a] <= options.GradientTolerance ? LbfgsStop.Converged
                    : largestStep[a] <= options.ChangeTolerance || Math.Abs(previous - loss[row]) < options.ChangeTolerance ? LbfgsStop.NoProgress
                    : iterations[row] >= options.Iterations ? LbfgsStop.IterationLimit
                    : null;
            }
        }
        pairsS.Dispose();
        pairsY.Dispose();
        inverseCurvature.Dispose();
        gradients.Dispose();
        return new LbfgsResult(points, loss, iterations, evaluations, stops.Select(s => s!.Value).ToArray());
    }

    /// <summary>
    /// Runs every row's line search to its end, evaluating in each round only the rows still searching. Returns each
    /// row's best point and its gradient (the start where the search found nothing lower).
    /// </summary>
    private static (Tensor Points, Tensor Gradients) Search(RowObjective objective, Tensor rows, Tensor z, Tensor g,
        Tensor direction, StrongWolfeLineSearch[] searches)
    {
        var bestZ = z.clone();
        var bestG = g.clone();
        while (true)
        {
            int[] pending = Enumerable.Range(0, searches.Length).Where(a => !searches[a].Done).ToArray();
            if (pending.Length == 0)
            {
                return (bestZ, bestG);
            }
            using var round = NewDisposeScope();
            var which = tensor(pending.Select(a => (long)a).ToArray(), device: z.device);
            var along = direction.index_select(0, which);
            var steps = tensor(pending.Select(a => searches[a].Trial).ToArray(), dtype: z.dtype, device: z.device).unsqueeze(1);
            var trial = z.index_select(0, which) + steps * along;
            var (trialLoss, trialGradient) = objective(rows.index_select(0, which), trial);
            var phi = Doubles(trialLoss);
            var slope = Doubles((trialGradient * along).sum(1));
            var improved = new List<long>();
            for (int p = 0; p < pending.Length; p++)
            {
                var search = searches[pending[p]];
                search.Observe(phi[p], slope[p]);
                if (search.LastWasBest)
                {
                    improved.Add(p);
                }
            }
            if (improved.Count > 0)
            {
                var from = tensor(improved.ToArray(), device: z.device);
                var to = which.index_select(0, from);
                bestZ.index_copy_(0, to, trial.index_select(0, from));
                bestG.index_copy_(0, to, trialGradient.index_select(0, from));
            }
        }
    }

    /// <summary>−H·g by the two-loop recursion over each row's own pairs, newest first; empty slots (ρ = 0) change nothing.</summary>
    private static Tensor Direction(Tensor g, Tensor s, Tensor y, Tensor rho)
    {
        int history = (int)s.shape[1];
        var q = g.clone();
        var alpha = new Tensor[history];
        for (int j = 0; j < history; j++)
        {
            alpha[j] = rho[.., j] * (s[.., j] * q).sum(1);
            q = q - alpha[j].unsqueeze(1) * y[.., j];
        }
        // H₀ = γI with γ = s·y / y·y of the newest pair (Nocedal and Wright, Eq. 7.20); the identity without one.
        var newestY = y[.., 0];
        var gamma = where(rho[.., 0] > 0, (s[.., 0] * newestY).sum(1) / (newestY * newestY).sum(1).clamp_min(CurvatureFloor), ones_like(rho[.., 0]));
        var r = gamma.unsqueeze(1) * q;
        for (int j = history - 1; j >= 0; j--)
        {
            var beta = rho[.., j] * (y[.., j] * r).sum(1);
            r = r + s[.., j] * (alpha[j] - beta).unsqueeze(1);
        }
        return -r;
    }

    /// <summary>
    /// A row's first step has no curvature to scale it, so it is at most 1 / ‖g‖₁ long in each unit of g, as
    /// PyTorch's L-BFGS starts; later steps try the full quasi-Newton step first.
    /// </summary>
    private static double FirstStep(int iterations, double gradientSum) =>
        iterations > 0 ? 1 : Math.Min(1, 1 / Math.Max(gradientSum, double.Epsilon));

    private static double[] Doubles(Tensor values) => values.detach().to(ScalarType.Float64).cpu().data<double>().ToArray();
}
