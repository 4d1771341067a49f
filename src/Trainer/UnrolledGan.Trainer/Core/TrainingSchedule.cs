namespace UnrolledGan.Trainer.Core;

/// <summary>Which networks update at a step: App. A alternates single G or D updates; the notebook updates both at once.</summary>
internal sealed record TrainingSchedule(Schedule Kind, int GeneratorUpdates, int DiscriminatorUpdates)
{
    public static TrainingSchedule From(TrainingConfig config) =>
        new(config.Schedule, config.GeneratorUpdates, config.DiscriminatorUpdates);

    public (bool Generator, bool Discriminator) UpdatesAt(long step)
    {
        if (Kind == Schedule.Alternating)
        {
            // One cycle is DiscriminatorUpdates D steps, then GeneratorUpdates G steps.
            long position = step % (GeneratorUpdates + DiscriminatorUpdates);
            return (position >= DiscriminatorUpdates, position < DiscriminatorUpdates);
        }
        long cycle = Math.Max(GeneratorUpdates, DiscriminatorUpdates);
        long index = step % cycle;
        return (index < GeneratorUpdates, index < DiscriminatorUpdates);
    }
}
