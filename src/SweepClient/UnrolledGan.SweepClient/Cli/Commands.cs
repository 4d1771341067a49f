using System.CommandLine;
using System.Diagnostics;
using UnrolledGan.Grains;
using UnrolledGan.SweepClient.Specs;
using UnrolledGan.SweepClient.Views;
using UnrolledGan.Trainer;

namespace UnrolledGan.SweepClient.Cli;

/// <summary>The verbs: `run` (embedded by default) and the cluster verbs that go through a gateway.</summary>
internal static class Commands
{
    private static readonly Option<string> Gateway = GatewayOption.ForCluster();

    private static readonly Option<bool> Json = new("--json") { Description = "Print JSON for scripts instead of text" };

    private static readonly Argument<string> SweepName = new("name") { Description = "The sweep's name" };

    public static Command Run()
    {
        var spec = new SpecOptions();
        var gatewayOption = GatewayOption.ForRun();
        var results = new Option<string>("--results") { Description = "Results folder of the embedded silo", DefaultValueFactory = _ => "results" };
        var slots = new Option<int?>("--slots") { Description = "CPU worker slots of the embedded silo (default: one per core)" };
        var command = new Command("run", "Run a sweep to the end and print its table (with no --gateway: on a silo this command starts on this machine)");
        spec.AddTo(command);
        command.Add(gatewayOption);
        command.Add(results);
        command.Add(slots);
        command.SetAction((parse, cancellation) => Guard(async () =>
        {
            var sweepSpec = spec.Build(parse);
            string? gateway = parse.GetValue(gatewayOption);
            await using var cluster = gateway is null
                ? await ClusterConnection.StartEmbeddedAsync(parse.GetValue(results)!, parse.GetValue(slots), cancellation)
                : await ClusterConnection.ConnectAsync(gateway, "the address from --gateway", cancellation);
            var sweep = cluster.Client.GetGrain<ISweepGrain>(sweepSpec.Name);
            var status = await SubmitAsync(sweep, sweepSpec);
            Console.WriteLine($"sweep {status.Name}: {status.Total} jobs ({status.Done} already done) on the {cluster.Description}; results in {status.ResultsFolder}");
            // The embedded silo serves the page on its own free port; a cluster's silos serve it beside their dashboards.
            string page = cluster.WebUrl ?? OpenCommand.DefaultRoot(gateway);
            Console.WriteLine($"page: {OpenCommand.PageUrl(page, sweepSpec.Name)}");
            if (await OpenCommand.LoginLineAsync(page, sweepSpec.Name, cancellation) is { } login)
            {
                Console.WriteLine(login);
            }
            try
            {
                return await FollowAsync(sweep, json: false, cancellation);
            }
            catch (OperationCanceledException)
            {
                Console.WriteLine(gateway is null
                    ? "stopping: running jobs checkpoint; run the same command again to resume the sweep"
                    : StoppedWatching(sweepSpec.Name, gateway));
                return ExitCodes.Interrupted;
            }
        }));
        return command;
    }

    public static Command Submit()
    {
        var spec = new SpecOptions();
        var command = new Command("submit", "Create a sweep in a running cluster (or resume it) and return");
        spec.AddTo(command);
        command.Add(Gateway);
        command.Add(Json);
        command.SetAction((parse, cancellation) => Guard(async () =>
        {
            // A bad spec is reported before any cluster is dialled.
            var sweepSpec = spec.Build(parse);
            var (gateway, source) = GatewayOption.Resolve(parse, Gateway);
            await using var cluster = await ClusterConnection.ConnectAsync(gateway, source, cancellation);
            var status = await SubmitAsync(cluster.Client.GetGrain<ISweepGrain>(sweepSpec.Name), sweepSpec);
            Console.WriteLine(parse.GetValue(Json)
                ? SweepJson.Submitted(status)
                : $"submitted {status.Name}: {status.Total} jobs; results in {status.ResultsFolder}");
            return ExitCodes.Success;
        }));
        return command;
    }

    public static Command Status()
    {
        var command = new Command("status", "Show a sweep's counts and each job's state") { SweepName, Gateway, Json };
        command.SetAction((parse, cancellation) => WithCluster(parse, cancellation, async client =>
        {
            var status = (await Require(client, parse.GetValue(SweepName)!).GetStatusAsync())!;
            if (parse.GetValue(Json))
            {
                Console.WriteLine(SweepJson.Status(status));
                return ExitCodes.Success;
            }
            Console.WriteLine(SweepView.Summary(status));
            foreach (var job in status.Jobs)
            {
                Console.WriteLine($"  {job.Spec.JobId,-28} {job.Status,-9} runs {job.Starts} failed {job.FailedAttempts}{(job.FailureReason is { } r ? $"  {r}" : "")}");
            }
            return ExitCodes.Success;
        }));
        return command;
    }

    public static Command Watch()
    {
        var command = new Command("watch", "Follow a sweep live until it ends, then print its table (--json: one JSON object a line)") { SweepName, Gateway, Json };
        command.SetAction((parse, cancellation) => WithCluster(parse, cancellation, async client =>
        {
            string name = parse.GetValue(SweepName)!;
            bool json = parse.GetValue(Json);
            try
            {
                return await FollowAsync(Require(client, name), json, cancellation);
            }
            catch (OperationCanceledException)
            {
                // Standard output stays one JSON object a line for a script that reads it.
                (json ? Console.Error : Console.Out).WriteLine(StoppedWatching(name, parse.GetValue(Gateway)!));
                return ExitCodes.Interrupted;
            }
        }));
        return command;
    }

