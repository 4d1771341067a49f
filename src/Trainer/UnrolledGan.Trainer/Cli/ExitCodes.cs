using UnrolledGan.Trainer.Runs;

namespace UnrolledGan.Trainer.Cli;

/// <summary>Exit codes a supervisor can act on: retry a failure, never retry bad input, resume an interruption.</summary>
internal static class ExitCodes
{
    public const int Success = 0;
    public const int Failed = 1;
    public const int BadInput = 2;
    public const int Interrupted = 130;

    /// <summary>Another live trainer owns the output folder (EX_TEMPFAIL); try again later, it is not a failure.</summary>
    public const int Busy = 75;

    /// <summary>Turns exceptions into one-line errors on stderr and the matching exit code.</summary>
    public static int Guard(Func<int> action)
    {
        try
        {
            return action();
        }
        catch (FolderBusyException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return Busy;
        }
        catch (ConfigException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return BadInput;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"error: {e.GetType().Name}: {e.Message}");
            return Failed;
        }
    }
}
