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

    public TrainingRun(TrainingConfig config, RunLayout layout, ProgressWriter progress)
    {
        _config = config;
        _layout = layout;
        _progress = progress;
        _session = new TrainingSession(config);
    }

    public TrainingResult Run(string? jobId, bool resume, CancellationToken cancellation)
    {
        if (resume && File.Exists(_layout.Checkpoint))
        {
            Restore();
        }
        _progress.Write(new ProgressEvent
        {
            Event = ProgressEvent.Kinds.Started, Step = _step, TotalSteps = _config.Steps, ResumedFromStep = _resumedFromStep,
        });
        if (_step == 0)
        {
            Snapshot();
        }

        Tensor? generatorLoss = null, discriminatorLoss = null;
        long windowStart = Stopwatch.GetTimestamp();
        int windowFirstStep = _step;
        try
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
                    var losses = _session.Train(_step);
                    Keep(ref generatorLoss, losses.Generator);
                    Keep(ref discriminatorLoss, losses.Discriminator);
                }
                _step++;
                _trainSeconds += Stopwatch.GetElapsedTime(started).TotalSeconds;

                if (_step % _config.LogInterval == 0 || _step == _config.Steps)
                {
                    double rate = (_step - windowFirstStep) / Stopwatch.GetElapsedTime(windowStart).TotalSeconds;
                    // CPU sync point: the losses are read back only here, at the log interval.
                    var losses = new LossPoint(_step, generatorLoss?.item<float>(), discriminatorLoss?.item<float>());
                    _progress.Write(new ProgressEvent
                    {
                        Event = ProgressEvent.Kinds.Progress, Step = _step, TotalSteps = _config.Steps,
                        StepsPerSecond = Math.Round(rate, 2), EtaSeconds = Math.Round((_config.Steps - _step) / rate, 1),
                        GeneratorLoss = losses.Generator, DiscriminatorLoss = losses.Discriminator,
                    });
                    // Appended, not rewritten: a resumed run logs its steps after the checkpoint again, and readers keep the last.
                    File.AppendAllText(_layout.Losses, JsonSerializer.Serialize(losses, TrainerJson.Compact) + "\n");
                    windowStart = Stopwatch.GetTimestamp();
                    windowFirstStep = _step;
                }
                if (_step % _config.SnapshotInterval == 0 || _step == _config.Steps)
                {
                    Snapshot();
                }
                if (_step % _config.CheckpointInterval == 0 || _step == _config.Steps)
                {
                    SaveCheckpoint();
                }
            }
        }
        finally
        {
            generatorLoss?.Dispose();
            discriminatorLoss?.Dispose();
        }
        return Complete(jobId);
    }

    /// <summary>Keeps the newest loss of a kind alive past its step's dispose scope, without reading it.</summary>
    private static void Keep(ref Tensor? kept, Tensor? latest)
    {
        if (latest is null)
        {
            return;
        }
        kept?.Dispose();
        kept = latest.MoveToOuterDisposeScope();
    }

    private void Snapshot()
    {
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
        long started = Stopwatch.GetTimestamp();
        using var scope = NewDisposeScope();
        _session.Experiment.Generator.eval();
        var metrics = _session.Experiment.EvaluateFinal(_layout, _session.Random.For(_config.Steps, StepRandom.FinalEvaluationStream));
        _session.Experiment.Generator.train();
        _evalSeconds += Stopwatch.GetElapsedTime(started).TotalSeconds;
        return metrics;
    }

    private IReadOnlyList<(string Name, Tensor Tensor)> CheckpointTensors()
    {
        static IEnumerable<(string, Tensor)> Named(string prefix, IEnumerable<Tensor> tensors) =>
            tensors.Select((t, i) => ($"{prefix}.{i}", t));
        return _session.Experiment.Generator.named_parameters().Select(p => ($"generator.{p.name}", (Tensor)p.parameter))
            .Concat(_session.Experiment.Generator.named_buffers().Select(b => ($"generator.{b.name}", b.buffer)))
            .Concat(Named("discriminator", _session.Gan.DiscriminatorParameters))
            .Concat(Named("generatorOptimizer", _session.Gan.GeneratorState.Tensors))
            .Concat(Named("discriminatorOptimizer", _session.Gan.DiscriminatorState.Tensors))
            .Concat(Named("discriminatorEnsemble", _session.Gan.History.Tensors))
            .ToArray();
    }

    private void SaveCheckpoint()
    {
        Checkpoint.Save(_layout.Checkpoint, new CheckpointHeader
        {
            Config = _config,
            Step = _step,
            TrainSeconds = _trainSeconds,
            EvalSeconds = _evalSeconds,
            Snapshots = _snapshots,
            Pictures = _pictures,
            OptimizerSteps = new Dictionary<string, long>
            {
                ["generator"] = _session.Gan.GeneratorState.Step,
                ["discriminator"] = _session.Gan.DiscriminatorState.Step,
            },
            EnsembleCopiesTaken = _session.Gan.History.Taken,
        }, CheckpointTensors());
        _progress.Write(new ProgressEvent
        {
            Event = ProgressEvent.Kinds.Checkpoint, Step = _step, TotalSteps = _config.Steps, Path = _layout.Checkpoint,
        });
    }

    private void Restore()
    {
        var header = Checkpoint.ReadHeader(_layout.Checkpoint);
        if (header.Config != _config)
        {
            throw new ConfigException("resume", $"the checkpoint in '{_layout.Folder}' was made with a different config");
        }
        Checkpoint.Load(_layout.Checkpoint, CheckpointTensors());
        _session.Gan.GeneratorState.Step = header.OptimizerSteps["generator"];
        _session.Gan.DiscriminatorState.Step = header.OptimizerSteps["discriminator"];
        _session.Gan.History.Taken = header.EnsembleCopiesTaken;
        _step = _resumedFromStep = header.Step;
        _trainSeconds = header.TrainSeconds;
        _evalSeconds = header.EvalSeconds;
        _snapshots.AddRange(header.Snapshots);
        _pictures.AddRange(header.Pictures);
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
                WallSeconds = Stopwatch.GetElapsedTime(_startTimestamp).TotalSeconds,
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
