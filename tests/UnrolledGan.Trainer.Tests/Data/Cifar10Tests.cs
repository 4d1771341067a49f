using UnrolledGan.Trainer.Data;

namespace UnrolledGan.Trainer.Tests.Data;

public sealed class Cifar10Tests : IDisposable
{
    private readonly TemporaryFolder _folder = new();

    [Fact]
    public void ABatchFileIsReadBackByteForByte()
    {
        var (records, labels, pixels) = RandomRecords(7, seed: 1);
        string path = _folder.Combine("data_batch_1.bin");
        File.WriteAllBytes(path, records);

        var set = Cifar10.ReadBatches([path]);

        (set.Count, set.Channels, set.Height, set.Width).ShouldBe((7, 3, 32, 32));
        set.Labels.ShouldBe(labels);
        set.Pixels.ShouldBe(pixels);
    }

    [Fact]
    public void TheFiveTrainBatchesLoadInOrderFromTheArchivesFolder()
    {
        string folder = _folder.Combine("cifar10", "cifar-10-batches-bin");
        Directory.CreateDirectory(folder);
        var expectedLabels = new List<byte>();
        var expectedPixels = new List<byte>();
        for (int batch = 1; batch <= 5; batch++)
        {
            var (records, labels, pixels) = RandomRecords(batch, seed: 10 + batch);
            File.WriteAllBytes(Path.Combine(folder, $"data_batch_{batch}.bin"), records);
            expectedLabels.AddRange(labels);
            expectedPixels.AddRange(pixels);
        }
        File.WriteAllBytes(Path.Combine(folder, "test_batch.bin"), RandomRecords(2, seed: 99).Records);

        var set = Datasets.Load(Datasets.Cifar10, _folder.Path);

        set.Count.ShouldBe(15);
        set.Labels.ShouldBe(expectedLabels.ToArray());
        set.Pixels.ShouldBe(expectedPixels.ToArray());
        Cifar10.LoadTest(_folder.Path).Count.ShouldBe(2);
    }

    [Fact]
    public void MissingBatchesAreNamedWithTheFolderAndTheArchive()
    {
        var error = Should.Throw<ConfigException>(() => Datasets.Load(Datasets.Cifar10, _folder.Path));

        error.Problems.Single().Field.ShouldBe("dataset");
        error.Message.ShouldContain($"'{_folder.Combine("cifar10")}'");
        error.Message.ShouldContain("data_batch_1.bin, data_batch_2.bin, data_batch_3.bin, data_batch_4.bin, data_batch_5.bin");
        error.Message.ShouldContain("cifar-10-binary.tar.gz");
    }

    [Fact]
    public void APartialRecordOrABadLabelIsRejected()
    {
        string partial = _folder.Combine("partial.bin");
        File.WriteAllBytes(partial, RandomRecords(2, seed: 5).Records[..^1]);
        string badLabel = _folder.Combine("label.bin");
        var records = RandomRecords(1, seed: 6).Records;
        records[0] = 10;
        File.WriteAllBytes(badLabel, records);

        Should.Throw<InvalidDataException>(() => Cifar10.ReadBatches([partial])).Message.ShouldContain("3073-byte");
        Should.Throw<InvalidDataException>(() => Cifar10.ReadBatches([badLabel])).Message.ShouldContain("label 10");
    }

    /// <summary>Records in the binary format, and what they should read back as: each record's bytes after its label.</summary>
    private static (byte[] Records, byte[] Labels, byte[] Pixels) RandomRecords(int count, int seed)
    {
        var random = new Random(seed);
        var records = new byte[count * 3073];
        random.NextBytes(records);
        var labels = new byte[count];
        var pixels = new List<byte>();
        for (int i = 0; i < count; i++)
        {
            records[i * 3073] = labels[i] = (byte)random.Next(10);
            pixels.AddRange(records.AsSpan(i * 3073 + 1, 3072).ToArray());
        }
        return (records, labels, pixels.ToArray());
    }

    public void Dispose() => _folder.Dispose();
}
