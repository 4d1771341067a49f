using System.CommandLine;
using System.Runtime.InteropServices;
using UnrolledGan.Trainer.Runs;

namespace UnrolledGan.Trainer.Cli;

/// <summary>`train`: runs one job, printing JSON progress lines on stdout.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var config = new ConfigOptions();
        var output = new Option<string?>("--out", "-o") { Description = "Output folder (default runs/<experiment>/unroll<K>-seed<S>)" };
        var resume = new Option<bool>("--resume") { Description = "Continue from the folder's last checkpoint; a finished job is not rerun" };
        var jobId = new Option<string?>("--job-id") { Description = "Id recorded in the result, for a supervising orchestrator" };
        var parentPid = new Option<int?>("--parent-pid")
        {
            Description = "Checkpoint and stop when this process ends (set by a supervising silo, so no job outlives it)",
        };
        var command = new Command("train", "Train one unrolled GAN and write its result, snapshots and checkpoints");
        config.AddTo(command);
        command.Add(output);
        command.Add(resume);
        command.Add(jobId);
        command.Add(parentPid);
        command.SetAction(parse => ExitCodes.Guard(() =>
        {
            var trainingConfig = config.Build(parse);
            // Before the experiment loads anything: a run over its silo's limit fails alone instead of taking the node.
            TrainerMemoryLimit.Apply();
            if (TrainerAllocator.Advice() is { } advice)
            {
                Console.Error.WriteLine(advice);
            }
            string folder = parse.GetValue(output)
                ?? Path.Combine("runs", trainingConfig.Experiment, $"unroll{trainingConfig.Unroll}-seed{trainingConfig.Seed}");
            bool resuming = parse.GetValue(resume);
            var progress = new ProgressWriter(Console.Out);
            var layout = new RunLayout(Path.GetFullPath(folder));
            bool Finished()
            {
                if (!resuming || OutputFolder.CompletedResult(layout, trainingConfig, progress) is not { } finished)
                {
                    return false;
                }
                progress.Write(new ProgressEvent
                {
                    Event = ProgressEvent.Kinds.Completed, Step = trainingConfig.Steps, TotalSteps = trainingConfig.Steps,
                    Metrics = finished.Metrics, Path = layout.Result,
                });
                return true;
            }
            // A finished job answers without loading its data or libtorch (result.json is written atomically).
            if (Finished())
            {
                return ExitCodes.Success;
            }
            using var tracing = TrainerTracing.Start();
            using var span = TrainerTracing.Source.StartActivity("trainer", System.Diagnostics.ActivityKind.Internal, TrainerTracing.Parent)
                ?.SetTag("job.id", parse.GetValue(jobId)).SetTag("job.unroll", trainingConfig.Unroll).SetTag("job.seed", trainingConfig.Seed);
            // The experiment is built, and its data checked, before the folder is touched: bad input leaves nothing behind.
            using var run = new TrainingRun(trainingConfig, layout, progress);
            OutputFolder.Prepare(folder, trainingConfig, resuming);
            using var folderLock = OutputFolder.Lock(layout);
            // Checked again under the lock: another trainer of this job may have finished meanwhile.
            if (Finished())
            {
                return ExitCodes.Success;
            }
            AtomicFile.WriteAllText(layout.Config, System.Text.Json.JsonSerializer.Serialize(trainingConfig, TrainerJson.Options));

            using var stop = new CancellationTokenSource();
            using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
            using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
            using var watchdog = ParentWatchdog.Start(parse.GetValue(parentPid), stop);
            void Stop(PosixSignalContext context)
            {
                // Finish the current step and checkpoint, so a later --resume loses nothing.
                context.Cancel = true;
                stop.Cancel();
            }

            try
            {
                run.Run(parse.GetValue(jobId), resuming, stop.Token);
                return ExitCodes.Success;
            }
            catch (OperationCanceledException)
            {
                span?.SetTag("job.exit", "interrupted");
                // The run checkpointed as it stopped: the step is where --resume continues.
                progress.Write(new ProgressEvent
                {
                    Event = ProgressEvent.Kinds.Interrupted, Step = run.Step, TotalSteps = trainingConfig.Steps, Path = layout.Checkpoint,
                });
                return ExitCodes.Interrupted;
            }
            catch (Exception e) when (e is not ConfigException)
            {
                var exceeded = TrainerMemoryLimit.Exceeded(e);
                span?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, (exceeded ?? e).Message);
                progress.Write(new ProgressEvent
                {
                    Event = ProgressEvent.Kinds.Failed, TotalSteps = trainingConfig.Steps, Error = (exceeded ?? e).Message,
                });
                if (exceeded is not null)
                {
                    throw exceeded;
                }
                throw;
            }
        }));
        return command;
    }
}
