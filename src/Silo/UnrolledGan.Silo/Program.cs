using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Serilog;
using UnrolledGan.Hosting;
using UnrolledGan.ServiceDefaults;
using UnrolledGan.Hosting.Database;
using UnrolledGan.Silo;

// A worker silo: joins the cluster, offers its GPU or CPU slots to sweeps, serves the client gateway, /metrics and
// the Orleans Dashboard. `--help` lists the settings; `db migrate` applies the PostgreSQL schema; `certs` makes a
// development CA and certificates for the cluster's mutual TLS.
if (Usage.Asked(args))
{
    Console.WriteLine(Usage.Text);
    return ExitCodes.Success;
}
// appsettings.json beside the program, then environment variables (Section__Key), then --Section:Key=value.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
if (args is ["db", var verb, ..])
{
    return await DatabaseCommand.RunAsync(verb, builder.Configuration);
}
if (args is ["certs", ..])
{
    return CertificatesCommand.Run(args[1..]);
}
Logging.UseBootstrapLogger();
try
{
    builder.AddSerilogLogging("silo");
    var cluster = ClusteringOptions.From(builder.Configuration);
    builder.AddTelemetry("unrolledgan-silo", $"{Environment.MachineName}-{cluster.Instance}");
    builder.AddSiloWeb();
    builder.UseUnrolledGanSilo(silo => silo.AddDashboardWhenEnabled(builder.Configuration));
    builder.Services.AddHostedService<SiloReport>();
    builder.Services.AddHostedService<MembershipLog>();
    var app = builder.Build().MapSiloWeb();
    if (await SiloPreflight.ProblemsAsync(app.Services) is [var (problem, exitCode), ..])
    {
        Console.Error.WriteLine($"error: {problem}");
        return exitCode;
    }
    await app.RunAsync();
    return ExitCodes.Success;
}
catch (Exception e) when (e is OptionsValidationException or DatabaseConfigurationException or TlsConfigurationException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return ExitCodes.BadInput;
}
catch (Exception e)
{
    Log.Fatal(e, "The silo failed to start or stopped unexpectedly");
    return ExitCodes.Failed;
}
finally
{
    await Log.CloseAndFlushAsync();
}
