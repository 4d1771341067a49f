using System.ComponentModel.DataAnnotations;
using System.Net.Sockets;
using System.Runtime.ExceptionServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace UnrolledGan.Hosting.Database;

/// <summary>
/// How long the silo's own database calls wait for PostgreSQL to come back (the "Database" section; the connection
/// string is read before the host is built, by <see cref="ClusterDatabase"/>).
/// </summary>
public sealed class DatabaseOptions : IValidatableObject
{
    public const string SectionName = "Database";

    /// <summary>A call failing with transient errors is tried again for this long, then fails with the last error.</summary>
    public TimeSpan RetryFor { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The first retry comes after a quarter of a second; the delay doubles up to this.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    public IEnumerable<ValidationResult> Validate(ValidationContext context)
    {
        foreach (var (name, value) in new[] { (nameof(RetryFor), RetryFor), (nameof(MaxRetryDelay), MaxRetryDelay) })
        {
            if (value <= TimeSpan.Zero)
            {
                yield return new ValidationResult($"{SectionName}:{name} must be positive (got {value})", [name]);
            }
        }
    }
}

/// <summary>
/// The one retry policy of every database call the silo makes itself (result rows, the stored-sweep index); Orleans'
/// ADO.NET membership and grain storage have their own. A PostgreSQL restart kills every pooled connection
/// (57P01 "terminating connection due to administrator command"), refuses connections while it is down and answers
/// 57P03 while it starts: each of these is retried with backoff, for up to <see cref="DatabaseOptions.RetryFor"/> or
/// until the caller's token is cancelled, and then the last error is thrown. Any other error is thrown at once. Only
/// idempotent calls (reads) go through it. The pool is cleared at the first failure, since the restart that broke one
/// pooled connection broke them all. An outage is logged when the first call meets it and when a call succeeds again,
/// never per attempt.
/// </summary>
public sealed class DatabaseRetry(NpgsqlDataSource database, IOptions<DatabaseOptions> options, ILogger<DatabaseRetry> logger)
{
    private static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(250);
    private readonly object _outageLock = new();
    private DateTimeOffset? _outageSince;
    private int _retriedCalls;

    public Task RunAsync(Func<CancellationToken, Task> call, CancellationToken cancellation = default) =>
        RunAsync(async token => { await call(token); return true; }, cancellation);

    public async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellation = default)
    {
        var deadline = DateTimeOffset.UtcNow + options.Value.RetryFor;
        var delay = FirstDelay;
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                var result = await call(cancellation);
                Recovered();
                return result;
            }
            catch (Exception e) when (IsTransient(e) && !cancellation.IsCancellationRequested)
            {
                var left = deadline - DateTimeOffset.UtcNow;
                if (left <= TimeSpan.Zero)
                {
                    logger.LogWarning("A database call failed for {RetryFor} and was given up: {Problem}", options.Value.RetryFor, Describe(e));
                    throw;
                }
                Failed(e, attempt);
                try
                {
                    // The last try comes at the deadline.
                    await Task.Delay(TimeSpan.FromTicks(Math.Min(Jitter(delay).Ticks, left.Ticks)), cancellation);
                }
                catch (OperationCanceledException)
                {
                    // The caller stopped waiting: what it hears is the database's error, not the cancellation.
                    ExceptionDispatchInfo.Throw(e);
                }
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, options.Value.MaxRetryDelay.Ticks));
            }
        }
    }

    /// <summary>
    /// Errors that a restarted or briefly unreachable server causes, and that a new connection may not meet: Npgsql's
    /// own judgement (IsTransient: network errors, timeouts, too many connections, 57P03 "starting up"), plus the
    /// server-side ends of a connection a restart brings (57P01 admin shutdown, 57P02 crash shutdown, class 08
    /// connection exceptions), and the socket and stream errors of a connection killed under a pooled client.
    /// </summary>
    public static bool IsTransient(Exception e) => e switch
    {
        PostgresException p => p.IsTransient || p.SqlState is "57P01" or "57P02" or "57P03" || p.SqlState.StartsWith("08", StringComparison.Ordinal),
        NpgsqlException n => n.IsTransient || n.InnerException is SocketException or IOException or EndOfStreamException or TimeoutException,
        SocketException or EndOfStreamException => true,
        _ => false,
    };

    /// <summary>One line for a log or a caller: the SQL state when the server sent one, and the message.</summary>
    public static string Describe(Exception e) => e is PostgresException p ? $"{p.SqlState}: {p.MessageText}" : e.Message;

    private void Failed(Exception e, int attempt)
    {
        bool first;
        lock (_outageLock)
        {
            first = _outageSince is null;
            _outageSince ??= DateTimeOffset.UtcNow;
            _retriedCalls += attempt == 1 ? 1 : 0;
        }
        if (first)
        {
            // The restart that broke this connection broke every idle one in the pool: don't hand them out again.
            database.Clear();
            logger.LogWarning("The database {Database} does not answer ({Problem}); the silo's calls to it are retried for up to {RetryFor}",
                ClusterDatabase.Describe(database.ConnectionString), Describe(e), options.Value.RetryFor);
        }
        else
        {
            logger.LogDebug("Database call attempt {Attempt} failed: {Problem}", attempt, Describe(e));
        }
    }

    private void Recovered()
    {
        DateTimeOffset since;
        int calls;
        lock (_outageLock)
        {
            if (_outageSince is not { } start)
            {
                return;
            }
            (since, calls, _outageSince, _retriedCalls) = (start, _retriedCalls, null, 0);
        }
        logger.LogInformation("The database {Database} answers again after {Seconds:0.0} s; {Calls} call(s) waited for it",
            ClusterDatabase.Describe(database.ConnectionString), (DateTimeOffset.UtcNow - since).TotalSeconds, calls);
    }

    private static TimeSpan Jitter(TimeSpan delay) => delay * (0.8 + 0.4 * Random.Shared.NextDouble());
}
