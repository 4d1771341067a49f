using TorchSharp.Modules;
using UnrolledGan.Trainer.Core;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace UnrolledGan.Trainer.Images;

/// <summary>
/// App. C's recurrent generator: z (256-D) → fully connected 256 relu, which becomes the LSTM's initial hidden
/// state; a 256-unit LSTM runs 28 steps, one per image column, each step projected to the column's 28 pixels by a
/// fully connected layer with tanh. Xavier initialization everywhere, forget-gate bias 1. The appendix does not say
/// what the LSTM reads at each step or how the cell state starts: it reads zeros and its cell state starts at zero,
/// so the noise reaches the image only through the initial hidden state.
/// </summary>
internal sealed class LstmGenerator : nn.Module<Tensor, Tensor>
{
    private readonly Linear _initialState;
    private readonly LSTM _lstm;
    private readonly Linear _column;
    private readonly int _columns;

    public LstmGenerator(int noiseDimension, Generator random, int hiddenUnits = 256, int rows = 28, int columns = 28)
        : base(nameof(LstmGenerator))
    {
        _columns = columns;
        _initialState = nn.Linear(noiseDimension, hiddenUnits);
        _lstm = nn.LSTM(1, hiddenUnits, batchFirst: true);
        _column = nn.Linear(hiddenUnits, rows);
        RegisterComponents();

        using var noGrad = no_grad();
        foreach (var (name, parameter) in named_parameters())
        {
            if (name.Contains("weight"))
            {
                Initialization.XavierUniform(parameter, random);
            }
            else
            {
                nn.init.zeros_(parameter);
            }
        }
        // PyTorch's gate order is input, forget, cell, output; the two biases add, so one of them carries the 1.
        foreach (var (name, parameter) in _lstm.named_parameters().Where(p => p.name.StartsWith("bias_ih")))
        {
            parameter[hiddenUnits..(2 * hiddenUnits)].fill_(1.0);
        }
    }

    public override Tensor forward(Tensor noise)
    {
        long batch = noise.shape[0];
        var hidden = relu(_initialState.call(noise)).unsqueeze(0);
        var cell = zeros_like(hidden);
        var inputs = zeros(batch, _columns, 1, device: noise.device);
        var (sequence, _, _) = _lstm.call(inputs, (hidden, cell));
        // sequence: batch × column × units → batch × column × row, then rows and columns swap into an image.
        var columns = tanh(_column.call(sequence));
        return columns.transpose(1, 2).unsqueeze(1);
    }
}
