namespace UnrolledGan.Trainer;

/// <summary>
/// Table 3's "Percent Best Rank" (§3.4.1): for every target image, the model whose reconstruction error is lowest
/// wins it; a model's score is the percentage of targets it wins.
/// </summary>
public static class BestRank
{
    /// <param name="errorsByModel">Each model's error per target; every list is indexed by the same targets.</param>
    /// <returns>Percent (0–100) of targets each model wins. Tied models share a target equally, so the values sum to
    /// 100. A NaN error (a failed reconstruction) counts as +∞ and never beats a finite one.</returns>
    public static IReadOnlyDictionary<string, double> PercentBest(IReadOnlyDictionary<string, IReadOnlyList<double>> errorsByModel)
    {
        ArgumentNullException.ThrowIfNull(errorsByModel);
        var models = errorsByModel.Keys.ToArray();
        var wins = models.ToDictionary(m => m, _ => 0.0);
        if (models.Length == 0)
        {
            return wins;
        }
        int targets = errorsByModel[models[0]].Count;
        foreach (var model in models)
        {
            if (errorsByModel[model].Count != targets)
            {
                throw new ArgumentException(
                    $"Model '{model}' has {errorsByModel[model].Count} errors but '{models[0]}' has {targets}; "
                    + "every model must be scored on the same targets.", nameof(errorsByModel));
            }
        }
        if (targets == 0)
        {
            return wins;
        }
        var winners = new List<string>(models.Length);
        for (int t = 0; t < targets; t++)
        {
            double best = double.PositiveInfinity;
            winners.Clear();
            foreach (var model in models)
            {
                double error = errorsByModel[model][t];
                error = double.IsNaN(error) ? double.PositiveInfinity : error;
                if (error < best)
                {
                    best = error;
                    winners.Clear();
                }
                if (error == best)
                {
                    winners.Add(model);
                }
            }
            foreach (var winner in winners)
            {
                wins[winner] += 1.0 / winners.Count;
            }
        }
        return models.ToDictionary(m => m, m => 100.0 * wins[m] / targets);
    }
}
