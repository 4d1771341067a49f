namespace UnrolledGan.Trainer.Data;

/// <summary>
/// CIFAR-10's standard binary batches (cifar-10-binary.tar.gz). Each record is one label byte and 3,072 pixel bytes:
/// 1,024 red, then 1,024 green, then 1,024 blue, each plane row-major 32×32, which is already C×H×W.
/// No package ships CIFAR-10 and nothing is downloaded, so the batches must be put in data/cifar10/ by hand.
/// </summary>
public static class Cifar10
{
    public const int Side = 32, Channels = 3;
    public const int RecordBytes = 1 + Channels * Side * Side;
    public const string Archive = "cifar-10-binary.tar.gz";
    public const string TestBatch = "test_batch.bin";

    public static IReadOnlyList<string> TrainBatches { get; } = Enumerable.Range(1, 5).Select(i => $"data_batch_{i}.bin").ToArray();

    public static string Folder(string dataDirectory) => Path.Combine(dataDirectory, "cifar10");

    /// <summary>The 50,000 training images of data_batch_1.bin … data_batch_5.bin, in file order.</summary>
    public static ImageSet Load(string dataDirectory) => ReadBatches(Locate(dataDirectory, TrainBatches));

    public static ImageSet LoadTest(string dataDirectory) => ReadBatches(Locate(dataDirectory, [TestBatch]));

    public static ImageSet ReadBatches(IReadOnlyList<string> paths)
    {
        var files = paths.Select(path => (Path: path, Bytes: File.ReadAllBytes(path))).ToArray();
        foreach (var (path, bytes) in files)
        {
            if (bytes.Length == 0 || bytes.Length % RecordBytes != 0)
            {
                throw new InvalidDataException($"'{path}' has {bytes.Length} bytes, not a whole number of {RecordBytes}-byte CIFAR-10 records");
            }
        }
        int count = files.Sum(f => f.Bytes.Length / RecordBytes);
        var pixels = new byte[(long)count * (RecordBytes - 1)];
        var labels = new byte[count];
        int image = 0;
        foreach (var (path, bytes) in files)
        {
            for (int offset = 0; offset < bytes.Length; offset += RecordBytes, image++)
            {
                labels[image] = bytes[offset] < 10 ? bytes[offset] : throw new InvalidDataException($"'{path}' has label {bytes[offset]} at byte {offset}");
                bytes.AsSpan(offset + 1, RecordBytes - 1).CopyTo(pixels.AsSpan(image * (RecordBytes - 1)));
            }
        }
        return new ImageSet(count, Channels, Side, Side, pixels, labels);
    }

    /// <summary>The batch files in data/cifar10/ or, as the archive unpacks, data/cifar10/cifar-10-batches-bin/.</summary>
    private static string[] Locate(string dataDirectory, IReadOnlyList<string> names)
    {
        string folder = Folder(dataDirectory);
        foreach (string candidate in new[] { folder, Path.Combine(folder, "cifar-10-batches-bin") })
        {
            var paths = names.Select(n => Path.Combine(candidate, n)).ToArray();
            if (paths.All(File.Exists))
            {
                return paths;
            }
        }
        throw new ConfigException("dataset",
            $"CIFAR-10 not found: expected {string.Join(", ", names)} in '{folder}' (or its cifar-10-batches-bin/); " +
            $"no network is used at run time, so unpack the standard binary batches from {Archive} there by hand " +
            $"(tar xzf {Archive} -C {folder})");
    }
}
