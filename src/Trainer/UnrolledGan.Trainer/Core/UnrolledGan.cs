using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace UnrolledGan.Trainer.Core;

internal sealed record UnrollSettings(int Unroll, bool SecondGradient, UnrollTarget Target = UnrollTarget.Final);

/// <summary>Draws a fresh (real, fake) minibatch for an unrolling step; fake must come from the generator so the graph reaches θ_G.</summary>
internal delegate (Tensor Real, Tensor Fake) MinibatchSampler();

/// <summary>The discriminator's loss and gradient at its live parameters on one minibatch: Eq. 11, and the first unrolling step.</summary>
internal sealed record DiscriminatorGradient(IReadOnlyList<Tensor> Gradients, Tensor Loss);

/// <summary>
/// What one generator gradient computation produced. <see cref="Discriminator"/> is d f / d θ_D at the live parameters
/// on the same minibatch (Eq. 11): the first unrolling step's, or with K = 0 the one asked for; otherwise null.
/// </summary>
internal sealed record GeneratorGradient(IReadOnlyList<Tensor> Gradients, Tensor Loss, Tensor Fake, DiscriminatorGradient? Discriminator);

/// <summary>
/// The unrolled GAN of §2.2–2.4: the generator descends f_K(θ_G, θ_D) = f(θ_G, θ_D^K(θ_G, θ_D)) (Eq. 9–10),
/// differentiated through K steps of the discriminator's own optimizer, while the discriminator ascends the plain f (Eq. 11).
/// App. B's ablations change only the generator's loss: the mean over θ_D^1 … θ_D^K instead of θ_D^K (B.2), and, in
/// place of unrolling, the mean over an ensemble of past copies of θ_D (B.1).
/// </summary>
internal sealed class UnrolledGan
{
    private readonly nn.Module<Tensor, Tensor> _generator;
    private readonly IFunctionalDiscriminator _discriminator;
    private readonly GanObjective _objective;
    private readonly IDifferentiableOptimizer _generatorOptimizer;
    private readonly IDifferentiableOptimizer _discriminatorOptimizer;
    private readonly UnrollSettings _settings;

    public UnrolledGan(nn.Module<Tensor, Tensor> generator, IFunctionalDiscriminator discriminator, GanObjective objective,
        IDifferentiableOptimizer generatorOptimizer, IDifferentiableOptimizer discriminatorOptimizer, UnrollSettings settings,
        DiscriminatorEnsemble? ensemble = null)
    {
        _generator = generator;
        _discriminator = discriminator;
        _objective = objective;
        _generatorOptimizer = generatorOptimizer;
        _discriminatorOptimizer = discriminatorOptimizer;
        _settings = settings;
        GeneratorParameters = generator.parameters().ToArray();
        GeneratorState = generatorOptimizer.Initialize(GeneratorParameters);
        DiscriminatorState = discriminatorOptimizer.Initialize(discriminator.Parameters);
        History = new DiscriminatorHistory(discriminator.Parameters, ensemble ?? new DiscriminatorEnsemble());
    }

    public IReadOnlyList<Parameter> GeneratorParameters { get; }
    public IReadOnlyList<Tensor> DiscriminatorParameters => _discriminator.Parameters;
    public OptimizerState GeneratorState { get; }
    public OptimizerState DiscriminatorState { get; }
    public DiscriminatorHistory History { get; }

    public Tensor Generate(Tensor noise) => _generator.call(noise);

    /// <summary>
    /// θ_D^K (Eq. 6–7), starting from the live discriminator and its optimizer's moments and step count. With
    /// <see cref="UnrollSettings.SecondGradient"/> off, each step is cut from the graph (App. B.2's stop_gradient),
    /// so θ_D^K is a constant to the generator and only the first term of Eq. 12 remains.
    /// </summary>
    public IReadOnlyList<Tensor> Unroll(Tensor real, Tensor fake, MinibatchSampler? resample, out DiscriminatorGradient? firstStep) =>
        UnrollTrajectory(real, fake, resample, keepFirstStep: true, out firstStep)[^1];

