using static TorchSharp.torch;

namespace UnrolledGan.Trainer.Core;

/// <summary>
/// Initial weights drawn from a generator the caller passes in. TorchSharp's nn.init draws from libtorch's global
/// generator, which anything else in the process may also advance; these draw on the CPU and copy to the weight's
/// device, so a seed gives the same model on any device.
/// </summary>
internal static class Initialization
{
    /// <summary>
    /// Saxe et al. (2014), as torch.nn.init.orthogonal_: Q of the QR decomposition of a Gaussian matrix, signs fixed by
    /// R's diagonal so Q is uniformly distributed, times the gain. Rows (or columns, whichever are fewer) are orthonormal.
    /// </summary>
    public static void Orthogonal(Tensor weight, double gain, Generator random)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        long rows = weight.shape[0], columns = weight.numel() / rows;
        var gaussian = randn([rows, columns], dtype: ScalarType.Float64, generator: random);
        var (q, r) = linalg.qr(rows < columns ? gaussian.t() : gaussian);
        q = q * r.diag().sign();
        weight.copy_((rows < columns ? q.t() : q).reshape(weight.shape) * gain);
    }

    /// <summary>Glorot &amp; Bengio (2010), as torch.nn.init.xavier_uniform_: U(±√(6 / (fan_in + fan_out))).</summary>
    public static void XavierUniform(Tensor weight, Generator random)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        long receptiveField = weight.numel() / (weight.shape[0] * weight.shape[1]);
        double bound = Math.Sqrt(6.0 / ((weight.shape[0] + weight.shape[1]) * receptiveField));
        weight.copy_(empty(weight.shape, ScalarType.Float64).uniform_(-bound, bound, random));
    }
}
