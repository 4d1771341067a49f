using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using UnrolledGan.Grains.Workers;

namespace UnrolledGan.Grains.Tests;

/// <summary>
/// A real in-process Orleans cluster running the orchestration, with real trainer processes writing to a temporary
/// results folder. Building a second cluster on the same folder is a restart of the embedded default.
/// </summary>
internal sealed class SweepCluster : IAsyncDisposable
{
    private SweepCluster(InProcessTestCluster cluster, string results)
    {
        Cluster = cluster;
        Results = results;
    }

    public InProcessTestCluster Cluster { get; }

    public string Results { get; }

    public IClusterClient Client => Cluster.Client;

    public static async Task<SweepCluster> StartAsync(int silos, int slotsPerSilo, string? results = null,
        IReadOnlyDictionary<string, string?>? settings = null)
    {
        results ??= Directory.CreateTempSubdirectory("unrolledgan-grains-").FullName;
        var builder = new InProcessTestClusterBuilder((short)silos);
        var configuration = new Dictionary<string, string?>
        {
            ["Results:Folder"] = results,
            ["Workers:CpuSlots"] = slotsPerSilo.ToString(),
            ["Workers:Gpus"] = "none",
            ["Workers:PollInterval"] = "00:00:00.500",
            ["Workers:ShutdownGrace"] = "00:00:20",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            configuration[key] = value;
        }
        builder.ConfigureSiloHost((_, host) => host.Configuration.AddInMemoryCollection(configuration));
        builder.ConfigureSilo((_, silo) => silo.AddSweepOrchestration());
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return new SweepCluster(cluster, results);
    }

    public ISweepGrain Sweep(string name) => Client.GetGrain<ISweepGrain>(name);

    /// <summary>The trainer runners and slots of every silo, from the silos' own services.</summary>
    public IReadOnlyList<(TrainerRunner Runner, WorkerSlots Slots)> Workers => Cluster.Silos
        .Select(s => Cluster.GetSiloServiceProvider(s.SiloAddress))
        .Select(sp => (sp.GetRequiredService<TrainerRunner>(), sp.GetRequiredService<WorkerSlots>()))
        .ToArray();

    /// <summary>The meter factory of one silo: readings over it hear that silo's metrics only.</summary>
    public IMeterFactory Meters(int silo = 0) =>
        Cluster.GetSiloServiceProvider(Cluster.Silos[silo].SiloAddress).GetRequiredService<IMeterFactory>();

    /// <summary>Polls the sweep's status until the condition holds; fails with the last status after the timeout.</summary>
    public async Task<SweepStatus> WaitForAsync(string sweep, Func<SweepStatus, bool> condition, TimeSpan timeout)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        SweepStatus? status = null;
        while (DateTimeOffset.UtcNow < deadline)
        {
            status = await Sweep(sweep).GetStatusAsync();
            if (status is not null && condition(status))
            {
                return status;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(250));
        }
        throw new TimeoutException($"sweep {sweep} did not reach the expected state in {timeout}; last: " +
            string.Join(", ", status?.Jobs.Select(j => $"{j.Spec.JobId}={j.Status}/{j.Starts}") ?? []));
    }

    /// <summary>
    /// Waits until every slot is free: a slot is released in the runner's finally, just after the run's end is
    /// reported, so a test that saw the sweep complete may look a moment too early.
    /// </summary>
    public async Task WaitForFreeSlotsAsync(TimeSpan timeout)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (Workers.Any(w => w.Slots.Busy > 0))
        {
            if (DateTimeOffset.UtcNow > deadline)
            {
                throw new TimeoutException($"slots still busy after {timeout}: {string.Join(", ", Workers.Select(w => w.Slots.Busy))}");
            }
            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
    }

    public static SweepSpec Spec(string name, int steps, IReadOnlyList<int> unroll, IReadOnlyList<int> seeds, int retries = 2) => new()
    {
        Name = name,
        Experiment = "mixture-of-gaussians",
        Preset = "quick",
        Unrolls = unroll,
        Seeds = seeds,
        Steps = steps,
        Retries = retries,
        // Small evaluations and frequent checkpoints keep the jobs short and resumable mid-run.
        Overrides = new Dictionary<string, string> { ["checkpointInterval"] = "250", ["snapshotInterval"] = "1000", ["logInterval"] = "50" },
    };
}
