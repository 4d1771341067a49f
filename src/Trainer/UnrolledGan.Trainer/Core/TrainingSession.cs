using static TorchSharp.torch;

namespace UnrolledGan.Trainer.Core;

/// <summary>An experiment wired to its unrolled GAN, schedule and step randomness: what a run and a benchmark both train.</summary>
internal sealed class TrainingSession : IDisposable
{
    private readonly TrainingStep _step;

    public TrainingSession(TrainingConfig config)
    {
        Config = config;
        var device = TorchRuntime.Configure(config);
        Experiment = ExperimentFactory.Create(config, device);
        Gan = new UnrolledGan(Experiment.Generator, Experiment.Discriminator, new GanObjective(config.GeneratorLoss),
            ExperimentFactory.GeneratorOptimizer(config), ExperimentFactory.DiscriminatorOptimizer(config),
            new UnrollSettings(config.Unroll, config.SecondGradient, config.UnrollTarget), config.DiscriminatorEnsemble);
        _step = new TrainingStep(Experiment, Gan, TrainingSchedule.From(config), config.BatchSize, config.ResampleUnrollBatch);
        Random = new StepRandom(config.Seed, device);
    }

    public TrainingConfig Config { get; }
    public IExperiment Experiment { get; }
    public UnrolledGan Gan { get; }
    public StepRandom Random { get; }

    /// <summary>Step <paramref name="step"/> (0-based), with that step's own randomness. Call inside a dispose scope.</summary>
    public StepLosses Train(long step) => _step.Run(step, Random.For(step, StepRandom.TrainingStream));

    public void Dispose()
    {
        Random.Dispose();
        Experiment.Dispose();
    }
}
