using System.Text.Json;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace UnrolledGan.Trainer.Data;

/// <summary>
/// The pretrained MNIST classifier that counts the modes of stacked MNIST (paper §3.3.1, App. E): each of a sample's
/// three channels is classified as a digit, giving one of 1,000 modes. It is trained once by setup on the npm
/// digits that <see cref="IsHeldOut"/> leaves out, and saved to data/mnist/classifier.bin.
/// </summary>
public sealed class MnistClassifier : IDisposable
{
    public const string TrainCommand = "UnrolledGan.Trainer data train-classifier";
    private const int ChunkSize = 2000;

    private readonly MnistNetwork _network;
    private readonly Device _device;

    private MnistClassifier(MnistNetwork network, Device device, ClassifierReport report)
    {
        _network = network;
        _device = device;
        Report = report;
    }

    public double HeldOutAccuracy => Report.HeldOutAccuracy;

    public ClassifierReport Report { get; }

    public static string WeightsPath(string dataDirectory) => Path.Combine(NpmMnist.Folder(dataDirectory), "classifier.bin");
    public static string ReportPath(string dataDirectory) => Path.Combine(NpmMnist.Folder(dataDirectory), "classifier.json");

    /// <summary>The fixed split of the 10,000 npm digits: every 5th digit (index % 5 == 4, 2,000 digits) is held out.</summary>
    public static bool IsHeldOut(int index) => index % 5 == 4;

    public static int[] HeldOutIndices(int count) => Enumerable.Range(0, count).Where(IsHeldOut).ToArray();
    public static int[] TrainIndices(int count) => Enumerable.Range(0, count).Where(i => !IsHeldOut(i)).ToArray();

    public static MnistClassifier Load(string? dataDirectory, Device device)
    {
        string folder = DataDirectory.Resolve(dataDirectory);
        string weights = WeightsPath(folder);
        if (!File.Exists(weights) || !File.Exists(ReportPath(folder)))
        {
            throw new ConfigException("dataDirectory",
                $"MNIST classifier not found: expected '{weights}' and its report '{ReportPath(folder)}'; " +
                $"run '{DataDirectory.SetupCommand}' (it runs '{TrainCommand}')");
        }
        var report = JsonSerializer.Deserialize<ClassifierReport>(File.ReadAllText(ReportPath(folder)), TrainerJson.Options)
            ?? throw new InvalidDataException($"'{ReportPath(folder)}' is empty");
        var network = new MnistNetwork();
        network.load(weights);
        network.to(device);
        network.eval();
        return new MnistClassifier(network, device, report);
    }

    /// <summary>Predicted digit of each image; images N×1×28×28 in [-1,1].</summary>
    public int[] Classify(Tensor images)
    {
        // Shapes are checked here because a libtorch shape error inside conv2d can abort the process.
        long[] shape = images.shape;
        if (shape.Length != 4 || shape[1] != 1 || shape[2] != NpmMnist.Side || shape[3] != NpmMnist.Side)
        {
            throw new ArgumentException($"expected images N×1×28×28, got [{string.Join('×', shape)}]", nameof(images));
        }
        return Predict(_network, images, _device);
    }

    internal static int[] Predict(MnistNetwork network, Tensor images, Device device)
    {
        var predictions = new List<int>((int)images.shape[0]);
        using var noGrad = no_grad();
        for (long start = 0; start < images.shape[0]; start += ChunkSize)
        {
            using var scope = NewDisposeScope();
            var chunk = images.narrow(0, start, Math.Min(ChunkSize, images.shape[0] - start)).to(device).to_type(ScalarType.Float32);
            predictions.AddRange(network.call(chunk).argmax(1).cpu().data<long>().ToArray().Select(p => (int)p));
        }
        return predictions.ToArray();
    }

    public void Dispose() => _network.Dispose();
}

/// <summary>What setup measured when it trained the classifier, saved beside it as classifier.json.</summary>
public sealed record ClassifierReport
{
    public required double HeldOutAccuracy { get; init; }
    public required int HeldOutDigits { get; init; }
    public required int TrainDigits { get; init; }
    public required int Epochs { get; init; }
    public required int Seed { get; init; }
    public required int Threads { get; init; }
    public required double TrainSeconds { get; init; }
    public required string Architecture { get; init; }
}

/// <summary>A small CNN: two 3×3 convolutions with 2×2 max-pooling, then 128 hidden units and 10 logits.</summary>
internal sealed class MnistNetwork : nn.Module<Tensor, Tensor>
{
    public const string Description = "conv3x3(32)-relu-maxpool2-conv3x3(64)-relu-maxpool2-dropout0.25-fc128-relu-dropout0.5-fc10";

    private readonly Conv2d _conv1 = nn.Conv2d(1, 32, 3, padding: 1);
    private readonly Conv2d _conv2 = nn.Conv2d(32, 64, 3, padding: 1);
    private readonly Linear _hidden = nn.Linear(64 * 7 * 7, 128);
    private readonly Linear _output = nn.Linear(128, 10);
    private readonly Dropout _featureDropout = nn.Dropout(0.25);
    private readonly Dropout _hiddenDropout = nn.Dropout(0.5);

    public MnistNetwork() : base(nameof(MnistNetwork)) => RegisterComponents();

    public override Tensor forward(Tensor images)
    {
        var features = nn.functional.max_pool2d(nn.functional.relu(_conv1.call(images)), 2);
        features = nn.functional.max_pool2d(nn.functional.relu(_conv2.call(features)), 2);
        var hidden = nn.functional.relu(_hidden.call(_featureDropout.call(features.flatten(1))));
        return _output.call(_hiddenDropout.call(hidden));
    }
}
