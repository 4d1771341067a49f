using Microsoft.Extensions.Logging;

namespace UnrolledGan.Grains.Sweeps;

/// <summary>
/// The version of a sweep's stored state, read without the state itself. Clusters on PostgreSQL register one; the
/// embedded default, whose silos share one machine's files, needs none.
/// </summary>
public interface IStoredSweepVersion
{
    /// <summary>The stored state's version (the ETag a write of it returned), or null when none is stored; throws when storage does not answer.</summary>
    Task<string?> VersionAsync(string sweep, CancellationToken cancellation);
}

/// <summary>
/// Whether a sweep activation may renew its runs' leases. A silo cut off from the cluster keeps its activations and
/// would go on renewing its own trainers' leases while the rest of the cluster declares it dead, activates the sweep
/// again and hands those jobs on: two runs of one job. An activation therefore renews only while its stored state
/// confirms it: the last time it asked (every few seconds while runs hold leases, <see cref="ConfirmAsync"/>),
/// storage answered, within <see cref="Window"/>, with the version this activation last read or wrote. Cut off, it
/// cannot confirm, so its trainers' leases lapse Workers:LeaseTimeout later and they stop after a checkpoint; a
/// newer version means another activation took over, and this one is dropped. A database outage pauses renewals the
/// same way, and one longer than the lease timeout stops the trainers: nothing a run does could be recorded.
/// </summary>
internal sealed class LeaseVouching(IStoredSweepVersion? versions, string sweep, ILogger logger)
{
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(8);
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(2);
    private DateTimeOffset _confirmedAt = DateTimeOffset.UtcNow;
    private bool _unanswered;
    private bool _lapsed;

    /// <summary>The activation read its state, or wrote it: storage answered with its version.</summary>
    public void Confirmed()
    {
        (_confirmedAt, _unanswered) = (DateTimeOffset.UtcNow, false);
        if (_lapsed)
        {
            _lapsed = false;
            logger.LogInformation("Sweep {Sweep}: its stored state answers again; leases are renewed again", sweep);
        }
    }

    public bool Vouches => versions is null || !_unanswered && DateTimeOffset.UtcNow - _confirmedAt < Window;

    public TimeSpan Unconfirmed => DateTimeOffset.UtcNow - _confirmedAt;

    /// <summary>
    /// Asks storage for the stored version: true when it is this activation's (confirmed now), false when another
    /// activation has written since. Storage that does not answer within a couple of seconds stops renewals until it
    /// does; that is logged once.
    /// </summary>
    public async Task<bool> ConfirmAsync(string? etag)
    {
        if (versions is null)
        {
            return true;
        }
        try
        {
            // Cancelling a query on a connection whose network is gone can itself hang: the wait is bounded here too.
            using var timeout = new CancellationTokenSource(AskTimeout);
            if (await versions.VersionAsync(sweep, timeout.Token).WaitAsync(AskTimeout) != etag)
            {
                _unanswered = true;
                logger.LogWarning("Sweep {Sweep}: another activation has written its state since this one read it; this one renews no lease and is dropped", sweep);
                return false;
            }
            Confirmed();
        }
        catch (Exception e)
        {
            _unanswered = true;
            if (!_lapsed)
            {
                _lapsed = true;
                logger.LogWarning("Sweep {Sweep}: its stored state does not answer ({Problem}); its runs' leases are not renewed until it " +
                    "does, so that a silo cut off from the cluster stops its trainers", sweep, e.Message);
            }
        }
        return true;
    }

    /// <summary>Throws, so that the caller's lease is not renewed, unless this activation vouches for it.</summary>
    public void Renewing()
    {
        if (!Vouches)
        {
            throw new InvalidOperationException(
                $"sweep {sweep} renews no lease now: its stored state has not confirmed this activation for {Unconfirmed.TotalSeconds:0} s");
        }
    }
}
