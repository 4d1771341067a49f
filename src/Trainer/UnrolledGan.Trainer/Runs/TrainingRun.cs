using System.Diagnostics;
using System.Text.Json;
using UnrolledGan.Figures;
using UnrolledGan.Trainer.Core;
using static TorchSharp.torch;

namespace UnrolledGan.Trainer.Runs;

/// <summary>
/// One job from its first step (or its last checkpoint) to its result file: the training loop with its log,
/// snapshot and checkpoint intervals. Randomness depends only on (seed, step), so a resumed job ends with exactly
/// the metrics of an uninterrupted one.
/// </summary>
internal sealed class TrainingRun : IDisposable
{
    private readonly TrainingConfig _config;
    private readonly RunLayout _layout;
    private readonly ProgressWriter _progress;
    private readonly TrainingSession _session;
    private readonly List<SnapshotMetrics> _snapshots = [];
    private readonly List<SnapshotImage> _pictures = [];
    private readonly DateTimeOffset _startedAt = DateTimeOffset.UtcNow;
    private readonly long _startTimestamp = Stopwatch.GetTimestamp();
    private SnapshotImage? _dataPicture;
    private int _step;
    private int _resumedFromStep;
    private double _trainSeconds;
    private double _evalSeconds;
    private double _earlierWallSeconds;

    public TrainingRun(TrainingConfig config, RunLayout layout, ProgressWriter progress)
    {
        _config = config;
        _layout = layout;
        _progress = progress;
        using (TrainerTracing.Source.StartActivity("load"))
        {
            _session = new TrainingSession(config);
        }
    }

    /// <summary>The step reached; once <see cref="Run"/> was cancelled, the step of the checkpoint it wrote as it stopped.</summary>
    public int Step => _step;

    public TrainingResult Run(string? jobId, bool resume, CancellationToken cancellation)
    {
        if (resume)
        {
            using var restoring = TrainerTracing.Source.StartActivity("restore");
            Restore();
            restoring?.SetTag("step", _step);
        }
        _progress.Write(new ProgressEvent
        {
            Event = ProgressEvent.Kinds.Started, Step = _step, TotalSteps = _config.Steps, ResumedFromStep = _resumedFromStep,
        });
        if (_step == 0)
        {
            Snapshot();
        }

        using var log = new LossLog(_step);
        using (var training = TrainerTracing.Source.StartActivity("train"))
        {
            training?.SetTag("step.from", _step);
            Train(log, cancellation);
            training?.SetTag("step.to", _step);
        }
        return Complete(jobId);
    }

    private void Train(LossLog log, CancellationToken cancellation)
    {
        while (_step < _config.Steps)
        {
            if (cancellation.IsCancellationRequested)
            {
                SaveCheckpoint();
                cancellation.ThrowIfCancellationRequested();
            }

            long started = Stopwatch.GetTimestamp();
            using (var scope = NewDisposeScope())
            {
                log.Keep(_session.Train(_step));
            }
            _step++;
            _trainSeconds += Stopwatch.GetElapsedTime(started).TotalSeconds;

            if (Due(_config.LogInterval))
            {
                var progress = log.Read(_step, _config.Steps);
                _progress.Write(progress);
                // Appended, not rewritten: a resumed run logs its steps after the checkpoint again, and readers keep the last.
                var losses = new LossPoint(_step, progress.GeneratorLoss, progress.DiscriminatorLoss);
                File.AppendAllText(_layout.Losses, JsonSerializer.Serialize(losses, TrainerJson.Compact) + "\n");
            }
            if (Due(_config.SnapshotInterval))
            {
                Snapshot();
            }
            if (Due(_config.CheckpointInterval))
            {
                SaveCheckpoint();
            }
        }
    }

    /// <summary>
    /// This process's wall time and that of the earlier ones up to the checkpoint it resumed from. Time an earlier
    /// process spent past its last checkpoint (killed, not stopped) is not counted: its steps were trained again.
    /// </summary>
    private double WallSeconds => _earlierWallSeconds + Stopwatch.GetElapsedTime(_startTimestamp).TotalSeconds;

    /// <summary>Every <paramref name="interval"/> steps, and at the last step.</summary>
    private bool Due(int interval) => _step % interval == 0 || _step == _config.Steps;

