using TorchSharp;
using UnrolledGan.Trainer.Core;
using static TorchSharp.torch;

namespace UnrolledGan.Trainer.Tests;

/// <summary>
/// App. B's ablations of the generator's loss against losses built by hand: the discriminator ensemble of B.1 from
/// discriminators replayed with torch.optim.Adam, and B.2's average over the unrolling steps with stop_gradient.
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
    public void WithoutUnrollingTheGeneratorsLossIsTheMeanOverTheLiveAndTheLastDiscriminators()
    {
        // Three warm-up updates with Size 3, Period 1: the members are θ_D after 3 (live), 2 and 1 updates.
        using var tiny = new TinyGan(unroll: 0, secondGradient: true, ensemble: new DiscriminatorEnsemble { Size = 3, Period = 1 });

        var actual = tiny.Gan.GeneratorGradients(tiny.Real, tiny.Noise);

        var fake = tiny.Generator.call(tiny.Noise);
        var members = new[] { 3, 2, 1 }.Select(updates => tiny.ReferenceDiscriminator(updates).Weights).ToArray();
        var losses = members.Select(w => tiny.Objective.GeneratorLoss(tiny.Discriminator.Logits(tiny.Real, w), tiny.Discriminator.Logits(fake, w))).ToArray();
        var byHand = (losses[0] + losses[1] + losses[2]) / 3;
        var expected = TinyGan.Flatten(torch.autograd.grad([byHand], tiny.Generator.parameters().Cast<Tensor>().ToArray(), retain_graph: true));

        actual.Loss.item<double>().ShouldBe(byHand.item<double>(), 1e-12);
        AssertClose(TinyGan.Flatten(actual.Gradients), expected);
        // Guard: the older members must change the gradient, or this test could not tell an ensemble from the live D.
        var liveOnly = TinyGan.Flatten(torch.autograd.grad([losses[0]], tiny.Generator.parameters().Cast<Tensor>().ToArray()));
        MaxDifference(liveOnly, expected).ShouldBeGreaterThan(1e-3 * expected.Max(Math.Abs));
    }

    [Fact]
    public void WithUnrollingTheNewestMemberIsTheUnrolledDiscriminator()
    {
        // f_K's own gradient (checked against finite differences in UnrolledGradientTests) joins the frozen members'.
        using var unrolledOnly = new TinyGan(unroll: 2, secondGradient: true);
        using var tiny = new TinyGan(unroll: 2, secondGradient: true, ensemble: new DiscriminatorEnsemble { Size = 3, Period = 2 });

        var actual = tiny.Gan.GeneratorGradients(tiny.Real, tiny.Noise);

        // Period 2 over three warm-up updates: copies were taken before updates 0 and 2, i.e. after 2 and 0 updates.
        var unrolled = unrolledOnly.Gan.GeneratorGradients(unrolledOnly.Real, unrolledOnly.Noise);
        var fake = tiny.Generator.call(tiny.Noise);
        var frozen = new[] { 2, 0 }.Select(updates => tiny.ReferenceDiscriminator(updates).Weights)
            .Select(w => tiny.Objective.GeneratorLoss(tiny.Discriminator.Logits(tiny.Real, w), tiny.Discriminator.Logits(fake, w)))
            .ToArray();
        var frozenGradients = TinyGan.Flatten(torch.autograd.grad([frozen[0] + frozen[1]], tiny.Generator.parameters().Cast<Tensor>().ToArray()));
        var expected = TinyGan.Flatten(unrolled.Gradients).Zip(frozenGradients, (u, f) => (u + f) / 3).ToArray();

        actual.Loss.item<double>().ShouldBe((unrolled.Loss.item<double>() + frozen[0].item<double>() + frozen[1].item<double>()) / 3, 1e-12);
        AssertClose(TinyGan.Flatten(actual.Gradients), expected);
    }

    [Fact]
    public void CopiesAreTakenBeforeEveryPeriodthUpdateAndTheNewestKept()
    {
        // θ_D is one number equal to the updates applied so far, so each member shows when it was copied.
        using var theta = zeros(1);
        var history = new DiscriminatorHistory([theta], new DiscriminatorEnsemble { Size = 3, Period = 2 });
        var seen = new List<string>();
        for (int updates = 0; updates < 7; updates++)
        {
            theta.fill_(updates);
            history.BeforeUpdate([theta], updates);
            seen.Add(string.Join(",", history.Members.Select(m => m[0].item<float>())));
        }

        seen.ShouldBe(["0", "0", "2,0", "2,0", "4,2", "4,2", "6,4"]);
        history.Taken.ShouldBe(4);
    }

    [Fact]
    public void AnEnsembleOfFiveWithPeriod100IsReplacedIn500Updates()
    {
        using var theta = zeros(1);
        var history = new DiscriminatorHistory([theta], new DiscriminatorEnsemble { Size = 5, Period = 100 });
        string MembersAfter(int updates, int from)
        {
            for (int d = from; d < updates; d++)
            {
                theta.fill_(d);
                history.BeforeUpdate([theta], d);
            }
            return string.Join(",", history.Members.Select(m => m[0].item<float>()));
        }

        MembersAfter(250, 0).ShouldBe("200,100,0");
        MembersAfter(500, 250).ShouldBe("400,300,200,100");
        MembersAfter(901, 500).ShouldBe("900,800,700,600");
    }

    [Fact]
    public void TheLiveDiscriminatorsUpdatesFillTheEnsemble()
    {
        using var tiny = new TinyGan(unroll: 0, secondGradient: true, warmupSteps: 4, ensemble: new DiscriminatorEnsemble { Size = 3, Period = 3 });

        // Copies before updates 0 and 3: θ_D after 3 and 0 updates, newest first.
        tiny.Gan.History.Members.Count.ShouldBe(2);
        TinyGan.Flatten(tiny.Gan.History.Members[0]).ShouldBe(TinyGan.Flatten(tiny.ReferenceDiscriminator(3).Weights), 1e-12);
        TinyGan.Flatten(tiny.Gan.History.Members[1]).ShouldBe(TinyGan.Flatten(tiny.InitialDiscriminator));
    }

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
