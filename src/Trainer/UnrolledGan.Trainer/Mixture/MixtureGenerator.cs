using TorchSharp.Modules;
using UnrolledGan.Trainer.Core;
using static TorchSharp.torch;

namespace UnrolledGan.Trainer.Mixture;

/// <summary>App. A's generator: fully connected hidden layers, then a linear projection to 2-D; orthogonal weights.</summary>
internal sealed class MixtureGenerator : nn.Module<Tensor, Tensor>
{
    private readonly ModuleList<Linear> _hidden;
    private readonly Linear _output;
    private readonly Activation _activation;

    public MixtureGenerator(int noiseDimension, int hiddenUnits, int layers, Activation activation, double initGain, Generator random)
        : base(nameof(MixtureGenerator))
    {
        _hidden = new ModuleList<Linear>(Enumerable.Range(0, layers)
            .Select(i => nn.Linear(i == 0 ? noiseDimension : hiddenUnits, hiddenUnits)).ToArray());
        _output = nn.Linear(hiddenUnits, 2);
        _activation = activation;
        RegisterComponents();

        using var noGrad = no_grad();
        foreach (var layer in _hidden.Append(_output))
        {
            Initialization.Orthogonal(layer.weight!, initGain, random);
            nn.init.zeros_(layer.bias!);
        }
    }

    public override Tensor forward(Tensor noise)
    {
        var hidden = noise;
        foreach (var layer in _hidden)
        {
            hidden = MixtureDiscriminator.Activate(layer.call(hidden), _activation);
        }
        return _output.call(hidden);
    }
}
