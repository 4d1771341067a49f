using System.CommandLine;
using UnrolledGan.Grains;
using UnrolledGan.SweepClient.Specs;
using UnrolledGan.SweepClient.Views;
using UnrolledGan.Trainer;

namespace UnrolledGan.SweepClient.Cli;

/// <summary>
/// `benchmark`: runs a sweep afresh on the embedded silo and measures the orchestration itself: sweep efficiency
/// (job compute time summed over jobs ÷ (slots × wall time)) and per-job overhead on either side of the training.
/// </summary>
internal static class SweepBenchmark
{
    public static Command Create()
    {
        var spec = new SpecOptions();
        var slots = new Option<int?>("--slots") { Description = "CPU worker slots (default: one per core)" };
        var command = new Command("benchmark", "Run a sweep from scratch on an embedded silo and report sweep efficiency and per-job overhead");
        spec.AddTo(command);
        command.Add(slots);
        command.SetAction((parse, cancellation) => Commands.Guard(async () =>
        {
            var sweepSpec = spec.Build(parse) with { Name = $"bench-{DateTime.UtcNow:yyyyMMdd-HHmmss}" };
            string results = Path.Combine("results", "benchmarks");
            int capacity = parse.GetValue(slots) ?? Environment.ProcessorCount;
            await using var cluster = await ClusterConnection.StartEmbeddedAsync(results, capacity, cancellation);
            var sweep = cluster.Client.GetGrain<ISweepGrain>(sweepSpec.Name);
            await sweep.SubmitAsync(sweepSpec);
            var status = await SweepView.WatchAsync(sweep, cancellation);
            Console.WriteLine();
            Console.WriteLine((await sweep.GetResultsAsync())!.Markdown);
            Report(status, capacity);
            return status.Count(JobStatus.Succeeded) == status.Total ? ExitCodes.Success : ExitCodes.Failed;
        }));
        return command;
    }

    private static void Report(SweepStatus status, int slots)
    {
        var runs = status.Jobs
            .Select(job => (Job: job, Result: new RunLayout(TrainerProtocol.JobFolder(status.ResultsFolder, job.Spec.JobId)).ReadResult()!))
            .ToArray();
        double wall = (status.EndedAt!.Value - status.CreatedAt).TotalSeconds;
        double compute = runs.Sum(r => r.Result.Timings.WallSeconds);
        var before = runs.Select(r => (r.Result.Timings.StartedAt - r.Job.StartedAt!.Value).TotalSeconds).ToArray();
        var inside = runs.Select(r => r.Result.Timings.WallSeconds - r.Result.Timings.TrainSeconds - r.Result.Timings.EvalSeconds).ToArray();
        var after = runs.Select(r => (r.Job.EndedAt!.Value - r.Result.Timings.CompletedAt).TotalSeconds).ToArray();
        Console.WriteLine();
        Console.WriteLine($"{status.Total} jobs on {slots} slot(s), sweep wall time {wall:0.0} s");
        Console.WriteLine($"sweep efficiency: {compute:0.0} s of job time / ({slots} × {wall:0.0} s) = {compute / (slots * wall):0.000}");
        Console.WriteLine($"lease → trainer process running its job: mean {before.Average():0.00} s, max {before.Max():0.00} s");
        Console.WriteLine($"inside the job, neither training nor evaluation (libtorch load, set-up, checkpoints): mean {inside.Average():0.00} s, max {inside.Max():0.00} s");
        Console.WriteLine($"result written → recorded by the sweep: mean {after.Average():0.000} s, max {after.Max():0.000} s");
    }
}
