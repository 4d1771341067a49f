using TorchSharp;
using UnrolledGan.Trainer.Images;
using UnrolledGan.Trainer.Mixture;
using static TorchSharp.torch;

namespace UnrolledGan.Trainer.Core;

internal static class ExperimentFactory
{
    /// <summary>
    /// Builds the experiment with weights drawn from the job's own generator, seeded from the job's seed, so a seed
    /// means the same model on any node whatever else the process draws from libtorch's global generator.
    /// </summary>
    public static IExperiment Create(TrainingConfig config, Device device)
    {
        using var initialization = new Generator((ulong)StepRandom.Mix(config.Seed, 0, StepRandom.InitializationStream));
        return config.Experiment switch
        {
            Experiments.MixtureOfGaussians => new MixtureExperiment(config, device, initialization),
            Experiments.RnnMnist or Experiments.StackedMnist or Experiments.ColoredMnist or Experiments.Cifar10 =>
                ImageExperiments.Create(config, device, initialization),
            _ => throw new ConfigException("experiment", $"unknown experiment '{config.Experiment}'"),
        };
    }

    public static IDifferentiableOptimizer DiscriminatorOptimizer(TrainingConfig config) => config.DiscriminatorOptimizer switch
    {
        OptimizerKind.Adam => new FunctionalAdam(config.DiscriminatorLearningRate, config.Beta1, config.Beta2, config.AdamEpsilon),
        OptimizerKind.Sgd => new FunctionalSgd(config.DiscriminatorLearningRate),
        _ => throw new ConfigException("discriminatorOptimizer", $"unknown optimizer '{config.DiscriminatorOptimizer}'"),
    };

    public static IDifferentiableOptimizer GeneratorOptimizer(TrainingConfig config) =>
        new FunctionalAdam(config.GeneratorLearningRate, config.Beta1, config.Beta2, config.AdamEpsilon);
}
