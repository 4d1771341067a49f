using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using UnrolledGan.ServiceDefaults;

namespace UnrolledGan.Silo.Tests;

/// <summary>Log levels: the defaults quiet Orleans and Microsoft, and Serilog:MinimumLevel from configuration replaces them.</summary>
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
