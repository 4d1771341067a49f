using System.Text.Json;

namespace UnrolledGan.Trainer.Runs;

/// <summary>
/// Writes progress events as JSON lines for a supervising process; one flushed line per event. When the supervisor
/// is gone (a broken pipe), lines are dropped: the job still checkpoints and writes its result files.
/// </summary>
internal sealed class ProgressWriter(TextWriter output)
{
    private readonly Lock _gate = new();
    private bool _broken;

    public void Write(ProgressEvent progress)
    {
        string line = JsonSerializer.Serialize(progress, TrainerJson.Compact);
        lock (_gate)
        {
            if (_broken)
            {
                return;
            }
            try
            {
                output.WriteLine(line);
                output.Flush();
            }
            catch (IOException)
            {
                _broken = true;
            }
        }
    }

    /// <summary>
    /// A damaged file was set aside and the job goes on without it: a warning for whoever watches stderr, and a
    /// "recovered" line for the supervisor to keep in the job's record.
    /// </summary>
    public void Recovered(string what, int totalSteps)
    {
        Console.Error.WriteLine($"warning: {what}");
        Write(new ProgressEvent { Event = ProgressEvent.Kinds.Recovered, TotalSteps = totalSteps, Error = what });
    }
}
