using Microsoft.Extensions.Configuration;
using Orleans.TestingHost;
using UnrolledGan.Grains;

namespace UnrolledGan.Hosting.Tests;

/// <summary>An in-process cluster whose sweep state and results are in a test database, composed as a silo on postgres is.</summary>
internal static class PostgresCluster
{
    /// <summary>A one-silo cluster on the database, or on another way to it (<paramref name="connectionString"/>, through a proxy).</summary>
    public static async Task<InProcessTestCluster> StartAsync(TestDatabase database, string results, int slots = 2,
        IReadOnlyDictionary<string, string?>? settings = null, string? connectionString = null)
    {
        var builder = new InProcessTestClusterBuilder(1);
        // Grain state is keyed by service id: a restarted cluster must be the same service.
        builder.Options.ServiceId = "unrolledgan-tests";
        var configuration = new Dictionary<string, string?>
        {
            ["Results:Folder"] = results,
            ["Workers:CpuSlots"] = slots.ToString(),
            ["Workers:Gpus"] = "none",
            ["Workers:PollInterval"] = "00:00:00.500",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            configuration[key] = value;
        }
        builder.ConfigureSiloHost((_, host) => host.Configuration.AddInMemoryCollection(configuration));
        builder.ConfigureSilo((_, silo) => silo.AddPostgresSweepState(connectionString ?? database.ConnectionString).AddSerializableFaults()
            .AddSweepOrchestration());
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    public static async Task<SweepStatus> WaitForAsync(InProcessTestCluster cluster, string sweep, Func<SweepStatus, bool> condition, TimeSpan timeout)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        SweepStatus? status = null;
        while (DateTimeOffset.UtcNow < deadline)
        {
            status = await cluster.Client.GetGrain<ISweepGrain>(sweep).GetStatusAsync();
            if (status is not null && condition(status))
            {
                return status;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }
        throw new TimeoutException($"sweep {sweep} did not reach the expected state; last: {string.Join(", ", status?.Jobs.Select(j => $"{j.Spec.JobId}={j.Status}") ?? [])}");
    }

    /// <summary>Waits, with a bound, for what the cluster makes true on its own (a file it writes).</summary>
    public static Task UntilAsync(Func<bool> done, TimeSpan timeout, string what) => UntilAsync(() => Task.FromResult(done()), timeout, what);

    public static async Task UntilAsync(Func<Task<bool>> done, TimeSpan timeout, string what)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (!await done())
        {
            if (DateTimeOffset.UtcNow > deadline)
            {
                throw new TimeoutException($"{what} did not happen within {timeout}");
            }
            await Task.Delay(TimeSpan.FromMilliseconds(100), TestContext.Current.CancellationToken);
        }
    }

    public static SweepSpec Spec(string name, IReadOnlyList<int> seeds, int steps = 200) => new()
    {
        Name = name,
        Experiment = "mixture-of-gaussians",
        Preset = "quick",
        Unrolls = [0],
        Seeds = seeds,
        Steps = steps,
        Overrides = new Dictionary<string, string> { ["snapshotInterval"] = steps.ToString(), ["logInterval"] = "50" },
    };
}
