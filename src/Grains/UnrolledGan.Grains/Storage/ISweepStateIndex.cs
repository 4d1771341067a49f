namespace UnrolledGan.Grains.Storage;

/// <summary>The names of every sweep whose state is stored: what the catalog is rebuilt from when its own state was lost.</summary>
public interface ISweepStateIndex
{
    Task<IReadOnlyList<string>> SweepNamesAsync();
}

/// <summary>The embedded default's sweeps: one state file each under the state folder.</summary>
public sealed class FileSweepStateIndex(string folder) : ISweepStateIndex
{
    public Task<IReadOnlyList<string>> SweepNamesAsync()
    {
        string sweeps = Path.Combine(folder, "sweep");
        IReadOnlyList<string> names = Directory.Exists(sweeps)
            ? Directory.EnumerateFiles(sweeps, "*.json").Select(f => Uri.UnescapeDataString(Path.GetFileNameWithoutExtension(f))).Order().ToArray()
            : [];
        return Task.FromResult(names);
    }
}
