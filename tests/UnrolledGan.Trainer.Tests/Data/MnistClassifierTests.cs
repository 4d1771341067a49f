using UnrolledGan.Trainer.Data;
using static TorchSharp.torch;

namespace UnrolledGan.Trainer.Tests.Data;

/// <summary>The classifier setup trained (data/mnist/classifier.bin); the test measures it itself on the held-out digits.</summary>
public sealed class MnistClassifierTests
{
    [Fact]
    public void HeldOutAccuracyIsAtLeastNinetySevenPercent()
    {
        string data = DataDirectory.Resolve(null);
        if (!File.Exists(MnistClassifier.WeightsPath(data)))
        {
            Assert.Fail($"no MNIST classifier at '{MnistClassifier.WeightsPath(data)}': run 'bash scripts/setup.sh' first (it trains it once)");
        }
        var digits = Datasets.Load(Datasets.Mnist, data);
        int[] heldOut = MnistClassifier.HeldOutIndices(digits.Count);
        using var classifier = MnistClassifier.Load(data, CPU);
        using var images = digits.ToTensor(CPU, heldOut);

        int[] predicted = classifier.Classify(images);

        digits.Count.ShouldBe(10_000);
        heldOut.Length.ShouldBe(2000);
        double accuracy = (double)heldOut.Where((index, i) => predicted[i] == digits.Labels[index]).Count() / heldOut.Length;
        accuracy.ShouldBeGreaterThanOrEqualTo(0.97);
        classifier.HeldOutAccuracy.ShouldBe(accuracy, 0.005, "the accuracy recorded at training time");
    }

    [Fact]
    public void ImagesOfTheWrongShapeAreRejectedBeforeLibtorchSeesThem()
    {
        string data = DataDirectory.Resolve(null);
        using var classifier = MnistClassifier.Load(data, CPU);
        using var rgb = zeros(2, 3, 28, 28);

        Should.Throw<ArgumentException>(() => classifier.Classify(rgb)).Message.ShouldContain("expected images N×1×28×28, got [2×3×28×28]");
    }

    [Fact]
    public void TheSplitHoldsOutEveryFifthDigit()
    {
        MnistClassifier.HeldOutIndices(12).ShouldBe([4, 9]);
        MnistClassifier.TrainIndices(12).ShouldBe([0, 1, 2, 3, 5, 6, 7, 8, 10, 11]);
    }
}
