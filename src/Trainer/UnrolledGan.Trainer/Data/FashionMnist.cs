namespace UnrolledGan.Trainer.Data;

/// <summary>
/// Fashion-MNIST's 60,000 training images. Setup installs the Debian package dataset-fashion-mnist and nothing is
/// copied: the loader reads the package's own gzip IDX files, unless data/fashion-mnist/ holds a copy (for machines
/// without the package), which then wins.
/// </summary>
public static class FashionMnist
{
    public const string DebianPackage = "dataset-fashion-mnist";
    public const string PackageFolder = "/usr/share/datasets/fashion-mnist";
    private const string Images = "train-images-idx3-ubyte", Labels = "train-labels-idx1-ubyte";

    public static ImageSet Load(string dataDirectory)
    {
        string local = Path.Combine(dataDirectory, "fashion-mnist");
        foreach (string folder in new[] { local, PackageFolder })
        {
            foreach (string suffix in new[] { "", ".gz" })
            {
                string images = Path.Combine(folder, Images + suffix), labels = Path.Combine(folder, Labels + suffix);
                if (File.Exists(images) && File.Exists(labels))
                {
                    return ImageSets.FromIdx(IdxFile.ReadImages(images), IdxFile.ReadLabels(labels), images);
                }
            }
        }
        throw new ConfigException("dataset",
            $"Fashion-MNIST not found: expected '{Path.Combine(PackageFolder, Images)}.gz' and '{Labels}.gz' beside it " +
            $"(Debian package {DebianPackage}) or the same files in '{local}'; run '{DataDirectory.SetupCommand}' to install the package");
    }
}
