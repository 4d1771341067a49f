using System.Text.Json;

namespace UnrolledGan.Grains.Sweeps;

/// <summary>
/// What a job is expected to cost, so that a sweep can start its longest jobs first and let the short ones fill the
/// end: with grid order the K = 10 jobs run last and one slot idles while the final one finishes.
/// <para>
/// Before anything has finished the estimate is relative: steps × (1 + K / 2) × size. One unrolled step costs from a
/// third of a K = 0 step (paper preset: about 2.0 ms a step at K = 0 and 8.3 ms at K = 10 on one core here) to about
/// one (notebook preset: 5.6 and 71 ms), so a half is the guess, and the discriminator's width scales what each step
/// computes. Once jobs of the sweep have finished, their training seconds per step replace the guess for their
/// (K, size), and the others are scaled by how far the guess was off for the finished ones.
/// </para>
/// </summary>
public sealed class JobCosts
{
    private const double UnrolledStepCost = 0.5;
    private readonly Dictionary<string, int> _steps = [];

    /// <summary>Expected cost of each job, in seconds once anything has finished and in relative units before.</summary>
    public IReadOnlyDictionary<string, double> Estimate(IReadOnlyList<JobRecord> jobs)
    {
        var measured = jobs
            .Where(j => j.Status == JobStatus.Succeeded && j.TrainSeconds is > 0)
            .GroupBy(j => (j.Spec.Unroll, j.Spec.Size))
            .ToDictionary(g => g.Key, g => g.Average(j => j.TrainSeconds!.Value / Steps(j.Spec)));
        double scale = measured.Count == 0 ? 1 : measured.Average(m => m.Value / Guess(m.Key.Unroll, m.Key.Size));
        return jobs.ToDictionary(
            j => j.Spec.JobId,
            j => Steps(j.Spec) * (measured.TryGetValue((j.Spec.Unroll, j.Spec.Size), out double perStep) ? perStep : scale * Guess(j.Spec.Unroll, j.Spec.Size)));
    }

    private static double Guess(int unroll, double size) => (1 + UnrolledStepCost * unroll) * size;

    /// <summary>The job's training steps, read once from its config.</summary>
    private int Steps(JobSpec spec)
    {
        if (!_steps.TryGetValue(spec.JobId, out int steps))
        {
            using var config = JsonDocument.Parse(spec.ConfigJson);
            steps = config.RootElement.TryGetProperty("steps", out var value) && value.TryGetInt32(out int n) ? n : 1;
            _steps[spec.JobId] = steps;
        }
        return steps;
    }
}
