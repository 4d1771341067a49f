using System.Diagnostics;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using UnrolledGan.ServiceDefaults;

namespace UnrolledGan.Silo.Tests;

/// <summary>
/// Log levels: the defaults quiet Orleans and Microsoft, and Serilog:MinimumLevel from configuration replaces them.
/// Two kinds of Orleans event are handled on the way in: the watchdog's false stall at start, and a dead peer's traces.
/// </summary>
public sealed class LoggingTests
{
    private static ILoggerFactory Loggers(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        settings["Logs:Folder"] = Directory.CreateTempSubdirectory("unrolledgan-logging-").FullName;
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddSerilogLogging("test");
        return builder.Build().Services.GetRequiredService<ILoggerFactory>();
    }

    /// <summary>Logs through the configured pipeline into its JSON file, then reads each event back.</summary>
    private static IReadOnlyList<JsonElement> Written(Action<ILoggerFactory> log)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        string folder = Directory.CreateTempSubdirectory("unrolledgan-logging-").FullName;
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Logs:Folder"] = folder });
        builder.AddSerilogLogging("test", consoleLevel: Serilog.Events.LogEventLevel.Fatal);
        using (var host = builder.Build())
        {
            log(host.Services.GetRequiredService<ILoggerFactory>());
        }
        return Directory.GetFiles(folder, "test-*.jsonl").SelectMany(File.ReadAllLines)
            .Select(line => JsonDocument.Parse(line).RootElement).ToArray();
    }

    [Fact]
    public void TheWatchdogsStallLongerThanTheProcessHasLivedIsDroppedAndARealOneKept()
    {
        // Orleans' own template and property (Watchdog.LogWarningParticipantCheckThreadStalled).
        const string Stalled = "Participant check thread has not completed for {TimeSinceLastTick}, potentially indicating lock contention or deadlock, CPU starvation, or another execution anomaly.";
        var lived = DateTime.Now - Process.GetCurrentProcess().StartTime;

        var written = Written(loggers =>
        {
            var watchdog = loggers.CreateLogger("Orleans.Runtime.Watchdog");
            watchdog.LogWarning(Stalled, lived + TimeSpan.FromMinutes(56));
            watchdog.LogWarning(Stalled, lived / 2);
        });

        written.ShouldHaveSingleItem().GetProperty("TimeSinceLastTick").GetString().ShouldBe((lived / 2).ToString());
    }

    [Fact]
    public void ADeadPeersConnectionFailureIsOneWarningLineWithItsReasonAndRepeatsAreFolded()
    {
        var refused = new InvalidOperationException("Unable to connect", new SocketException((int)SocketError.ConnectionRefused));

        var written = Written(loggers =>
        {
            var directory = loggers.CreateLogger("Orleans.Runtime.GrainDirectory.ClientDirectory");
            directory.LogError(refused, "Exception publishing client routing table to silo {Silo}", "S127.0.0.1:11111:1");
            directory.LogError(refused, "Exception publishing client routing table to silo {Silo}", "S127.0.0.1:11111:1");
            // Not a dead peer, or not Orleans: the trace stays.
            directory.LogError(new InvalidOperationException("a real fault"), "Something else failed");
            loggers.CreateLogger("UnrolledGan.Grains.Workers.TrainerRunner").LogWarning(refused, "Ours failed");
        });

        written.Count.ShouldBe(3);
        var peer = written[0];
        peer.GetProperty("@mt").GetString().ShouldBe("Exception publishing client routing table to silo {Silo} ({PeerFailure})");
        peer.GetProperty("PeerFailure").GetString().ShouldBe(new SocketException((int)SocketError.ConnectionRefused).Message);
        peer.GetProperty("@l").GetString().ShouldBe("Warning");
        peer.TryGetProperty("@x", out _).ShouldBeFalse();
        written[1].GetProperty("@x").GetString().ShouldNotBeNull().ShouldContain("a real fault");
        written[2].GetProperty("@x").GetString().ShouldNotBeNull().ShouldContain("Unable to connect");
    }

    [Fact]
    public void WithoutConfigurationOrleansAndMicrosoftLogWarningsAndTheRestInformation()
    {
        var loggers = Loggers([]);

        loggers.CreateLogger("Orleans.Runtime.Catalog").IsEnabled(LogLevel.Information).ShouldBeFalse();
        loggers.CreateLogger("Orleans.Runtime.Catalog").IsEnabled(LogLevel.Warning).ShouldBeTrue();
        loggers.CreateLogger("Microsoft.Hosting.Lifetime").IsEnabled(LogLevel.Information).ShouldBeFalse();
        loggers.CreateLogger("UnrolledGan.Grains.Workers.TrainerRunner").IsEnabled(LogLevel.Information).ShouldBeTrue();
        loggers.CreateLogger("UnrolledGan.Grains.Workers.TrainerRunner").IsEnabled(LogLevel.Debug).ShouldBeFalse();
    }

    [Fact]
    public void AConfiguredDefaultLevelReachesOrleansToo()
    {
        var loggers = Loggers(new() { ["Serilog:MinimumLevel:Default"] = "Debug" });

        loggers.CreateLogger("Orleans.Runtime.Catalog").IsEnabled(LogLevel.Debug).ShouldBeTrue();
        loggers.CreateLogger("Microsoft.Hosting.Lifetime").IsEnabled(LogLevel.Debug).ShouldBeTrue();
        loggers.CreateLogger("UnrolledGan.Grains.Workers.TrainerRunner").IsEnabled(LogLevel.Debug).ShouldBeTrue();
    }

    [Fact]
    public void AConfiguredOverrideIsTheOnlyOneThatApplies()
    {
        var loggers = Loggers(new() { ["Serilog:MinimumLevel:Default"] = "Warning", ["Serilog:MinimumLevel:Override:Orleans"] = "Information" });

        loggers.CreateLogger("Orleans.Runtime.Catalog").IsEnabled(LogLevel.Information).ShouldBeTrue();
        loggers.CreateLogger("UnrolledGan.Grains.Workers.TrainerRunner").IsEnabled(LogLevel.Information).ShouldBeFalse();
    }
}
