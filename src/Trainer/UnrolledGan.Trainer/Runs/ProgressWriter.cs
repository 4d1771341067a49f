using System.Text.Json;

namespace UnrolledGan.Trainer.Runs;

/// <summary>Writes progress events as JSON lines for a supervising process; one flushed line per event.</summary>
internal sealed class ProgressWriter(TextWriter output)
{
    private readonly Lock _gate = new();

    public void Write(ProgressEvent progress)
    {
        string line = JsonSerializer.Serialize(progress, TrainerJson.Compact);
        lock (_gate)
        {
            output.WriteLine(line);
            output.Flush();
        }
    }
}
