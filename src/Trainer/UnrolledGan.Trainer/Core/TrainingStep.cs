using static TorchSharp.torch;

namespace UnrolledGan.Trainer.Core;

/// <summary>The losses of one step, left on the device; reading them is a sync point, done at the log interval only.</summary>
internal sealed record StepLosses(Tensor? Generator, Tensor? Discriminator);

/// <summary>One training step in the paper's order: sample, unroll, update G through the unrolled D, update D.</summary>
internal sealed class TrainingStep(IExperiment experiment, UnrolledGan gan, TrainingSchedule schedule, int batchSize, bool resampleUnrollBatch)
{
    public StepLosses Run(long step, Generator random)
    {
        var (updateGenerator, updateDiscriminator) = schedule.UpdatesAt(step);
        // App. B.1 samples θ_D for the generator's ensemble every P steps, before the step's updates.
        gan.History.BeforeStep(step, gan.DiscriminatorParameters);

        // One minibatch per step; the unrolling reuses it unless asked to resample (fixed minibatch, §3).
        var real = experiment.SampleReal(batchSize, random);
        var noise = experiment.SampleNoise(batchSize, random);

        // Unroll K discriminator steps and differentiate f_K through them, both terms of Eq. 12 (Eq. 9–10); App. B's
        // ablations average f over the unrolled steps or over an ensemble of past discriminators.
        GeneratorGradient? generator = updateGenerator
            ? gan.GeneratorGradients(real, noise, resampleUnrollBatch ? () => Resample(random) : null,
                withDiscriminatorGradient: updateDiscriminator)
            : null;

        // The discriminator's own update uses the plain objective (Eq. 11). On the same minibatch and parameters
        // its gradient is exactly the first unrolling step's (with K = 0, that of G's own logits), so a joint step
        // reuses it.
        DiscriminatorGradient? discriminator = null;
        if (updateDiscriminator)
        {
            discriminator = generator?.Discriminator
                ?? gan.DiscriminatorGradients(real, generator?.Fake ?? GenerateWithoutGraph(noise));
        }

        // Both gradients were taken at the same parameters; applying them now keeps a joint step simultaneous.
        if (generator is not null)
        {
            gan.ApplyGenerator(generator.Gradients);
        }
        if (discriminator is not null)
        {
            gan.ApplyDiscriminator(discriminator.Gradients);
        }
        return new StepLosses(generator?.Loss, discriminator?.Loss);
    }

    private (Tensor Real, Tensor Fake) Resample(Generator random) =>
        (experiment.SampleReal(batchSize, random), gan.Generate(experiment.SampleNoise(batchSize, random)));

    private Tensor GenerateWithoutGraph(Tensor noise)
    {
        using var noGrad = no_grad();
        return gan.Generate(noise);
    }
}
