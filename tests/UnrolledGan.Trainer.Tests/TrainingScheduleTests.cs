using UnrolledGan.Trainer.Core;

namespace UnrolledGan.Trainer.Tests;

public sealed class TrainingScheduleTests
{
    [Fact]
    public void AlternatingStepsUpdateOneNetworkEach()
    {
        var schedule = new TrainingSchedule(Schedule.Alternating, GeneratorUpdates: 1, DiscriminatorUpdates: 1);

        Enumerable.Range(0, 4).Select(s => schedule.UpdatesAt(s))
            .ShouldBe([(false, true), (true, false), (false, true), (true, false)]);
    }

    [Fact]
    public void FiveGeneratorStepsPerDiscriminatorStep()
    {
        var schedule = new TrainingSchedule(Schedule.Alternating, GeneratorUpdates: 5, DiscriminatorUpdates: 1);

        var updates = Enumerable.Range(0, 12).Select(s => schedule.UpdatesAt(s)).ToArray();

        updates.Count(u => u.Generator).ShouldBe(10);
        updates.Count(u => u.Discriminator).ShouldBe(2);
        updates[0].ShouldBe((false, true));
        updates[6].ShouldBe((false, true));
    }

    [Fact]
    public void SimultaneousStepsUpdateBothAndHonourTheRatio()
    {
        new TrainingSchedule(Schedule.Simultaneous, 1, 1).UpdatesAt(17).ShouldBe((true, true));

        var fiveToOne = new TrainingSchedule(Schedule.Simultaneous, 5, 1);
        Enumerable.Range(0, 5).Select(s => fiveToOne.UpdatesAt(s))
            .ShouldBe([(true, true), (true, false), (true, false), (true, false), (true, false)]);
    }
}
