using TorchSharp;
using UnrolledGan.Trainer.Core;
using static TorchSharp.torch;

namespace UnrolledGan.Trainer.Tests;

/// <summary>
/// App. B's ablations of the generator's loss against losses built by hand: the discriminator ensemble of B.1 from
/// discriminators replayed with torch.optim.Adam, and B.2's average over the unrolling steps with stop_gradient.
/// The ensemble's period counts training steps and its members are all sampled copies, as App. B.1 counts them.
/// </summary>
public sealed class AppendixBAblationTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void AnEnsembleOfOneIsThePlainGanBitForBit(int unroll)
    {
        // The plain unrolled GAN's loss is rebuilt from its parts at every step: f(θ_G, θ_D^K) and nothing more.
        using var tiny = new TinyGan(unroll, secondGradient: true, ensemble: new DiscriminatorEnsemble { Size = 1, Period = 1 });
        var generatorParameters = tiny.Generator.parameters().Cast<Tensor>().ToArray();

        for (int step = 0; step < 3; step++)
        {
            var actual = tiny.Gan.GeneratorGradients(tiny.Real, tiny.Noise, withDiscriminatorGradient: true);

            var fake = tiny.Generator.call(tiny.Noise);
            var unrolled = tiny.Gan.Unroll(tiny.Real, fake, resample: null, out _);
            var pass = tiny.Discriminator.Evaluate(tiny.Real, fake, unrolled);
            var plain = tiny.Objective.GeneratorLoss(pass.RealLogits, pass.FakeLogits);
            TinyGan.Flatten(actual.Gradients).ShouldBe(TinyGan.Flatten(torch.autograd.grad([plain], generatorParameters)));
            actual.Loss.item<double>().ShouldBe(plain.item<double>());

            tiny.Gan.ApplyGenerator(actual.Gradients);
            tiny.Gan.ApplyDiscriminator(actual.Discriminator!.Gradients);
            tiny.Gan.History.Members.ShouldBeEmpty();
        }
    }

    [Fact]
    public void TheGeneratorsLossIsTheMeanOverTheLiveAndTheLastDiscriminatorsWhenCopiedEveryStep()
    {
        // Size 3, Period 1, one update per warm-up step: copies before steps 0, 1, 2 and, at the start of step 3,
        // the live θ_D. The members are θ_D after 3 (live), 2 and 1 updates.
        using var tiny = new TinyGan(unroll: 0, secondGradient: true, ensemble: new DiscriminatorEnsemble { Size = 3, Period = 1 });
        tiny.Gan.History.BeforeStep(3, tiny.Discriminator.Parameters);

        var actual = tiny.Gan.GeneratorGradients(tiny.Real, tiny.Noise);

        var (byHand, expected) = MeanLossOver(tiny, 3, 2, 1);
        actual.Loss.item<double>().ShouldBe(byHand, 1e-12);
        AssertClose(TinyGan.Flatten(actual.Gradients), expected);
        // Guard: the older members must change the gradient, or this test could not tell an ensemble from the live D.
        var (_, liveOnly) = MeanLossOver(tiny, 3);
        MaxDifference(liveOnly, expected).ShouldBeGreaterThan(1e-3 * expected.Max(Math.Abs));
    }

    [Fact]
    public void BetweenCopiesTheGeneratorFacesOnlyPastDiscriminators()
    {
        // Period 2: copies at the start of steps 0 and 2, θ_D after 0 and 2 updates. At step 3 no copy is due, so
        // the live θ_D (3 updates) is not a member: every member of Fig. App.2's ensemble is a sampled one.
        using var tiny = new TinyGan(unroll: 0, secondGradient: true, ensemble: new DiscriminatorEnsemble { Size = 3, Period = 2 });
        tiny.Gan.History.BeforeStep(3, tiny.Discriminator.Parameters);

        var actual = tiny.Gan.GeneratorGradients(tiny.Real, tiny.Noise);

        var (byHand, expected) = MeanLossOver(tiny, 2, 0);
        actual.Loss.item<double>().ShouldBe(byHand, 1e-12);
        AssertClose(TinyGan.Flatten(actual.Gradients), expected);
    }

    [Fact]
    public void CopiesAreTakenAtEveryPeriodthStepAndAllMembersAreReplaced()
    {
        // θ_D is one number that changes every step, so each member shows the step it was copied at.
        using var theta = zeros(1);
        var history = new DiscriminatorHistory([theta], new DiscriminatorEnsemble { Size = 3, Period = 2 });
        var seen = new List<string>();
        for (int step = 0; step < 9; step++)
        {
            theta.fill_(step);
            history.BeforeStep(step, [theta]);
            seen.Add(Members(history));
        }

        seen.ShouldBe(["0", "0", "2,0", "2,0", "4,2,0", "4,2,0", "6,4,2", "6,4,2", "8,6,4"]);
        history.Taken.ShouldBe(5);
    }

    [Fact]
    public void FiveMembersCopiedEvery100StepsAreAllReplacedIn500StepsOfTheAlternatingSchedule()
    {
        // Fig. App.2's count: "if I sample at a rate of 100, it would take 500 steps to replace all 5". App. A alternates
        // D (even steps) and G (odd steps); θ_D holds the number of D updates so far.
        using var theta = zeros(1);
        var history = new DiscriminatorHistory([theta], new DiscriminatorEnsemble { Size = 5, Period = 100 });
        var schedule = new TrainingSchedule(Schedule.Alternating, GeneratorUpdates: 1, DiscriminatorUpdates: 1);
        int updates = 0;
        // Steps from … until start (each BeforeStep), and all but the last run their update.
        string MembersAt(int until, int from)
        {
            for (int step = from; step <= until; step++)
            {
                history.BeforeStep(step, [theta]);
                if (step < until && schedule.UpdatesAt(step).Discriminator)
                {
                    theta.fill_(++updates);
                }
            }
            return Members(history);
        }

        MembersAt(250, 0).ShouldBe("100,50,0");
        MembersAt(499, 250).ShouldBe("200,150,100,50,0");
        MembersAt(999, 499).ShouldBe("450,400,350,300,250", "copies from steps 900 … 500: the five before step 500 are all gone");
    }

    [Fact]
    public void ACopyIdenticalToTheNewestIsNotTakenAgain()
    {
        // Period 1 in the alternating schedule: θ_D changes only at even steps, so the copies at odd and even steps
        // would repeat it. The ensemble keeps the 3 immediately preceding distinct discriminators (Fig. App.1).
        using var theta = zeros(1);
        var history = new DiscriminatorHistory([theta], new DiscriminatorEnsemble { Size = 3, Period = 1 });
        for (int step = 0; step < 7; step++)
        {
            history.BeforeStep(step, [theta]);
            if (step % 2 == 0)
            {
                theta.fill_(step / 2 + 1);
            }
        }

        Members(history).ShouldBe("3,2,1");
        history.Taken.ShouldBe(4);
    }

    [Fact]
    public void ATrainingSessionSamplesTheEnsembleAtTheStartOfItsSteps()
    {
        // The real schedule (alternating, D at even steps) with Size 2, Period 4: copies at the start of steps 0 and 4.
        var config = TrainingConfigBuilder.Build(overrides:
        [
            new("unroll", "0"), new("batchSize", "16"), new("schedule", "alternating"),
            new("discriminatorEnsemble.size", "2"), new("discriminatorEnsemble.period", "4"),
        ]);
        using var session = new TrainingSession(config);
        var before = new List<double[]>();
        for (int step = 0; step < 7; step++)
        {
            before.Add(TinyGan.Flatten(session.Gan.DiscriminatorParameters.Select(p => p.to(ScalarType.Float64))));
            using var scope = NewDisposeScope();
            session.Train(step);
        }

        session.Gan.History.Taken.ShouldBe(2);
        var members = session.Gan.History.Members.Select(m => TinyGan.Flatten(m.Select(p => p.to(ScalarType.Float64)))).ToArray();
        members[0].ShouldBe(before[4]);
        members[1].ShouldBe(before[0]);
        members[0].ShouldNotBe(TinyGan.Flatten(session.Gan.DiscriminatorParameters.Select(p => p.to(ScalarType.Float64))));
    }

    [Fact]
    public void AnEnsembleWithUnrollingIsABadInputNamingTheField()
    {
        var error = Should.Throw<ConfigException>(() => TrainingConfigBuilder.Build(overrides:
            [new("unroll", "5"), new("discriminatorEnsemble.size", "3")]));

        error.Message.ShouldStartWith("discriminatorEnsemble.size: an ensemble of 3 discriminators replaces unrolling (App. B.1), so it needs unroll 0 (got K = 5)");
    }

    /// <summary>The mean generator loss over θ_D after each given number of updates, and its gradient, by hand.</summary>
    private static (double Loss, double[] Gradient) MeanLossOver(TinyGan tiny, params int[] updates)
    {
        var fake = tiny.Generator.call(tiny.Noise);
        var losses = updates.Select(n => tiny.ReferenceDiscriminator(n).Weights)
            .Select(w => tiny.Objective.GeneratorLoss(tiny.Discriminator.Logits(tiny.Real, w), tiny.Discriminator.Logits(fake, w)))
            .ToArray();
        var mean = stack(losses).mean();
        var gradient = TinyGan.Flatten(torch.autograd.grad([mean], tiny.Generator.parameters().Cast<Tensor>().ToArray()));
        return (mean.item<double>(), gradient);
    }

    private static string Members(DiscriminatorHistory history) => string.Join(",", history.Members.Select(m => m[0].item<float>()));

    [Fact]
    public void AveragingTheUnrollingStepsWithStopGradientIsTheMeanOfEachStepsLoss()
    {
        const int Unroll = 3;
        using var tiny = new TinyGan(Unroll, secondGradient: false, target: UnrollTarget.Average);
        using var final = new TinyGan(Unroll, secondGradient: false);

        var actual = tiny.Gan.GeneratorGradients(tiny.Real, tiny.Noise);

        // θ_D^1 … θ_D^K from torch.optim.Adam on the detached fake, held constant: stop_gradient between the steps.
        Tensor detachedFake;
        using (no_grad())
        {
            detachedFake = tiny.Generator.call(tiny.Noise);
        }
        var (copies, adam) = tiny.ReferenceDiscriminator();
        var steps = new List<Tensor[]>();
        for (int k = 0; k < Unroll; k++)
        {
            adam.zero_grad();
            GanObjective.DiscriminatorLoss(tiny.Discriminator.Logits(tiny.Real, copies), tiny.Discriminator.Logits(detachedFake, copies)).backward();
            adam.step();
            steps.Add(copies.Select(c => c.detach().clone()).ToArray());
        }
        var fake = tiny.Generator.call(tiny.Noise);
        var byHand = stack(steps.Select(w => tiny.Objective.GeneratorLoss(tiny.Discriminator.Logits(tiny.Real, w), tiny.Discriminator.Logits(fake, w))).ToArray()).mean();
        var expected = TinyGan.Flatten(torch.autograd.grad([byHand], tiny.Generator.parameters().Cast<Tensor>().ToArray()));

        actual.Loss.item<double>().ShouldBe(byHand.item<double>(), 1e-12);
        AssertClose(TinyGan.Flatten(actual.Gradients), expected);
        var finalOnly = TinyGan.Flatten(final.Gan.GeneratorGradients(final.Real, final.Noise).Gradients);
        MaxDifference(finalOnly, expected).ShouldBeGreaterThan(1e-3 * expected.Max(Math.Abs));
    }

    [Fact]
    public void WithNoUnrollingTheAverageIsThePlainLoss()
    {
        using var average = new TinyGan(unroll: 0, secondGradient: false, target: UnrollTarget.Average);
        using var final = new TinyGan(unroll: 0, secondGradient: false);

        TinyGan.Flatten(average.Gan.GeneratorGradients(average.Real, average.Noise).Gradients)
            .ShouldBe(TinyGan.Flatten(final.Gan.GeneratorGradients(final.Real, final.Noise).Gradients));
    }

    [Theory]
    [InlineData(Schedule.Alternating, 12, 10, 2)]
    [InlineData(Schedule.Simultaneous, 10, 10, 2)]
    public void FiveGeneratorUpdatesPerDiscriminatorUpdateInATrainingSession(Schedule schedule, int steps, long generator, long discriminator)
    {
        // App. B.2's modified dynamics, counted on the optimizers a real session steps rather than on the schedule alone.
        var config = TrainingConfigBuilder.Build(overrides:
        [
            new("unroll", "1"), new("batchSize", "16"), new("generatorUpdates", "5"), new("schedule", schedule.ToString().ToLowerInvariant()),
        ]);
        using var session = new TrainingSession(config);

        for (int step = 0; step < steps; step++)
        {
            using var scope = NewDisposeScope();
            session.Train(step);
        }

        session.Gan.GeneratorState.Step.ShouldBe(generator);
        session.Gan.DiscriminatorState.Step.ShouldBe(discriminator);
    }

    private static double MaxDifference(double[] a, double[] b) => a.Zip(b, (x, y) => Math.Abs(x - y)).Max();

    private static void AssertClose(double[] actual, double[] expected, double absolute = 1e-10, double relative = 1e-8)
    {
        actual.Length.ShouldBe(expected.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Math.Abs(actual[i] - expected[i]).ShouldBeLessThanOrEqualTo(absolute + relative * Math.Abs(expected[i]),
                $"component {i}: {actual[i]} vs {expected[i]}");
        }
    }
}
