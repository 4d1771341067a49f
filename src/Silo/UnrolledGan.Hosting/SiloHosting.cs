using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Configuration;
using Orleans.Storage;
using UnrolledGan.Grains;
using UnrolledGan.Grains.Results;
using UnrolledGan.Grains.Storage;
using UnrolledGan.Grains.Sweeps;
using UnrolledGan.Hosting.Database;
using UnrolledGan.ServiceDefaults;

namespace UnrolledGan.Hosting;

public static class SiloHosting
{
    /// <summary>
    /// An Orleans silo that runs sweeps, on the provider Cluster:Provider names: embedded (loopback, files) or postgres
    /// (membership, sweep state and results in PostgreSQL, every silo equal). It listens on and advertises one
    /// address; Cluster:Membership:* tunes Orleans' failure detection (ClusterMembershipOptions). With Tls:* every
    /// silo and gateway connection is mutual TLS, and only holders of the cluster CA's certificates get in.
    /// </summary>
    public static IHostApplicationBuilder UseUnrolledGanSilo(this IHostApplicationBuilder builder, Action<ISiloBuilder>? configure = null)
    {
        var cluster = ClusteringOptions.From(builder.Configuration);
        var credentials = ClusterCredentials.Load(ClusterTlsOptions.From(builder.Configuration));
        builder.Services.AddOptions<ClusteringOptions>().BindConfiguration(ClusteringOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        // Trainers get Workers:ShutdownGrace to checkpoint; the host must wait that long, and for Orleans after it.
        var grace = builder.Configuration.GetValue<TimeSpan?>("Workers:ShutdownGrace") ?? TimeSpan.FromSeconds(30);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = grace + TimeSpan.FromSeconds(30));
        if (cluster.ParentProcessId is not null)
        {
            builder.Services.AddHostedService<ParentProcessWatch>();
        }
        builder.UseOrleans(silo =>
        {
            var services = silo.Services;
            services.AddOptions<Orleans.Configuration.ClusterOptions>().Configure<IOptions<ClusteringOptions>>((o, c) =>
                (o.ClusterId, o.ServiceId) = (c.Value.ClusterId, c.Value.ServiceId));
            services.AddOptions<EndpointOptions>().Configure<IOptions<ClusteringOptions>>((o, c) =>
            {
                var address = c.Value.ResolveAddress(tls: credentials is not null);
                o.AdvertisedIPAddress = address;
                o.SiloPort = c.Value.InstanceSiloPort;
                o.GatewayPort = c.Value.InstanceGatewayPort;
                o.SiloListeningEndpoint = new IPEndPoint(address, c.Value.InstanceSiloPort);
                o.GatewayListeningEndpoint = new IPEndPoint(address, c.Value.InstanceGatewayPort);
            });
            services.AddOptions<SiloOptions>().Configure<IOptions<ClusteringOptions>>((o, c) =>
                o.SiloName = c.Value.SiloName is { Length: > 0 } name ? name : o.SiloName);
            services.AddOptions<ClusterMembershipOptions>().BindConfiguration($"{ClusteringOptions.SectionName}:Membership");
            switch (cluster.Provider)
            {
                case ClusterProvider.Embedded:
                    // Instance 0 holds the membership; other instances on this machine join through it.
                    silo.UseDevelopmentClustering(o => o.Configure<IOptions<ClusteringOptions>>((membership, c) =>
                        membership.PrimarySiloEndpoint = new IPEndPoint(IPAddress.Loopback, c.Value.SiloPort)));
                    break;
                case ClusterProvider.Postgres:
                    string database = ClusterDatabase.ConnectionString(builder.Configuration);
                    silo.UsePostgresClustering(database).AddPostgresSweepState(database);
                    break;
            }
            if (credentials is not null)
            {
                silo.UseTls(credentials.Configure);
                services.AddSingleton(credentials);
            }
            silo.AddActivityPropagation();
            silo.AddSerializableFaults();
            silo.AddSweepOrchestration();
            configure?.Invoke(silo);
        });
        return builder;
    }

    /// <summary>Membership through Orleans' ADO.NET clustering: every silo is a row, none is special, any may die.</summary>
    public static ISiloBuilder UsePostgresClustering(this ISiloBuilder silo, string connectionString) =>
        silo.UseAdoNetClustering(o => (o.Invariant, o.ConnectionString) = (NpgsqlInvariant, connectionString));

    /// <summary>
    /// Sweep state through Orleans' ADO.NET grain storage, as JSON, so that the database writes each success's result
    /// rows in the same transaction (deploy/postgres/0002); and tables built from those rows. Every call rides out a
    /// restarting server (<see cref="DatabaseRetry"/>): the state's reads and writes briefly (<see cref="SweepStateStorage"/>;
    /// a write that still fails makes the sweep reload and its caller try again), the silo's own queries for up to
    /// Database:RetryFor.
    /// </summary>
    public static ISiloBuilder AddPostgresSweepState(this ISiloBuilder silo, string connectionString)
    {
        silo.AddAdoNetGrainStorage(AdoNetSweepStorage, o =>
        {
            (o.Invariant, o.ConnectionString) = (NpgsqlInvariant, connectionString);
            o.GrainStorageSerializer = new GrainStateJson();
        });
        // The provider's name is no part of the stored rows (their keys hash the grain and the service): renaming it keeps every stored sweep.
        silo.Services.AddKeyedSingleton<IGrainStorage>(StorageNames.Sweeps, (sp, _) =>
            new SweepStateStorage(sp.GetRequiredKeyedService<IGrainStorage>(AdoNetSweepStorage), sp.GetRequiredService<DatabaseRetry>()));
        silo.Services.AddSingleton(_ => NpgsqlDataSource.Create(connectionString));
        silo.Services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        silo.Services.AddSingleton<DatabaseRetry>();
        silo.Services.AddSingleton<IRecordedResults, PostgresRecordedResults>();
        silo.Services.AddSingleton<PostgresSweepStateIndex>();
        silo.Services.AddSingleton<ISweepStateIndex>(sp => sp.GetRequiredService<PostgresSweepStateIndex>());
        silo.Services.AddSingleton<IStoredSweepVersion>(sp => sp.GetRequiredService<PostgresSweepStateIndex>());
        return silo;
    }

    /// <summary>A grain call's failure reaches its caller as an exception it can read (<see cref="SerializableFaultFilter"/>).</summary>
    public static ISiloBuilder AddSerializableFaults(this ISiloBuilder silo) => silo.AddIncomingGrainCallFilter<SerializableFaultFilter>();

    private const string NpgsqlInvariant = "Npgsql";
    private const string AdoNetSweepStorage = StorageNames.Sweeps + "-adonet";
}
