using UnrolledGan.Grains.Results;

namespace UnrolledGan.Grains.Sweeps;

/// <summary>
/// The one write of a completed sweep's report that may be under way, off the grain's turn. A sweep whose state
/// says Completed without report files has its report pending: the grain starts a write here, collects it once it
/// has finished, and after a failure starts another <see cref="RetryDelay"/> later, until the files are written (a
/// database restarting under the write is the usual cause). Used by the grain alone, on its own turns.
/// </summary>
internal sealed class PendingReport(SweepReports reports)
{
    public static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(10);
    private Task<SweepResults>? _write;
    private DateTimeOffset _notBefore;
    private string? _problem;

    public static bool IsPending(SweepState state) => state.Phase == SweepPhase.Completed && state.ReportFiles is null;

    /// <summary>The write under way, or a new one over the state's jobs as they are now.</summary>
    public Task<SweepResults> Start(SweepState state)
    {
        if (_write is { IsCompletedSuccessfully: true } written && !SweepReports.OnDisk(written.Result.Files))
        {
            // Finished, but its files have gone since: of no use.
            _write = null;
        }
        return _write ??= reports.WriteAsync(state.Spec!, state.Jobs);
    }

    /// <summary>The write under way, a new one when the last failure is <see cref="RetryDelay"/> old, else null.</summary>
    public Task<SweepResults>? Retry(SweepState state) => _write is null && DateTimeOffset.UtcNow < _notBefore ? null : Start(state);

    /// <summary>
    /// The finished write's results, or its error. The write is forgotten either way, so that a failed one is started
    /// again. Only for a write that has finished.
    /// </summary>
    public async Task<SweepResults> CollectAsync(Task<SweepResults> write)
    {
        if (ReferenceEquals(write, _write))
        {
            _write = null;
        }
        try
        {
            var written = await write;
            _problem = null;
            return written;
        }
        catch
        {
            _notBefore = DateTimeOffset.UtcNow + RetryDelay;
            throw;
        }
    }

    /// <summary>Whether this failure differs from the last one reported: a problem that persists is logged once.</summary>
    public bool IsNewProblem(string problem)
    {
        bool isNew = problem != _problem;
        _problem = problem;
        return isNew;
    }

    /// <summary>The sweep runs again (resubmitted): a write under way is of the old completion, and its files are not recorded.</summary>
    public void Forget() => (_write, _problem) = (null, null);
}