    private void Snapshot()
    {
        using var span = TrainerTracing.Source.StartActivity("evaluate")?.SetTag("step", _step);
        long started = Stopwatch.GetTimestamp();
        using (var scope = NewDisposeScope())
        using (no_grad())
        {
            _session.Experiment.Generator.eval();
            var random = _session.Random.For(_step, StepRandom.EvaluationStream);
            var noise = _session.Experiment.SampleNoise(_config.EvalSamples, random);
            var generated = Sampling.InBatches(_session.Experiment.Generator, noise, _session.Experiment.EvaluationBatch);
            _snapshots.Add(new SnapshotMetrics(_step, _session.Experiment.Evaluate(generated)));
            _pictures.Add(_session.Experiment.Picture(_step, generated));
            _dataPicture ??= _session.Experiment.DataPicture(_session.Random.For(-1, StepRandom.EvaluationStream));
            _session.Experiment.Generator.train();
        }
        AtomicFile.WriteAllText(_layout.Snapshots,
            string.Concat(_snapshots.Select(s => JsonSerializer.Serialize(s, TrainerJson.Compact) + "\n")));
        PictureGrid.Save(_layout.Density, $"{_config.Experiment}, K = {_config.Unroll}, seed {_config.Seed}",
            [new PictureRow($"K = {_config.Unroll}, seed {_config.Seed}", [.. _pictures, _dataPicture!])]);
        _evalSeconds += Stopwatch.GetElapsedTime(started).TotalSeconds;
        _progress.Write(new ProgressEvent
        {
            Event = ProgressEvent.Kinds.Snapshot, Step = _step, TotalSteps = _config.Steps, Metrics = _snapshots[^1].Metrics,
        });
    }

    /// <summary>The final model's costly measures, with their own randomness so a resumed job takes exactly the same.</summary>
    private IReadOnlyDictionary<string, double?> EvaluateFinal()
    {
        using var span = TrainerTracing.Source.StartActivity("evaluate")?.SetTag("step", _step).SetTag("final", true);
        long started = Stopwatch.GetTimestamp();
        using var scope = NewDisposeScope();
        _session.Experiment.Generator.eval();
        var metrics = _session.Experiment.EvaluateFinal(_layout, _session.Random.For(_config.Steps, StepRandom.FinalEvaluationStream));
        _session.Experiment.Generator.train();
        _evalSeconds += Stopwatch.GetElapsedTime(started).TotalSeconds;
        return metrics;
    }

    private void SaveCheckpoint()
    {
        using var span = TrainerTracing.Source.StartActivity("checkpoint")?.SetTag("step", _step);
        RunCheckpoint.Save(_layout, _session, new RunProgress(_step, _trainSeconds, _evalSeconds, WallSeconds, _snapshots, _pictures));
        _progress.Write(new ProgressEvent
        {
            Event = ProgressEvent.Kinds.Checkpoint, Step = _step, TotalSteps = _config.Steps, Path = _layout.Checkpoint,
        });
    }

    /// <summary>Continues from the newest intact checkpoint; damaged ones cost the steps since the one before, not the job.</summary>
    private void Restore()
    {
        if (RunCheckpoint.Restore(_layout, _session, what => _progress.Recovered(what, _config.Steps)) is not { } restored)
        {
            return;
        }
        _step = _resumedFromStep = restored.Step;
        _trainSeconds = restored.TrainSeconds;
        _evalSeconds = restored.EvalSeconds;
        _earlierWallSeconds = restored.WallSeconds;
        _snapshots.AddRange(restored.Snapshots);
        _pictures.AddRange(restored.Pictures);
    }

    private TrainingResult Complete(string? jobId)
    {
        var result = new TrainingResult
        {
            JobId = jobId,
            Config = _config,
            Metrics = _snapshots[^1].Metrics.Concat(EvaluateFinal()).ToDictionary(),
            Snapshots = _snapshots,
            Timings = new RunTimings
            {
                StartedAt = _startedAt,
                CompletedAt = DateTimeOffset.UtcNow,
                WallSeconds = WallSeconds,
                TrainSeconds = _trainSeconds,
                EvalSeconds = _evalSeconds,
                StepsPerSecond = _config.Steps / _trainSeconds,
                ResumedFromStep = _resumedFromStep,
            },
            Environment = TorchRuntime.Describe(_config),
            Artifacts = [.. new[] { _layout.Density, _layout.Snapshots, _layout.Checkpoint, _layout.Inference, _layout.Distances }
                .Where(File.Exists).Select(Path.GetFileName).OfType<string>()],
        };
        AtomicFile.WriteAllText(_layout.Result, JsonSerializer.Serialize(result, TrainerJson.Options));
        _progress.Write(new ProgressEvent
        {
            Event = ProgressEvent.Kinds.Completed, Step = _step, TotalSteps = _config.Steps, Metrics = result.Metrics, Path = _layout.Result,
        });
        return result;
    }

    public void Dispose() => _session.Dispose();
}
