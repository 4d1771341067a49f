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
}
