using static TorchSharp.torch;

namespace UnrolledGan.Trainer.Data;

/// <summary>Image sets as the networks see them: float32 N×C×H×W scaled to [-1, 1], the range of a tanh generator.</summary>
public static class ImageSetTensors
{
    /// <summary>All images, or the given indices in their order, as x/127.5 − 1 on the device.</summary>
    public static Tensor ToTensor(this ImageSet set, Device device, IReadOnlyList<int>? indices = null)
    {
        byte[] bytes = Select(set.Pixels, set.ImageBytes, set.Count, indices);
        long count = bytes.Length / set.ImageBytes;
        using var scope = NewDisposeScope();
        var raw = tensor(bytes, [count, set.Channels, set.Height, set.Width], dtype: ScalarType.Byte);
        return raw.to(device).to_type(ScalarType.Float32).div(127.5).sub(1).MoveToOuterDisposeScope();
    }

    /// <summary>The labels of the same images as an int64 vector, the type cross-entropy wants.</summary>
    public static Tensor LabelsTensor(this ImageSet set, Device device, IReadOnlyList<int>? indices = null)
    {
        long[] labels = Select(set.Labels, 1, set.Count, indices).Select(l => (long)l).ToArray();
        using var scope = NewDisposeScope();
        return tensor(labels, dtype: ScalarType.Int64).to(device).MoveToOuterDisposeScope();
    }

    private static byte[] Select(byte[] source, int itemBytes, int count, IReadOnlyList<int>? indices)
    {
        if (indices is null)
        {
            return source;
        }
        var selected = new byte[(long)indices.Count * itemBytes];
        for (int i = 0; i < indices.Count; i++)
        {
            int index = indices[i];
            if (index < 0 || index >= count)
            {
                throw new ArgumentOutOfRangeException(nameof(indices), $"index {index} is outside a set of {count} images");
            }
            Array.Copy(source, (long)index * itemBytes, selected, (long)i * itemBytes, itemBytes);
        }
        return selected;
    }
}
