using System.Reflection;
using Orleans.Configuration;
using UnrolledGan.Grains.Workers;
using UnrolledGan.Hosting;
using UnrolledGan.Hosting.Database;
using UnrolledGan.ServiceDefaults;
using UnrolledGan.Trainer;

namespace UnrolledGan.Deploy.Tests;

/// <summary>What the silo, the sweep client and the trainer promise, as the deployment files must use it.</summary>
public static class Contract
{
    public const string Namespace = "unrolledgan";

    /// <summary>
    /// Every configuration key the silo reads, in environment form (Section__Key): the settable properties of its
    /// options classes, Orleans' ClusterMembershipOptions under Cluster:Membership, and the few keys read outside an
    /// options class. A key outside this set would be ignored silently.
    /// </summary>
    public static readonly IReadOnlySet<string> ConfigurationKeys = new[]
        {
            typeof(ClusteringOptions), typeof(SiloDashboardOptions), typeof(WorkerOptions), typeof(ResultsOptions), typeof(TelemetryOptions),
            typeof(ClusterTlsOptions),
        }
        .SelectMany(options => KeysOf(options, SectionOf(options)))
        .Concat(KeysOf(typeof(ClusterMembershipOptions), $"{ClusteringOptions.SectionName}__Membership"))
        .Concat(
        [
            $"ConnectionStrings__{ClusterDatabase.ConnectionStringName}",
            EnvironmentForm(ClusterDatabase.FileSetting),
            // Read by ServiceDefaults' Logging.AddSerilogLogging.
            "Logs__Folder",
            // Read by the silo program's web side (WebAccess, SiloWeb).
            "Access__Token", "Access__TokenFile", "Access__MetricsToken", "Access__MetricsTokenFile", "Access__AllowedHosts",
        ])
        .ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// Environment variables the programs read directly rather than through configuration: the trainer's and the
    /// silo's paths, and the sweep client's log folder (ClusterConnection: $XDG_STATE_HOME/unrolledgan/logs).
    /// </summary>
    public static readonly IReadOnlySet<string> ProcessVariables = new HashSet<string>(StringComparer.Ordinal)
    {
        TrainerExecutable.EnvironmentVariable, "UNROLLEDGAN_SILO", "XDG_STATE_HOME",
    };

    /// <summary>How long a stopping silo lets its trainers checkpoint when Workers:ShutdownGrace is not set.</summary>
    public static readonly TimeSpan DefaultShutdownGrace = new WorkerOptions().ShutdownGrace;

    /// <summary>
    /// A name a container of ours may set: a configuration key, a variable a program reads, a .NET runtime setting,
    /// or a downward-API variable that a later variable of the same container expands.
    /// </summary>
    public static bool IsAllowedEnvironmentName(string name, Yaml container) =>
        ConfigurationKeys.Contains(name) || ProcessVariables.Contains(name) || name.StartsWith("DOTNET_", StringComparison.Ordinal)
        || container["env"].Items.Any(v => v["name"].Text == name && v["valueFrom"]["fieldRef"].Exists)
           && container["env"].Items.Any(v => (v["value"].TextOrNull ?? "").Contains($"$({name})", StringComparison.Ordinal));

    /// <summary>The environment form of a configuration key: Section:Key becomes Section__Key.</summary>
    public static string EnvironmentForm(string key) => key.Replace(":", "__", StringComparison.Ordinal);

    private static string SectionOf(Type options) =>
        options.GetField("SectionName")?.GetRawConstantValue() as string
        ?? throw new InvalidOperationException($"{options.Name} has no SectionName constant");

    private static IEnumerable<string> KeysOf(Type options, string section) => options
        .GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.SetMethod is { IsPublic: true })
        .Select(p => $"{section}__{p.Name}");

    public static readonly IReadOnlyList<string> SweepClientVerbs = ["run", "submit", "status", "watch", "results", "cancel", "list"];

    public static readonly IReadOnlyList<string> Experiments = ["mixture-of-gaussians"];
    public static readonly IReadOnlyList<string> Presets = ["quick", "paper", "notebook"];
    public static readonly IReadOnlyList<string> MixtureMetrics = ["modesCovered", "highQualityFraction", "reverseKl"];

    /// <summary>The fields of a sweep spec file (SweepSpecReader), top level and under axes.</summary>
    public static readonly IReadOnlySet<string> SweepSpecFields = new HashSet<string>(StringComparer.Ordinal)
    {
        "name", "experiment", "preset", "axes", "steps", "overrides", "metrics", "retries", "concurrency",
    };

    public static readonly IReadOnlySet<string> SweepSpecAxes = new HashSet<string>(StringComparer.Ordinal)
    {
        "unroll", "seeds", "discriminatorSize", "modelSize",
    };

    /// <summary>The three executables: project file, assembly name, and where the image publishes them.</summary>
    public static readonly IReadOnlyList<Executable> Executables =
    [
        new("src/Silo/UnrolledGan.Silo/UnrolledGan.Silo.csproj", "UnrolledGan.Silo", "/app/silo"),
        new("src/SweepClient/UnrolledGan.SweepClient/UnrolledGan.SweepClient.csproj", "UnrolledGan.SweepClient", "/app/client"),
        new("src/Trainer/UnrolledGan.Trainer/UnrolledGan.Trainer.csproj", "UnrolledGan.Trainer", "/app/trainer"),
    ];

    public static Executable Silo => Executables[0];
    public static Executable SweepClient => Executables[1];
    public static Executable Trainer => Executables[2];
}

public sealed record Executable(string Project, string AssemblyName, string ImageFolder)
{
    public string ImagePath => $"{ImageFolder}/{AssemblyName}";
}
