using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Storage;
using UnrolledGan.Grains.Results;
using UnrolledGan.Grains.Storage;
using UnrolledGan.Grains.Sweeps;
using UnrolledGan.Grains.Telemetry;
using UnrolledGan.Grains.Workers;

namespace UnrolledGan.Grains;

public static class SiloBuilderExtensions
{
    /// <summary>
    /// Sweeps, trainer grains and this silo's worker slots. Sweep state is kept in files under the results folder
    /// unless a grain storage named "sweeps" is already registered (a database, on clusters), and tables take their
    /// numbers from the sweep's state unless another <see cref="IRecordedResults"/> is registered first.
    /// </summary>
    public static ISiloBuilder AddSweepOrchestration(this ISiloBuilder silo)
    {
        var services = silo.Services;
        services.AddOptions<WorkerOptions>().BindConfiguration(WorkerOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ResultsOptions>().BindConfiguration(ResultsOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddMetrics();
        services.AddSingleton<SweepMetrics>();
        silo.AddIncomingGrainCallFilter<SiloOnlyCallFilter>();
        services.TryAddSingleton<IRecordedResults, MetricsInSweepState>();
        services.AddSingleton<SweepReports>();
        services.AddSingleton<DamagedStates>();
        services.AddSingleton<WorkerSlots>();
        services.AddSingleton<TrainerRunner>();
        services.AddHostedService(sp => sp.GetRequiredService<TrainerRunner>());
        services.AddHostedService<SlotDispatcher>();
        if (!services.Any(d => d.ServiceType == typeof(IGrainStorage) && Equals(d.ServiceKey, StorageNames.Sweeps)))
        {
            services.AddSingleton<ISweepStateIndex>(sp =>
                new FileSweepStateIndex(Path.Combine(sp.GetRequiredService<IOptions<ResultsOptions>>().Value.Folder, ".state")));
            services.AddKeyedSingleton<IGrainStorage>(StorageNames.Sweeps, (sp, _) =>
                new FileGrainStorage(Path.Combine(sp.GetRequiredService<IOptions<ResultsOptions>>().Value.Folder, ".state"),
                    sp.GetRequiredService<DamagedStates>(), sp.GetRequiredService<ILogger<FileGrainStorage>>()));
        }
        return silo;
    }
}