    /// <summary>θ_D^0 … θ_D^K: the live discriminator and each unrolled step after it.</summary>
    public IReadOnlyList<IReadOnlyList<Tensor>> UnrollTrajectory(Tensor real, Tensor fake, MinibatchSampler? resample,
        bool keepFirstStep, out DiscriminatorGradient? firstStep)
    {
        Tensor[] weights = [.. _discriminator.Parameters];
        var trajectory = new List<IReadOnlyList<Tensor>> { weights };
        var state = DiscriminatorState;
        firstStep = null;
        for (int k = 0; k < _settings.Unroll; k++)
        {
            if (k > 0 && resample is not null)
            {
                (real, fake) = resample();
            }
            var pass = _discriminator.Evaluate(real, fake, weights);
            var gradients = pass.LossGradients(createGraph: _settings.SecondGradient);
            if (k == 0 && keepFirstStep)
            {
                firstStep = new DiscriminatorGradient(gradients.Select(g => g.detach()).ToArray(), pass.Loss.detach());
            }
            (var stepped, state) = _discriminatorOptimizer.Step(weights, gradients, state);
            weights = [.. stepped];
            if (!_settings.SecondGradient)
            {
                weights = weights.Select(w => w.detach().requires_grad_()).ToArray();
            }
            trajectory.Add(weights);
        }
        return trajectory;
    }

    /// <summary>
    /// d f_K / d θ_G, both terms of Eq. 12 (or the first alone when the second gradient is off). The unrolling's first
    /// step already gives the discriminator's own gradient; with K = 0, <paramref name="withDiscriminatorGradient"/>
    /// takes it from the logits the generator's loss uses.
    /// </summary>
    public GeneratorGradient GeneratorGradients(Tensor real, Tensor noise, MinibatchSampler? resample = null,
        bool withDiscriminatorGradient = false)
    {
        var fake = _generator.call(noise);
        var trajectory = UnrollTrajectory(real, fake, resample, withDiscriminatorGradient, out var discriminator);

        // f_K at θ_D^K (Eq. 9), or App. B.2's mean over θ_D^1 … θ_D^K; with K = 0 both are f at the live θ_D.
        IEnumerable<IReadOnlyList<Tensor>> targets =
            _settings.Target == UnrollTarget.Average && trajectory.Count > 1 ? trajectory.Skip(1) : [trajectory[^1]];
        var unrolledLosses = new List<Tensor>();
        foreach (var weights in targets)
        {
            var pass = _discriminator.Evaluate(real, fake, weights);
            if (withDiscriminatorGradient && discriminator is null)
            {
                // K = 0, so θ_D^K is the live θ_D: reuse this evaluation rather than run D on the minibatch again.
                discriminator = new DiscriminatorGradient(pass.LossGradients(createGraph: false), pass.Loss.detach());
            }
            unrolledLosses.Add(_objective.GeneratorLoss(pass.RealLogits, pass.FakeLogits));
        }

        // App. B.1: with an ensemble (K = 0, ConfigValidator), the loss is the mean over its copies of θ_D alone, on the same minibatch.
        var members = History.Members;
        var loss = members.Count == 0
            ? Mean(unrolledLosses)
            : Mean(members
                .Select(copy => _discriminator.Evaluate(real, fake, copy))
                .Select(pass => _objective.GeneratorLoss(pass.RealLogits, pass.FakeLogits))
                .ToList());
        var gradients = torch.autograd.grad([loss], GeneratorParameters.Cast<Tensor>().ToArray()).ToArray();
        return new GeneratorGradient(gradients, loss.detach(), fake.detach(), discriminator);
    }

    /// <summary>A single loss is returned as it is, so that without the ablations every bit matches the plain unrolled GAN.</summary>
    private static Tensor Mean(IReadOnlyList<Tensor> losses) => losses.Count == 1 ? losses[0] : stack(losses).mean();

    /// <summary>d f / d θ_D at the live parameters (Eq. 11); it does not depend on the unrolling.</summary>
    public DiscriminatorGradient DiscriminatorGradients(Tensor real, Tensor fake)
    {
        var pass = _discriminator.Evaluate(real, fake.detach(), _discriminator.Parameters);
        return new DiscriminatorGradient(pass.LossGradients(createGraph: false), pass.Loss.detach());
    }

    public void ApplyGenerator(IReadOnlyList<Tensor> gradients) =>
        _generatorOptimizer.StepInPlace(GeneratorParameters.Cast<Tensor>().ToArray(), gradients, GeneratorState);

    /// <summary>Eq. 11's update.</summary>
    public void ApplyDiscriminator(IReadOnlyList<Tensor> gradients) =>
        _discriminatorOptimizer.StepInPlace(_discriminator.Parameters, gradients, DiscriminatorState);
}
