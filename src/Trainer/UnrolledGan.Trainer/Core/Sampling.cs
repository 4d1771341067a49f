using static TorchSharp.torch;

namespace UnrolledGan.Trainer.Core;

internal static class Sampling
{
    /// <summary>Samples for evaluation a batch at a time, each batch's activations freed before the next.</summary>
    public static Tensor InBatches(nn.Module<Tensor, Tensor> generator, Tensor noise, int batch) =>
        cat(noise.split(batch).Select(part =>
        {
            using var scope = NewDisposeScope();
            return generator.call(part).MoveToOuterDisposeScope();
        }).ToArray());
}
