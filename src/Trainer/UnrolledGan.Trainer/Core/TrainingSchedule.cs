namespace UnrolledGan.Trainer.Core;

/// <summary>Which networks update at a step: App. A alternates single G or D updates; the notebook updates both at once.</summary>
internal sealed record TrainingSchedule(Schedule Kind, int GeneratorUpdates, int DiscriminatorUpdates)
{
    public static TrainingSchedule From(TrainingConfig config) =>
        new(config.Schedule, config.GeneratorUpdates, config.DiscriminatorUpdates);

    /// <summary>Steps after which the pattern of updates repeats.</summary>
    public int CycleLength => Kind == Schedule.Alternating ? GeneratorUpdates + DiscriminatorUpdates : Math.Max(GeneratorUpdates, DiscriminatorUpdates);

    public (bool Generator, bool Discriminator) UpdatesAt(long step)
    {
        if (Kind == Schedule.Alternating)
        {
            // One cycle is DiscriminatorUpdates D steps, then GeneratorUpdates G steps.
            long position = step % CycleLength;
            return (position >= DiscriminatorUpdates, position < DiscriminatorUpdates);
        }
        long index = step % CycleLength;
        return (index < GeneratorUpdates, index < DiscriminatorUpdates);
    }
}
