using Microsoft.Extensions.Hosting;
using Serilog;
using Serilog.Events;
using Serilog.Formatting.Compact;

namespace UnrolledGan.Hosting;

public static class Logging
{
    /// <summary>The logger used until the host's configuration is read, so startup failures are logged too.</summary>
    public static void UseBootstrapLogger() =>
        Log.Logger = new LoggerConfiguration().WriteTo.Console().CreateBootstrapLogger();

    /// <summary>
    /// Serilog behind ILogger: structured console output and rolling JSON files under logs/, tuned from the
    /// "Serilog" configuration section. Orleans' chatty categories are raised to Warning.
    /// </summary>
    public static IHostApplicationBuilder AddSerilogLogging(this IHostApplicationBuilder builder, string fileStem,
        LogEventLevel consoleLevel = LogEventLevel.Information)
    {
        builder.Services.AddSerilog((services, logger) => logger
            .ReadFrom.Configuration(builder.Configuration)
            .MinimumLevel.Information()
            .MinimumLevel.Override("Orleans", LogEventLevel.Warning)
            .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
            .MinimumLevel.Override("Polly", LogEventLevel.Warning)
            .Enrich.FromLogContext()
            .WriteTo.Console(restrictedToMinimumLevel: consoleLevel)
            .WriteTo.File(new CompactJsonFormatter(), Path.Combine("logs", $"{fileStem}-.jsonl"),
                rollingInterval: RollingInterval.Day, retainedFileCountLimit: 14));
        return builder;
    }
}
