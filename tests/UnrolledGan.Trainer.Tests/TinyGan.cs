using UnrolledGan.Trainer.Core;
using UnrolledGan.Trainer.Images;
using UnrolledGan.Trainer.Mixture;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace UnrolledGan.Trainer.Tests;

/// <summary>
/// A GAN small enough for finite differences: smooth (tanh) units and float64 throughout. Its discriminator has
/// already taken a few optimizer steps, because Adam's first step from zero moments is lr·sign(g), whose derivative
/// vanishes and would hide the second term of Eq. 12.
/// </summary>
internal sealed class TinyGan : IDisposable
{
    public const int NoiseDimension = 3;
    public const int Batch = 6;

    public TinyGan(int unroll, bool secondGradient, double learningRate = 0.05, GeneratorLoss loss = GeneratorLoss.Minimax,
        int warmupSteps = 3, int seed = 7, bool convolutional = false, UnrollTarget target = UnrollTarget.Final,
        DiscriminatorEnsemble? ensemble = null)
    {
        // Every number below comes from this generator, not libtorch's global one, which test classes running in
        // parallel also draw from: two TinyGans of one seed must be the same GAN.
        using var random = new torch.Generator((ulong)seed);
        if (convolutional)
        {
            // Apps. C–F's discriminator (strided convolutions, batch statistics, leaky ReLU) on 1×6×6 images.
            Generator = new TinyImageGenerator(NoiseDimension, ImageSide);
            Discriminator = new ConvDiscriminator(1, ImageSide, ImageSide, [2, 3], random, CPU, ScalarType.Float64);
        }
        else
        {
            Generator = new MixtureGenerator(NoiseDimension, hiddenUnits: 4, layers: 1, Activation.Tanh, initGain: 1.0, random);
            Discriminator = new MixtureDiscriminator(hiddenUnits: 5, layers: 1, Activation.Tanh, inputScale: 0.5, initGain: 1.0,
                random, CPU, ScalarType.Float64);
        }
        Generator.to(ScalarType.Float64);
        using (no_grad())
        {
            foreach (var parameter in Generator.parameters().Cast<Tensor>().Concat(Discriminator.Parameters))
            {
                parameter.copy_(randn(parameter.shape, dtype: ScalarType.Float64, generator: random) * 0.5);
            }
        }
        Objective = new GanObjective(loss);
        LearningRate = learningRate;
        Gan = new Core.UnrolledGan(Generator, Discriminator, Objective,
            new FunctionalAdam(learningRate, 0.5, 0.999, 1e-8), new FunctionalAdam(learningRate, 0.5, 0.999, 1e-8),
            new UnrollSettings(unroll, secondGradient, target), ensemble);
        Real = convolutional
            ? randn([Batch, 1, ImageSide, ImageSide], dtype: ScalarType.Float64, generator: random).tanh()
            : randn([Batch, 2], dtype: ScalarType.Float64, generator: random) * 2;
        Noise = randn([Batch, NoiseDimension], dtype: ScalarType.Float64, generator: random);
        InitialDiscriminator = Discriminator.Parameters.Select(p => p.detach().clone()).ToArray();
        WarmupGradients = Enumerable.Range(0, warmupSteps)
            .Select(_ => Discriminator.Parameters.Select(p => randn(p.shape, dtype: p.dtype, generator: random)).ToArray())
            .ToArray();
        // One discriminator update per step, as in a 1:1 simultaneous schedule; an ensemble samples θ_D before each.
        for (int step = 0; step < WarmupGradients.Count; step++)
        {
            Gan.History.BeforeStep(step, Discriminator.Parameters);
            Gan.ApplyDiscriminator(WarmupGradients[step]);
        }
    }

    public IReadOnlyList<Tensor> InitialDiscriminator { get; }
    public IReadOnlyList<Tensor[]> WarmupGradients { get; }

    /// <summary>
    /// An independent copy of the discriminator and its optimizer: torch.optim.Adam replaying the warm-up steps, or
    /// only the first <paramref name="updates"/> of them.
    /// </summary>
    public (Parameter[] Weights, torch.optim.Optimizer Adam) ReferenceDiscriminator(int? updates = null)
    {
        var weights = InitialDiscriminator.Select(p => new Parameter(p.clone())).ToArray();
        var adam = torch.optim.Adam(weights, lr: LearningRate, beta1: 0.5, beta2: 0.999, eps: 1e-8);
        foreach (var gradients in WarmupGradients.Take(updates ?? WarmupGradients.Count))
        {
            adam.zero_grad();
            foreach (var (weight, gradient) in weights.Zip(gradients))
            {
                weight.grad = gradient.clone();
            }
            adam.step();
        }
        return (weights, adam);
    }

    public const int ImageSide = 6;

    public nn.Module<Tensor, Tensor> Generator { get; }
    public IFunctionalDiscriminator Discriminator { get; }
    public GanObjective Objective { get; }
    public Core.UnrolledGan Gan { get; }
    public double LearningRate { get; }
    public Tensor Real { get; }
    public Tensor Noise { get; }

    public static double[] Flatten(IEnumerable<Tensor> tensors) =>
        tensors.SelectMany(t => t.detach().cpu().contiguous().data<double>().ToArray()).ToArray();

    public void Dispose()
    {
        Generator.Dispose();
        Discriminator.Dispose();
        Real.Dispose();
        Noise.Dispose();
    }
}

/// <summary>A smooth generator of 1×side×side images for the convolutional discriminator's gradient checks.</summary>
internal sealed class TinyImageGenerator : nn.Module<Tensor, Tensor>
{
    private readonly Linear _layer;
    private readonly int _side;

    public TinyImageGenerator(int noiseDimension, int side) : base(nameof(TinyImageGenerator))
    {
        _side = side;
        _layer = nn.Linear(noiseDimension, side * side);
        RegisterComponents();
    }

    public override Tensor forward(Tensor noise) => tanh(_layer.call(noise)).view(-1, 1, _side, _side);
}
