namespace UnrolledGan.Deploy.Tests;

/// <summary>A fresh folder under the system's temporary folder, deleted with everything in it on dispose.</summary>
public sealed class TemporaryFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("unrolledgan-deploy-").FullName;

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
