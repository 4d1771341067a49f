using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Serilog;
using Serilog.Debugging;
using Serilog.Events;
using Serilog.Formatting.Compact;

namespace UnrolledGan.ServiceDefaults;

public static class Logging
{
    /// <summary>The logger used until the host's configuration is read, so startup failures are logged too.</summary>
    public static void UseBootstrapLogger() =>
        Log.Logger = new LoggerConfiguration().WriteTo.Console().CreateBootstrapLogger();

    /// <summary>
    /// Serilog behind ILogger: structured console output and rolling JSON files in Logs:Folder (default logs/). The
    /// defaults raise Orleans' chatty categories to Warning; the "Serilog" configuration section overrides any of them.
    /// A sink that cannot write (a read-only folder) says so on stderr rather than dropping logs silently.
    /// </summary>
    public static IHostApplicationBuilder AddSerilogLogging(this IHostApplicationBuilder builder, string fileStem,
        LogEventLevel consoleLevel = LogEventLevel.Information)
    {
        SelfLog.Enable(message => Console.Error.WriteLine($"logging: {message}"));
        string folder = builder.Configuration["Logs:Folder"] is { Length: > 0 } configured ? configured : "logs";
        builder.Services.AddSerilog((services, logger) => logger
            .MinimumLevel.Information()
            .MinimumLevel.Override("Orleans", LogEventLevel.Warning)
            .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
            .MinimumLevel.Override("Polly", LogEventLevel.Warning)
            .ReadFrom.Configuration(builder.Configuration)
            .Enrich.FromLogContext()
            .WriteTo.Console(restrictedToMinimumLevel: consoleLevel)
            .WriteTo.File(new CompactJsonFormatter(), Path.Combine(folder, $"{fileStem}-.jsonl"),
                rollingInterval: RollingInterval.Day, retainedFileCountLimit: 14));
        return builder;
    }
}
