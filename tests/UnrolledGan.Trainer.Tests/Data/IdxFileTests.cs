using System.IO.Compression;
using UnrolledGan.Trainer.Data;

namespace UnrolledGan.Trainer.Tests.Data;

public sealed class IdxFileTests : IDisposable
{
    private readonly TemporaryFolder _folder = new();

    [Fact]
    public void ImagesRoundTripThroughAPlainAndAGzipFile()
    {
        var pixels = new byte[3 * 4 * 5];
        new Random(3).NextBytes(pixels);
        string plain = _folder.Combine("images-idx3-ubyte");

        IdxFile.Write(plain, new IdxArray([3, 4, 5], pixels));
        string gz = Gzip(plain);

        foreach (string path in new[] { plain, gz })
        {
            var read = IdxFile.ReadImages(path);
            read.Dimensions.ShouldBe([3, 4, 5]);
            read.Data.ShouldBe(pixels);
        }
    }

    [Fact]
    public void TheHeaderIsBigEndianWithTheStandardMagic()
    {
        string path = _folder.Combine("labels-idx1-ubyte");

        IdxFile.Write(path, new IdxArray([258], Enumerable.Range(0, 258).Select(i => (byte)(i % 10)).ToArray()));

        var bytes = File.ReadAllBytes(path);
        bytes[..8].ShouldBe(new byte[] { 0, 0, 8, 1, 0, 0, 1, 2 });
        bytes.Length.ShouldBe(8 + 258);
        IdxFile.ReadLabels(Gzip(path)).ShouldBe(bytes[8..]);
        IdxFile.ImagesMagic.ShouldBe(0x00000803);
    }

    [Fact]
    public void ATruncatedOrForeignFileIsRejected()
    {
        string truncated = _folder.Combine("truncated");
        IdxFile.Write(truncated, new IdxArray([2, 2, 2], new byte[8]));
        File.WriteAllBytes(truncated, File.ReadAllBytes(truncated)[..^1]);
        string foreign = _folder.Combine("foreign");
        File.WriteAllBytes(foreign, [0, 0, 0x0D, 1, 0, 0, 0, 1, 0, 0, 0, 0]);

        Should.Throw<InvalidDataException>(() => IdxFile.Read(truncated)).Message.ShouldContain("ends before");
        Should.Throw<InvalidDataException>(() => IdxFile.Read(foreign)).Message.ShouldContain("not an unsigned-byte IDX file");
        Should.Throw<InvalidDataException>(() => IdxFile.ReadLabels(truncated)).Message.ShouldContain("ends before");
    }

    private static string Gzip(string path)
    {
        using (var source = File.OpenRead(path))
        using (var target = new GZipStream(File.Create(path + ".gz"), CompressionLevel.Optimal))
        {
            source.CopyTo(target);
        }
        return path + ".gz";
    }

    public void Dispose() => _folder.Dispose();
}
