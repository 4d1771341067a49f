using System.CommandLine;
using TorchSharp;
using UnrolledGan.Trainer.Core;

namespace UnrolledGan.Trainer.Cli;

/// <summary>`check`: proves libtorch loads here and double-backward works, the two things unrolling needs.</summary>
internal static class CheckCommand
{
    public static Command Create()
    {
        var command = new Command("check", "Load libtorch and differentiate through a gradient once");
        command.SetAction(_ => ExitCodes.Guard(() =>
        {
            using var scope = torch.NewDisposeScope();
            var x = torch.tensor(new[] { 1.0, 2.0, 3.0 }, dtype: torch.ScalarType.Float64).requires_grad_();
            var gradient = torch.autograd.grad([(x * x * x).sum()], [x], retain_graph: true, create_graph: true)[0];
            var second = torch.autograd.grad([gradient.sum()], [x])[0].data<double>().ToArray();
            if (!second.SequenceEqual([6.0, 12.0, 18.0]))
            {
                throw new InvalidOperationException($"double backward gave {string.Join(", ", second)} instead of 6, 12, 18");
            }
            var environment = TorchRuntime.Describe(new TrainingConfig());
            Console.WriteLine($"ok: TorchSharp {environment.TorchSharpVersion}, libtorch {environment.LibTorchVersion}, " +
                $"CUDA {(torch.cuda.is_available() ? "available" : "not available")}, {environment.Allocator} malloc, double backward works");
            return ExitCodes.Success;
        }));
        return command;
    }
}
