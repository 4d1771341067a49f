using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Serilog;
using Serilog.Configuration;
using Serilog.Debugging;
using Serilog.Events;
using Serilog.Formatting.Compact;
using UnrolledGan.Grains;
using SinkProtocol = Serilog.Sinks.OpenTelemetry.OtlpProtocol;

namespace UnrolledGan.ServiceDefaults;

public static class Logging
{
    /// <summary>The configuration section whose presence replaces <see cref="AddSerilogLogging"/>'s default levels.</summary>
    public const string MinimumLevelSection = "Serilog:MinimumLevel";

    /// <summary>The logger used until the host's configuration is read, so startup failures are logged too.</summary>
    public static void UseBootstrapLogger() =>
        Log.Logger = new LoggerConfiguration().WriteTo.Console().CreateBootstrapLogger();

    /// <summary>
    /// Serilog behind ILogger: structured console output, rolling JSON files in Logs:Folder (default logs/) and, when
    /// <see cref="Telemetry.AddTelemetry"/> found an OTLP endpoint, OTLP logs carrying the trace and span of each event.
    /// Without a Serilog:MinimumLevel section the level is Information, with Orleans' and Microsoft's chatty categories
    /// at Warning; with one, configuration alone decides, so `Serilog__MinimumLevel__Default=Debug` shows Debug from
    /// every category. The console shows what the levels let through, down to <paramref name="consoleLevel"/>.
    /// A sink that cannot write (a read-only folder) says so on stderr rather than dropping logs silently. Two kinds of
    /// Orleans event are handled on the way in (<see cref="OrleansLogRules"/>): the watchdog's false stall at start is
    /// dropped, and a dead peer's connection failures come as one line each, without their stack traces.
    /// </summary>
    public static IHostApplicationBuilder AddSerilogLogging(this IHostApplicationBuilder builder, string fileStem,
        LogEventLevel consoleLevel = LogEventLevel.Verbose)
    {
        SelfLog.Enable(message => Console.Error.WriteLine($"logging: {message}"));
        string folder = builder.Configuration["Logs:Folder"] is { Length: > 0 } configured ? configured : "logs";
        bool levelsConfigured = builder.Configuration.GetSection(MinimumLevelSection).Exists();
        builder.Services.AddSerilog((services, logger) =>
        {
            if (!levelsConfigured)
            {
                logger.MinimumLevel.Information()
                    .MinimumLevel.Override("Orleans", LogEventLevel.Warning)
                    .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
                    .MinimumLevel.Override("Polly", LogEventLevel.Warning);
            }
            logger.ReadFrom.Configuration(builder.Configuration)
                .Enrich.FromLogContext()
                .Filter.ByExcluding(OrleansLogRules.IsWatchdogStartRace);
            logger.WriteTo.Sink(LoggerSinkConfiguration.Wrap(sinks => new PeerFailureSink(sinks), sinks =>
            {
                sinks.Console(restrictedToMinimumLevel: consoleLevel);
                sinks.File(new CompactJsonFormatter(), Path.Combine(folder, $"{fileStem}-.jsonl"),
                    rollingInterval: RollingInterval.Day, retainedFileCountLimit: 14);
                if (services.GetService<OtlpExport>() is { } otlp && services.GetService<ServiceIdentity>() is { } service)
                {
                    sinks.OpenTelemetry(sink =>
                    {
                        sink.Endpoint = otlp.For("logs").ToString();
                        sink.Protocol = otlp.Http ? SinkProtocol.HttpProtobuf : SinkProtocol.Grpc;
                        sink.ResourceAttributes = new Dictionary<string, object>
                        {
                            ["service.name"] = service.Name,
                            ["service.version"] = service.Version,
                            ["service.instance.id"] = service.InstanceId,
                        };
                    });
                }
            }));
        });
        return builder;
    }
}
