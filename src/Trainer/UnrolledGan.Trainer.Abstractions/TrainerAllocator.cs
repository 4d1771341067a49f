using System.Diagnostics;
using System.Runtime.InteropServices;

namespace UnrolledGan.Trainer;

/// <summary>
/// The malloc a trainer process runs with. libtorch frees and reallocates activation-sized buffers many times a step,
/// and glibc's malloc hands the large ones back to the kernel and faults them in again: with jemalloc preloaded the
/// unrolled steps run about twice as fast (README, "Allocator"). Every trainer started through
/// <see cref="TrainerExecutable.StartInfo"/> gets it; $UNROLLEDGAN_ALLOCATOR names another or turns it off (glibc).
/// </summary>
public static class TrainerAllocator
{
    public const string EnvironmentVariable = "UNROLLEDGAN_ALLOCATOR";
    public const string Glibc = "glibc";
    public const string Default = "jemalloc";
    private const string Preload = "LD_PRELOAD";

    /// <summary>Each allocator's Debian/Ubuntu library (libjemalloc2, libgoogle-perftools4's tcmalloc_minimal, libmimalloc2.0).</summary>
    private static readonly IReadOnlyDictionary<string, string> Libraries = new Dictionary<string, string>
    {
        ["jemalloc"] = "libjemalloc.so.2",
        ["tcmalloc"] = "libtcmalloc_minimal.so.4",
        ["mimalloc"] = "libmimalloc.so.2",
    };

    public static IEnumerable<string> Names => Libraries.Keys.Prepend(Glibc);

    /// <summary>
    /// Sets the start's LD_PRELOAD to the allocator its environment asks for (<see cref="Default"/> unless
    /// $UNROLLEDGAN_ALLOCATOR says otherwise), replacing any allocator already preloaded and keeping other preloads.
    /// Returns a one-line note when the allocator's library is not installed; the process then runs with glibc.
    /// </summary>
    public static string? Apply(ProcessStartInfo start)
    {
        string requested = Requested(start.Environment.TryGetValue(EnvironmentVariable, out string? value) ? value : null);
        string? library = requested == Glibc ? null : Find(Libraries[requested]);
        var preloads = (start.Environment.TryGetValue(Preload, out string? inherited) ? inherited ?? "" : "")
            .Split([' ', ':'], StringSplitOptions.RemoveEmptyEntries)
            .Where(path => Identify(path) is null)
            .Prepend(library)
            .OfType<string>()
            .ToArray();
        if (preloads.Length > 0)
        {
            start.Environment[Preload] = string.Join(':', preloads);
        }
        else
        {
            start.Environment.Remove(Preload);
        }
        return requested != Glibc && library is null
            ? $"note: {Libraries[requested]} is not installed, so the trainer runs with glibc malloc (bash scripts/setup.sh installs {requested})"
            : null;
    }

    /// <summary>
    /// A one-line note for a trainer that runs with glibc malloc although its environment asks for another that is
    /// installed: it was started directly rather than by a silo or scripts/lib.sh's trainer.
    /// </summary>
    public static string? Advice()
    {
        string requested = Requested(Environment.GetEnvironmentVariable(EnvironmentVariable));
        return requested == Glibc || Running() != Glibc || Find(Libraries[requested]) is not { } library
            ? null
            : $"note: this trainer runs with glibc malloc; with LD_PRELOAD={library} (what the silo and scripts/lib.sh's " +
              $"trainer set) the unrolled steps run about twice as fast; {EnvironmentVariable}=glibc silences this";
    }

    /// <summary>The allocator serving this process's malloc, from the libraries mapped into it: what actually ran, whatever was asked for.</summary>
    public static string Running() => FromMaps(File.Exists("/proc/self/maps") ? File.ReadLines("/proc/self/maps") : []);

    public static string FromMaps(IEnumerable<string> maps) =>
        maps.Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "")
            .Select(Identify)
            .FirstOrDefault(name => name is not null) ?? Glibc;

    private static string Requested(string? value)
    {
        string name = string.IsNullOrWhiteSpace(value) ? Default : value.Trim().ToLowerInvariant();
        return Names.Contains(name)
            ? name
            : throw new ConfigException(EnvironmentVariable, $"unknown allocator '{value}' (known: {string.Join(", ", Names)})");
    }

    private static string? Identify(string path)
    {
        string file = Path.GetFileName(path);
        return Libraries.Where(l => file.StartsWith(l.Value[..l.Value.IndexOf(".so", StringComparison.Ordinal)], StringComparison.Ordinal))
            .Select(l => l.Key)
            .FirstOrDefault();
    }

    /// <summary>The library by path in the system's library folders (no ld.so.cache lookup: a preload must be a path that exists).</summary>
    private static string? Find(string library)
    {
        string triplet = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? "aarch64-linux-gnu" : "x86_64-linux-gnu";
        return new[] { $"/usr/lib/{triplet}", "/usr/lib64", "/usr/lib", "/usr/local/lib" }
            .Select(folder => Path.Combine(folder, library))
            .FirstOrDefault(File.Exists);
    }
}
