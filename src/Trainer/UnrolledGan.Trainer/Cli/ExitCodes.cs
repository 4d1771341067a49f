using UnrolledGan.Trainer.Runs;

namespace UnrolledGan.Trainer.Cli;

/// <summary>The commands' exit codes: those of <see cref="TrainerProtocol.ExitCodes"/>, under the names the commands use.</summary>
internal static class ExitCodes
{
    public const int Success = TrainerProtocol.ExitCodes.Success;
    public const int Failed = TrainerProtocol.ExitCodes.Failed;
    public const int BadInput = TrainerProtocol.ExitCodes.BadInput;
    public const int Interrupted = TrainerProtocol.ExitCodes.Interrupted;
    public const int Busy = TrainerProtocol.ExitCodes.Busy;

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
