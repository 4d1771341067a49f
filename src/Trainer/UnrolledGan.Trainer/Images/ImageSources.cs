using TorchSharp;
using UnrolledGan.Trainer.Data;
using static TorchSharp.torch;

namespace UnrolledGan.Trainer.Images;

/// <summary>Where an image experiment's real minibatches come from: images N×C×H×W scaled to [−1, 1].</summary>
internal interface IImageSource : IDisposable
{
    int Channels { get; }
    int Height { get; }
    int Width { get; }

    Tensor Sample(int count, Generator random);
}

/// <summary>A data set's images as they are, drawn uniformly with replacement.</summary>
internal sealed class DatasetSource(ImageSet set, Device device) : IImageSource
{
    private readonly Tensor _images = set.ToTensor(device);

    public int Channels => set.Channels;
    public int Height => set.Height;
    public int Width => set.Width;

    /// <summary>The images themselves, for measures that compare against the data.</summary>
    public Tensor Images => _images;

    public Tensor Sample(int count, Generator random) =>
        _images.index_select(0, randint(_images.shape[0], [count], dtype: ScalarType.Int64, device: _images.device, generator: random));

    public void Dispose() => _images.Dispose();
}

/// <summary>§3.3.1: three digits drawn independently become the red, green and blue channels, so there are 10³ modes.</summary>
internal sealed class StackedMnistSource(ImageSet digits, Device device) : IImageSource
{
    private readonly Tensor _digits = digits.ToTensor(device);

    public int Channels => 3;
    public int Height => digits.Height;
    public int Width => digits.Width;

    public Tensor Sample(int count, Generator random)
    {
        var channels = Enumerable.Range(0, 3).Select(_ =>
            _digits.index_select(0, randint(_digits.shape[0], [count], dtype: ScalarType.Int64, device: _digits.device, generator: random)));
        return cat(channels.ToArray(), 1);
    }

    public void Dispose() => _digits.Dispose();
}

/// <summary>
/// App. F.1 exactly: a digit I in [0, 1], a colour C ~ N(0, 0.5²) per channel, the image I·C + (I − 1), plus pixel
/// noise of std 0.2, clipped to [−1, 1]. Drawn afresh for every minibatch, so the colours are a continuous distribution.
/// </summary>
internal sealed class ColoredMnistSource(ImageSet digits, ImageOptions options, Device device) : IImageSource
{
    private readonly Tensor _digits = ImageTensors.Unit(digits, device);

    public int Channels => 3;
    public int Height => digits.Height;
    public int Width => digits.Width;

    public Tensor Sample(int count, Generator random)
    {
        var digit = _digits.index_select(0, randint(_digits.shape[0], [count], dtype: ScalarType.Int64, device: _digits.device, generator: random));
        var color = randn([count, 3, 1, 1], device: _digits.device, generator: random) * options.ColorStandardDeviation;
        var noise = randn([count, 3, Height, Width], device: _digits.device, generator: random) * options.PixelNoise;
        return (digit * color + (digit - 1) + noise).clamp(-1, 1);
    }

    public void Dispose() => _digits.Dispose();
}

internal static class ImageTensors
{
    /// <summary>Bytes 0–255 as floats in [0, 1], the digit intensity I of App. F.1.</summary>
    public static Tensor Unit(ImageSet set, Device device)
    {
        using var scope = NewDisposeScope();
        return set.ToTensor(device).add(1).div(2).MoveToOuterDisposeScope();
    }

    /// <summary>Images as a flat CPU array (a sync point; for measures and pictures only).</summary>
    public static float[] ToArray(Tensor images) => images.detach().cpu().contiguous().data<float>().ToArray();
}
