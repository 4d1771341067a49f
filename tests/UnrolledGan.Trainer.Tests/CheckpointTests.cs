using UnrolledGan.Trainer.Runs;
using static TorchSharp.torch;

namespace UnrolledGan.Trainer.Tests;

/// <summary>The checkpoint file: every section checked against its CRC-32, so damage is found before anything is loaded.</summary>
public sealed class CheckpointTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("unrolledgan-checkpoint-").FullName;

    [Fact]
    public void AnIntactCheckpointReadsBackEveryValue()
    {
        string path = Save();
        var live = Live();

        var stored = Checkpoint.Read(path, live);
        stored.CopyInto(live);

        stored.Header.Step.ShouldBe(40);
        using var weights = Weights();
        using var moments = Moments();
        live[0].Tensor.data<float>().ToArray().ShouldBe(weights.data<float>().ToArray());
        live[1].Tensor.data<float>().ToArray().ShouldBe(moments.data<float>().ToArray());
    }

    [Theory]
    [InlineData("tensor", "its tensor discriminator.0 fails its checksum")]
    [InlineData("header", "its header fails its checksum")]
    [InlineData("magic", "does not start as a checkpoint does")]
    [InlineData("version", "format version")]
    [InlineData("last checksum", "its tensor generatorOptimizer.0 fails its checksum")]
    [InlineData("header length", "its header")]
    public void AFlippedByteIsFoundAndNamesItsSection(string where, string message)
    {
        string path = Save();
        long length = new FileInfo(path).Length;
        switch (where)
        {
            case "tensor": CheckpointDamage.FlipTensorByte(path); break;
            case "header": CheckpointDamage.FlipHeaderByte(path); break;
            case "magic": CheckpointDamage.FlipByte(path, 1); break;
            case "version": CheckpointDamage.FlipByte(path, 4); break;
            case "last checksum": CheckpointDamage.FlipByte(path, length - 2); break;
            case "header length": CheckpointDamage.FlipByte(path, 9); break;
        }

        Should.Throw<InvalidDataException>(() => Checkpoint.Read(path, Live())).Message.ShouldContain(message);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.01)]
    [InlineData(0.5)]
    [InlineData(0.999)]
    public void ACutShortCheckpointIsFound(double kept)
    {
        string path = Save();
        long length = new FileInfo(path).Length;
        CheckpointDamage.Truncate(path, (long)(length * kept));

        Should.Throw<InvalidDataException>(() => Checkpoint.Read(path, Live()));
    }

    [Fact]
    public void BytesAfterTheLastSectionAreFound()
    {
        string path = Save();
        File.AppendAllText(path, "x");

        Should.Throw<InvalidDataException>(() => Checkpoint.Read(path, Live())).Message.ShouldContain("1 bytes follow");
    }

    [Fact]
    public void ACheckpointOfTheFormatWithoutChecksumsIsRefusedAsOlder()
    {
        string path = Save();
        byte[] bytes = File.ReadAllBytes(path);
        BitConverter.GetBytes(1).CopyTo(bytes, 4);
        File.WriteAllBytes(path, bytes);

        Should.Throw<InvalidDataException>(() => Checkpoint.Read(path, Live())).Message.ShouldContain("older trainer (format 1");
    }

    [Fact]
    public void AnotherModelsTensorsAreRefused()
    {
        string path = Save();
        using var other = zeros(3, 5);

        Should.Throw<InvalidDataException>(() => Checkpoint.Read(path, [("discriminator.0", other), Live()[1]]))
            .Message.ShouldContain("different tensors");
    }

    private string Save()
    {
        string path = Path.Combine(_root, $"{Guid.NewGuid():N}.bin");
        using var weights = Weights();
        using var moments = Moments();
        Checkpoint.Save(path, new CheckpointHeader
        {
            Config = Presets.Create(Experiments.MixtureOfGaussians, Presets.Quick),
            Step = 40,
            TrainSeconds = 1,
            EvalSeconds = 0.5,
            Snapshots = [],
            Pictures = [],
            OptimizerSteps = new Dictionary<string, long> { ["generator"] = 40 },
        }, [("discriminator.0", weights), ("generatorOptimizer.0", moments)]);
        return path;
    }

    private static Tensor Weights() => arange(12, ScalarType.Float32).reshape(3, 4) / 7;

    private static Tensor Moments() => linspace(-1, 1, 5, ScalarType.Float32);

    private static (string Name, Tensor Tensor)[] Live() => [("discriminator.0", zeros(3, 4)), ("generatorOptimizer.0", zeros(5))];

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
