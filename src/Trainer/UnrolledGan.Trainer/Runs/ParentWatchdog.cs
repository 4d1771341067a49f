using System.Diagnostics;

namespace UnrolledGan.Trainer.Runs;

/// <summary>
/// Stops the job when its supervising process is gone. A silo that is killed cannot signal its children, and Linux
/// does not end them with it; without this, an orphaned trainer would keep its GPU and its job folder's lock.
/// </summary>
internal sealed class ParentWatchdog : IDisposable
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(1);
    private readonly Timer _timer;

    private ParentWatchdog(int parentPid, CancellationTokenSource stop)
    {
        _timer = new Timer(_ =>
        {
            if (!IsAlive(parentPid))
            {
                try
                {
                    stop.Cancel();
                }
                catch (ObjectDisposedException)
                {
                    // The job ended while the timer fired.
                }
            }
        }, null, Period, Period);
    }

    public static IDisposable? Start(int? parentPid, CancellationTokenSource stop) =>
        parentPid is { } pid ? new ParentWatchdog(pid, stop) : null;

    private static bool IsAlive(int pid)
    {
        try
        {
            using var parent = Process.GetProcessById(pid);
            return !parent.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    public void Dispose() => _timer.Dispose();
}
