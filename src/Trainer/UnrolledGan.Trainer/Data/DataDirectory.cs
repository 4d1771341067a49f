namespace UnrolledGan.Trainer.Data;

/// <summary>Where the data sets and the MNIST classifier live. Nothing is downloaded at run time; setup installs them.</summary>
public static class DataDirectory
{
    public const string EnvironmentVariable = "UNROLLEDGAN_DATA";
    public const string SetupCommand = "bash scripts/setup.sh";
    private const string SolutionFile = "UnrolledGan.sln";

    /// <summary>The configured folder, else $UNROLLEDGAN_DATA, else data/ beside UnrolledGan.sln above this program.</summary>
    public static string Resolve(string? configured = null)
    {
        foreach (string? candidate in new[] { configured, Environment.GetEnvironmentVariable(EnvironmentVariable) })
        {
            if (!string.IsNullOrWhiteSpace(candidate))
            {
                return Path.GetFullPath(candidate);
            }
        }
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, SolutionFile)))
            {
                return Path.Combine(folder.FullName, "data");
            }
        }
        throw new ConfigException("dataDirectory",
            $"no data folder: set {EnvironmentVariable} or run from inside the repository (no {SolutionFile} above {AppContext.BaseDirectory})");
    }

    /// <summary>The path of a file that setup installs, or a ConfigException saying where it was expected and how to get it.</summary>
    public static string Require(string path, string what)
    {
        if (File.Exists(path))
        {
            return path;
        }
        throw new ConfigException("dataDirectory", $"{what} not found: expected '{path}'; run '{SetupCommand}' to install it");
    }
}