    public static Command Results()
    {
        var command = new Command("results", "Print a sweep's mean ± standard-error table (and write it in every format)") { SweepName, Gateway, Json };
        command.SetAction((parse, cancellation) => WithCluster(parse, cancellation, async client =>
        {
            var sweep = Require(client, parse.GetValue(SweepName)!);
            var status = (await sweep.GetStatusAsync())!;
            var results = (await sweep.GetResultsAsync())!;
            if (parse.GetValue(Json))
            {
                Console.WriteLine(SweepJson.Results(status, results));
                return ExitCodes.Success;
            }
            Console.WriteLine(SweepView.Summary(status));
            Console.WriteLine();
            Console.WriteLine(results.Markdown);
            Console.WriteLine($"written: {string.Join(", ", results.Files)}");
            return ExitCodes.Success;
        }));
        return command;
    }

    public static Command Cancel()
    {
        var command = new Command("cancel", "Cancel a sweep: queued jobs are dropped and running ones killed") { SweepName, Gateway };
        command.SetAction((parse, cancellation) => WithCluster(parse, cancellation, async client =>
        {
            var sweep = Require(client, parse.GetValue(SweepName)!);
            await sweep.CancelAsync();
            Console.WriteLine(SweepView.Summary((await sweep.GetStatusAsync())!));
            return ExitCodes.Success;
        }));
        return command;
    }

    public static Command List()
    {
        var command = new Command("list", "List the cluster's sweeps") { Gateway, Json };
        command.SetAction((parse, cancellation) => WithCluster(parse, cancellation, async client =>
        {
            var entries = await client.GetGrain<ISweepCatalogGrain>(0).ListAsync();
            if (parse.GetValue(Json))
            {
                Console.WriteLine(SweepJson.List(entries));
                return ExitCodes.Success;
            }
            foreach (var entry in entries)
            {
                Console.WriteLine(SweepView.ListLine(entry));
            }
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>What a client that stops following a sweep in a cluster says: the sweep does not stop with it.</summary>
    private static string StoppedWatching(string sweep, string gateway) =>
        $"stopped watching; the sweep goes on in the cluster (watch {sweep} --gateway {gateway}, or cancel {sweep} to stop it)";

    /// <summary>Follows the sweep live, then prints its table; fails when any job failed.</summary>
    private static async Task<int> FollowAsync(ISweepGrain sweep, bool json, CancellationToken cancellation)
    {
        var status = await SweepView.WatchAsync(sweep, cancellation, json);
        var results = (await sweep.GetResultsAsync())!;
        if (json)
        {
            Console.WriteLine(SweepJson.EndLine(status, results));
        }
        else
        {
            Console.WriteLine();
            Console.WriteLine(SweepView.Summary(status));
            Console.WriteLine(results.Markdown);
            Console.WriteLine($"results: {results.Folder}");
        }
        return status.Count(JobStatus.Failed) == 0 && status.Phase == SweepPhase.Completed ? ExitCodes.Success : ExitCodes.Failed;
    }

    /// <summary>Submits under a root span, so every job's trainer run joins the client's trace.</summary>
    private static async Task<SweepStatus> SubmitAsync(ISweepGrain sweep, SweepSpec spec)
    {
        using var activity = TelemetryNames.Activities.StartActivity("sweep.submit", ActivityKind.Client);
        activity?.SetTag("sweep.name", spec.Name).SetTag("sweep.experiment", spec.Experiment);
        return await sweep.SubmitAsync(spec);
    }

    private static ISweepGrain Require(IClusterClient client, string name) => client.GetGrain<ISweepGrain>(name);

    private static Task<int> WithCluster(ParseResult parse, CancellationToken cancellation, Func<IClusterClient, Task<int>> action) => Guard(async () =>
    {
        var (gateway, source) = GatewayOption.Resolve(parse, Gateway);
        await using var cluster = await ClusterConnection.ConnectAsync(gateway, source, cancellation);
        if (parse.GetResult(SweepName) is not null
            && await cluster.Client.GetGrain<ISweepGrain>(parse.GetValue(SweepName)!).GetStatusAsync() is null)
        {
            throw new SweepSpecException("name", $"no sweep named '{parse.GetValue(SweepName)}' (see `list`)");
        }
        return await action(cluster.Client);
    });

    /// <summary>
    /// One line for every way a command can end badly, and the documented exit code: 2 for bad input, 1 for a cluster
    /// that cannot be reached or fails to answer. A fault's stack trace goes to the client's error log, not the screen.
    /// </summary>
    public static async Task<int> Guard(Func<Task<int>> action)
    {
        try
        {
            return await action();
        }
        catch (Exception e) when (e is SweepSpecException or ConfigException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.BadInput;
        }
        catch (ClusterUnavailableException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return e.BadInput ? ExitCodes.BadInput : ExitCodes.Failed;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            string log = ClientErrors.Record(e);
            Console.Error.WriteLine($"error: the cluster did not answer ({e.GetType().Name}: {FirstLine(e.Message)}); " +
                $"a silo may have just died: try again in a minute, or check the silos' logs (details: {log})");
            return ExitCodes.Failed;
        }
    }

    private static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();
}
