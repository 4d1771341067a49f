using Shouldly;
using UnrolledGan.Trainer.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace UnrolledGan.Trainer.Tests;

public sealed class FunctionalAdamTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public void StepMatchesTorchOptimAdam(int steps)
    {
        torch.manual_seed(1);
        var reference = new TorchSharp.Modules.Parameter(torch.randn(5, 3));
        var ours = reference.detach().clone().requires_grad_();
        var torchAdam = torch.optim.Adam([reference], lr: 0.01, beta1: 0.5, beta2: 0.999, eps: 1e-8);
        var functional = new FunctionalAdam(0.01, 0.5, 0.999, 1e-8);
        var state = functional.Initialize([ours]);

        for (int i = 0; i < steps; i++)
        {
            var gradient = torch.randn(5, 3);
            if (i == 0)
            {
                gradient[0, 0] = torch.tensor(0f);
            }
            torchAdam.zero_grad();
            reference.grad = gradient.clone();
            torchAdam.step();
            functional.StepInPlace([ours], [gradient], state);
        }

        state.Step.ShouldBe(steps);
        var expected = reference.detach().data<float>().ToArray();
        var actual = ours.detach().data<float>().ToArray();
        for (int i = 0; i < expected.Length; i++)
        {
            actual[i].ShouldBe(expected[i], 1e-6);
        }
    }

    [Fact]
    public void FunctionalStepLeavesItsInputsUntouched()
    {
        var parameter = torch.ones(3);
        var functional = new FunctionalAdam(0.1, 0.9, 0.999, 1e-8);
        var state = functional.Initialize([parameter]);

        var (updated, next) = functional.Step([parameter], [torch.ones(3)], state);

        parameter.data<float>().ToArray().ShouldAllBe(v => v == 1f);
        state.Step.ShouldBe(0);
        next.Step.ShouldBe(1);
        updated[0].data<float>().ToArray().ShouldAllBe(v => Math.Abs(v - 0.9f) < 1e-6);
    }

    [Fact]
    public void SecondOrderGradientOfAZeroGradientIsFinite()
    {
        // A dead unit's weights get an exactly zero gradient; differentiating through Adam there must not give NaN.
        var x = torch.tensor(new[] { 1.0, 0.0 }, dtype: ScalarType.Float64).requires_grad_();
        var weight = torch.tensor(new[] { 0.5, 0.5 }, dtype: ScalarType.Float64).requires_grad_();
        var loss = (weight * x * x).sum();
        var gradient = torch.autograd.grad([loss], [weight], retain_graph: true, create_graph: true)[0];
        var functional = new FunctionalAdam(0.1, 0.5, 0.999, 1e-8);
        var (updated, _) = functional.Step([weight], [gradient], functional.Initialize([weight]));

        var secondOrder = torch.autograd.grad([updated[0].sum()], [x])[0];

        secondOrder.data<double>().ToArray().ShouldAllBe(v => double.IsFinite(v));
    }
}
