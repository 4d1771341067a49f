using System.Data.Common;
using Orleans.Storage;
using UnrolledGan.Grains;

namespace UnrolledGan.Hosting.Database;

/// <summary>
/// The sweeps' grain storage: Orleans' ADO.NET storage, with each read and write riding out a restarted server (a
/// restart kills the connections the storage keeps pooled: 57P01 at their next use) and its errors made readable to
/// callers. A call is retried on transient errors (<see cref="DatabaseRetry"/>) only briefly, because the sweep holds
/// its turn meanwhile: a read at activation for up to <see cref="ReadWait"/>, a write for up to <see cref="WriteWait"/>;
/// past that the sweep reloads and its caller tries again. A write retried after one that reached the database is
/// refused by the version check, so nothing is recorded twice. A database error is thrown as a
/// <see cref="SiloFaultException"/>: Orleans cannot send Npgsql's exceptions, and an activation that fails to read
/// its state answers its caller with the error.
/// </summary>
internal sealed class SweepStateStorage(IGrainStorage database, DatabaseRetry retry) : IGrainStorage
{
    public static readonly TimeSpan ReadWait = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan WriteWait = TimeSpan.FromSeconds(5);

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        RunAsync(() => database.ReadStateAsync(stateName, grainId, grainState), ReadWait);

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        RunAsync(() => database.WriteStateAsync(stateName, grainId, grainState), WriteWait);

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        RunAsync(() => database.ClearStateAsync(stateName, grainId, grainState), WriteWait);

    private async Task RunAsync(Func<Task> call, TimeSpan wait)
    {
        using var budget = new CancellationTokenSource(wait);
        try
        {
            await retry.RunAsync(_ => call(), budget.Token);
        }
        catch (DbException e)
        {
            throw SiloFaultException.From(e);
        }
    }
}
