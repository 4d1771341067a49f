using System.Diagnostics;

namespace UnrolledGan.Trainer;

/// <summary>Where the trainer program is, for anything that runs jobs as child processes.</summary>
public static class TrainerExecutable
{
    public const string EnvironmentVariable = "UNROLLEDGAN_TRAINER";
    private const string Name = "UnrolledGan.Trainer";
    private static bool _allocatorNoted;

    /// <summary>
    /// The configured path, else $UNROLLEDGAN_TRAINER, else a trainer beside this program (a published or container
    /// layout), else the repository's own build output, preferring the caller's build configuration.
    /// </summary>
    public static string Find(string? configured = null)
    {
        foreach (string? candidate in new[] { configured, Environment.GetEnvironmentVariable(EnvironmentVariable) })
        {
            if (!string.IsNullOrWhiteSpace(candidate))
            {
                return File.Exists(candidate)
                    ? Path.GetFullPath(candidate)
                    : throw new FileNotFoundException($"the trainer configured at '{candidate}' does not exist");
            }
        }
        // A published layout has the trainer's own assembly beside it; a build output may hold only a copied apphost.
        string beside = Path.Combine(AppContext.BaseDirectory, Name);
        if (File.Exists(beside) && File.Exists(beside + ".dll") && File.Exists(beside + ".runtimeconfig.json"))
        {
            return beside;
        }
        string configuration = AppContext.BaseDirectory.Contains("/debug/", StringComparison.OrdinalIgnoreCase) ? "debug" : "release";
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            string built = Path.Combine(folder.FullName, "artifacts", "bin", Name);
            var match = new[] { configuration, configuration == "debug" ? "release" : "debug" }
                .Select(c => Path.Combine(built, c, Name))
                .FirstOrDefault(File.Exists);
            if (match is not null)
            {
                return match;
            }
        }
        throw new FileNotFoundException(
            $"no trainer found; build it (dotnet build src/Trainer/{Name} -c Release) or set {EnvironmentVariable}");
    }

    /// <summary>
    /// How to start the trainer: output and errors redirected, the <paramref name="environment"/> overrides set, and the
    /// allocator they or this process's environment ask for preloaded (<see cref="TrainerAllocator"/>).
    /// </summary>
    public static ProcessStartInfo StartInfo(string trainer, IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        bool isAssembly = trainer.EndsWith(".dll", StringComparison.OrdinalIgnoreCase);
        var start = new ProcessStartInfo(isAssembly ? "dotnet" : trainer)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (isAssembly)
        {
            start.ArgumentList.Add(trainer);
        }
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }
        if (TrainerAllocator.Apply(start) is { } note && !_allocatorNoted)
        {
            // Once per process: a silo starting hundreds of jobs needs to hear it once.
            _allocatorNoted = true;
            Console.Error.WriteLine(note);
        }
        return start;
    }
}
