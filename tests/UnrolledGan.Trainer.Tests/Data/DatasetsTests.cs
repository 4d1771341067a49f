using UnrolledGan.Trainer.Data;
using static TorchSharp.torch;

namespace UnrolledGan.Trainer.Tests.Data;

public sealed class DatasetsTests : IDisposable
{
    private readonly TemporaryFolder _folder = new();

    [Fact]
    public void FashionMnistHasSixtyThousandLabelledImages()
    {
        // An empty data folder: the loader falls back to the Debian package that setup installs.
        var set = Datasets.Load(Datasets.FashionMnist, _folder.Path);

        (set.Count, set.Channels, set.Height, set.Width).ShouldBe((60_000, 1, 28, 28));
        set.Pixels.Length.ShouldBe(60_000 * 784);
        set.Labels.GroupBy(l => l).Select(g => (g.Key, g.Count())).OrderBy(g => g.Key)
            .ShouldBe(Enumerable.Range(0, 10).Select(k => ((byte)k, 6000)));
    }

    [Fact]
    public void MissingMnistNamesTheFileAndTheSetupCommand()
    {
        var error = Should.Throw<ConfigException>(() => Datasets.Load(Datasets.Mnist, _folder.Path));

        error.Problems.Single().Field.ShouldBe("dataDirectory");
        error.Message.ShouldContain($"'{_folder.Combine("mnist", "labels-idx1-ubyte")}'");
        error.Message.ShouldContain("run 'bash scripts/setup.sh'");
    }

    [Fact]
    public void AMissingClassifierNamesTheFileAndTheSetupCommand()
    {
        var error = Should.Throw<ConfigException>(() => MnistClassifier.Load(_folder.Path, CPU));

        error.Message.ShouldContain($"'{_folder.Combine("mnist", "classifier.bin")}'");
        error.Message.ShouldContain("run 'bash scripts/setup.sh'");
    }

    [Fact]
    public async Task TrainingTheClassifierWithoutMnistIsBadInputOnOneLine()
    {
        var (exitCode, _, error) = await TrainerProcess.RunAsync("data", "train-classifier", "--data-dir", _folder.Path);

        exitCode.ShouldBe(2);
        error.Trim().Split('\n').ShouldHaveSingleItem().ShouldStartWith("error: dataDirectory: MNIST");
        error.ShouldContain(_folder.Combine("mnist"));
        File.Exists(_folder.Combine("mnist", "classifier.bin")).ShouldBeFalse();
    }

    [Fact]
    public void AnUnknownDatasetIsNamed()
    {
        Should.Throw<ConfigException>(() => Datasets.Load("cifar100", _folder.Path))
            .Message.ShouldBe("dataset: unknown data set 'cifar100' (known: mnist, fashion-mnist, cifar10)");
    }

    [Fact]
    public void TheDataFolderIsTheConfiguredOneElseTheEnvironmentsElseTheRepositorys()
    {
        string? saved = Environment.GetEnvironmentVariable(DataDirectory.EnvironmentVariable);
        try
        {
            Environment.SetEnvironmentVariable(DataDirectory.EnvironmentVariable, null);
            string repository = DataDirectory.Resolve(null);
            Path.GetFileName(repository).ShouldBe("data");
            File.Exists(Path.Combine(Path.GetDirectoryName(repository)!, "UnrolledGan.sln")).ShouldBeTrue();

            Environment.SetEnvironmentVariable(DataDirectory.EnvironmentVariable, _folder.Path);
            DataDirectory.Resolve(null).ShouldBe(_folder.Path);
            DataDirectory.Resolve(_folder.Combine("other")).ShouldBe(_folder.Combine("other"));
        }
        finally
        {
            Environment.SetEnvironmentVariable(DataDirectory.EnvironmentVariable, saved);
        }
    }

    [Fact]
    public void TensorsAreScaledToPlusMinusOneAndFollowTheIndices()
    {
        var set = new ImageSet(3, 1, 1, 2, [0, 255, 51, 102, 10, 20], [7, 8, 9]);

        using var all = set.ToTensor(CPU);
        using var picked = set.ToTensor(CPU, [2, 0]);
        using var labels = set.LabelsTensor(CPU, [2, 0]);

        all.shape.ShouldBe([3, 1, 1, 2]);
        all.dtype.ShouldBe(ScalarType.Float32);
        all.data<float>().ToArray().ShouldBe([-1f, 1f, 51 / 127.5f - 1, 102 / 127.5f - 1, 10 / 127.5f - 1, 20 / 127.5f - 1], tolerance: 1e-6);
        picked.data<float>().ToArray().ShouldBe([10 / 127.5f - 1, 20 / 127.5f - 1, -1f, 1f], tolerance: 1e-6);
        labels.data<long>().ToArray().ShouldBe([9L, 7L]);
    }

    public void Dispose() => _folder.Dispose();
}
