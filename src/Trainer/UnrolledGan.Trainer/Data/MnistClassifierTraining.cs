using System.Diagnostics;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace UnrolledGan.Trainer.Data;

/// <summary>Trains the stacked-MNIST classifier once, deterministically, on the digits outside the held-out split.</summary>
internal static class MnistClassifierTraining
{
    private const int BatchSize = 64;
    private const int MaxShift = 2;

    public sealed record Settings(int Epochs = 15, int Seed = 0, int Threads = 2, double LearningRate = 1e-3, double LearningRateDecay = 0.8);

    public static ClassifierReport Train(ImageSet digits, string dataDirectory, Settings settings, TextWriter log)
    {
        torch.set_num_threads(settings.Threads);
        torch.manual_seed(settings.Seed);
        var random = new Random(settings.Seed);
        var device = CPU;
        int[] train = MnistClassifier.TrainIndices(digits.Count), heldOut = MnistClassifier.HeldOutIndices(digits.Count);
        using var heldOutImages = digits.ToTensor(device, heldOut);
        byte[] heldOutLabels = heldOut.Select(i => digits.Labels[i]).ToArray();

        using var network = new MnistNetwork();
        using var optimizer = torch.optim.Adam(network.parameters(), lr: settings.LearningRate);
        var schedule = torch.optim.lr_scheduler.ExponentialLR(optimizer, settings.LearningRateDecay);
        long started = Stopwatch.GetTimestamp();
        double accuracy = 0;
        for (int epoch = 1; epoch <= settings.Epochs; epoch++)
        {
            network.train();
            Shuffle(train, random);
            double lastLoss = 0;
            for (int start = 0; start < train.Length; start += BatchSize)
            {
                using var scope = NewDisposeScope();
                var batch = train.AsSpan(start, Math.Min(BatchSize, train.Length - start));
                var (images, labels) = ShiftedBatch(digits, batch, random);
                var loss = nn.functional.cross_entropy(network.call(images.to(device)), labels.to(device));
                optimizer.zero_grad();
                loss.backward();
                optimizer.step();
                if (start + BatchSize >= train.Length)
                {
                    lastLoss = loss.item<float>(); // CPU sync point, once per epoch
                }
            }
            schedule.step();
            network.eval();
            accuracy = Accuracy(MnistClassifier.Predict(network, heldOutImages, device), heldOutLabels);
            log.WriteLine($"epoch {epoch}/{settings.Epochs}: last batch loss {lastLoss:0.0000}, held-out accuracy {accuracy:P2} " +
                $"({Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s)");
        }

        var report = new ClassifierReport
        {
            HeldOutAccuracy = accuracy, HeldOutDigits = heldOut.Length, TrainDigits = train.Length, Epochs = settings.Epochs,
            Seed = settings.Seed, Threads = settings.Threads, TrainSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds,
            Architecture = MnistNetwork.Description,
        };
        Save(network, report, dataDirectory);
        return report;
    }

    public static double Accuracy(IReadOnlyList<int> predicted, IReadOnlyList<byte> labels) =>
        (double)predicted.Where((p, i) => p == labels[i]).Count() / labels.Count;

    /// <summary>The report first, then the weights by an atomic move: classifier.bin existing means both are complete.</summary>
    private static void Save(MnistNetwork network, ClassifierReport report, string dataDirectory)
    {
        string weights = MnistClassifier.WeightsPath(dataDirectory);
        Directory.CreateDirectory(Path.GetDirectoryName(weights)!);
        AtomicFile.WriteAllText(MnistClassifier.ReportPath(dataDirectory), JsonSerializer.Serialize(report, TrainerJson.Options));
        string temporary = $"{weights}.{Environment.ProcessId}.tmp";
        try
        {
            network.save(temporary);
            File.Move(temporary, weights, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private static void Shuffle(int[] indices, Random random)
    {
        for (int i = indices.Length - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (indices[i], indices[j]) = (indices[j], indices[i]);
        }
    }

    /// <summary>Each digit moved by a random whole-pixel shift of up to ±2 in x and y, the background filling in (light augmentation).</summary>
    private static (Tensor Images, Tensor Labels) ShiftedBatch(ImageSet digits, ReadOnlySpan<int> batch, Random random)
    {
        const int Side = NpmMnist.Side;
        var pixels = new float[batch.Length * Side * Side];
        Array.Fill(pixels, -1f);
        var labels = new long[batch.Length];
        for (int b = 0; b < batch.Length; b++)
        {
            int dx = random.Next(-MaxShift, MaxShift + 1), dy = random.Next(-MaxShift, MaxShift + 1);
            int source = batch[b] * Side * Side, target = b * Side * Side;
            for (int y = Math.Max(0, dy); y < Math.Min(Side, Side + dy); y++)
            {
                for (int x = Math.Max(0, dx); x < Math.Min(Side, Side + dx); x++)
                {
                    pixels[target + y * Side + x] = digits.Pixels[source + (y - dy) * Side + (x - dx)] / 127.5f - 1f;
                }
            }
            labels[b] = digits.Labels[batch[b]];
        }
        return (tensor(pixels, [batch.Length, 1, Side, Side]), tensor(labels));
    }
}
