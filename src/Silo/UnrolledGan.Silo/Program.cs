using Microsoft.Extensions.Hosting;
using Serilog;
using UnrolledGan.Hosting;

// A worker silo: joins the cluster, offers its GPU or CPU slots to sweeps, serves the client gateway and /metrics.
// Another silo on the same machine: UnrolledGan.Silo --Cluster:Instance=1 (README, "More silos").
Logging.UseBootstrapLogger();
try
{
    // appsettings.json beside the program, then environment variables (Section__Key), then --Section:Key=value.
    var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
    builder.AddSerilogLogging("silo");
    builder.AddTelemetry("unrolledgan-silo", prometheus: true);
    builder.UseUnrolledGanSilo();
    await builder.Build().RunAsync();
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
