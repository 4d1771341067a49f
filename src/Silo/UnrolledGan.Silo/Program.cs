using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Orleans.Dashboard;
using Serilog;
using UnrolledGan.Hosting;
using UnrolledGan.Silo;
using UnrolledGan.Web;

// A worker silo: joins the cluster, offers its GPU or CPU slots to sweeps, serves the client gateway, /metrics and
// the Orleans Dashboard. Another silo on the same machine: UnrolledGan.Silo --Cluster:Instance=1 (README, "More silos").
Logging.UseBootstrapLogger();
try
{
    // appsettings.json beside the program, then environment variables (Section__Key), then --Section:Key=value.
    var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
    builder.AddSerilogLogging("silo");
    builder.AddTelemetry("unrolledgan-silo", prometheus: true);
    var dashboard = builder.Configuration.GetSection(SiloDashboardOptions.SectionName).Get<SiloDashboardOptions>() ?? new();
    int instance = ClusteringOptions.From(builder.Configuration).Instance;
    builder.UseUnrolledGanSilo(silo =>
    {
        if (dashboard.Port > 0)
        {
            silo.AddDashboard();
        }
    });
    builder.WebHost.UseUrls(dashboard.Port > 0 ? [$"http://{dashboard.Host}:{dashboard.Port + instance}"] : []);

    var app = builder.Build();
    if (dashboard.Port > 0)
    {
        app.MapOrleansDashboard("/dashboard");
        app.MapSweepPages();
    }
    await app.RunAsync();
    return 0;
}
catch (Exception e)
{
    Log.Fatal(e, "The silo failed to start or stopped unexpectedly");
    return 1;
}
finally
{
    await Log.CloseAndFlushAsync();
}
