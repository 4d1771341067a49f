namespace UnrolledGan.Trainer;

/// <summary>
/// inference.json: the best reconstruction MSE of each target, targets in the same order for every job of a sweep; and
/// over every (target, start) optimization, its mean L-BFGS iterations and evaluations and why they stopped.
/// </summary>
public sealed record InferenceFile(IReadOnlyList<float> Errors, double MeanIterations = 0, double MeanEvaluations = 0,
    IReadOnlyDictionary<string, int>? Stops = null);

/// <summary>distances.json: ℓ2 distances of random sample pairs from the final model and from the data (Fig. 6).</summary>
public sealed record PairDistanceFile(double DataMedian, IReadOnlyList<double> Model, IReadOnlyList<double> Data);
