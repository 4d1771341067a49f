using System.Buffers.Binary;
using System.IO.Compression;

namespace UnrolledGan.Trainer.Data;

/// <summary>An unsigned-byte IDX array: its dimensions (outermost first) and its bytes, row-major.</summary>
public sealed record IdxArray(int[] Dimensions, byte[] Data);

/// <summary>
/// The IDX format of the MNIST files (LeCun et al.): a big-endian magic 0x0000_08_0D (unsigned bytes, D dimensions),
/// D big-endian int32 sizes, then the bytes. Only the unsigned-byte type is supported, the one every image set here uses.
/// </summary>
public static class IdxFile
{
    public const int ImagesMagic = 0x00000803;
    public const int LabelsMagic = 0x00000801;
    private const int UnsignedByte = 0x08;

    /// <summary>Reads a plain IDX file, or a gzip-compressed one when the name ends in .gz.</summary>
    public static IdxArray Read(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        using var stream = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)
            ? new GZipStream(file, CompressionMode.Decompress)
            : (Stream)file;
        Span<byte> word = stackalloc byte[4];
        ReadExactly(stream, word, path, "header");
        int magic = BinaryPrimitives.ReadInt32BigEndian(word);
        int rank = magic & 0xFF;
        if ((magic >> 16) != 0 || ((magic >> 8) & 0xFF) != UnsignedByte || rank is < 1 or > 4)
        {
            throw new InvalidDataException($"'{path}' is not an unsigned-byte IDX file (magic 0x{magic:X8})");
        }
        var dimensions = new int[rank];
        long length = 1;
        for (int i = 0; i < rank; i++)
        {
            ReadExactly(stream, word, path, "header");
            dimensions[i] = BinaryPrimitives.ReadInt32BigEndian(word);
            length *= dimensions[i] >= 0 ? dimensions[i] : throw new InvalidDataException($"'{path}' has a negative dimension");
        }
        if (length > Array.MaxLength)
        {
            throw new InvalidDataException($"'{path}' is too large ({length} bytes)");
        }
        var data = new byte[length];
        ReadExactly(stream, data, path, $"{length} data bytes");
        return new IdxArray(dimensions, data);
    }

    /// <summary>Reads an IDX image file (N×rows×columns).</summary>
    public static IdxArray ReadImages(string path) => Expect(Read(path), rank: 3, path, "images");

    public static byte[] ReadLabels(string path) => Expect(Read(path), rank: 1, path, "labels").Data;

    /// <summary>Writes an uncompressed IDX file atomically.</summary>
    public static void Write(string path, IdxArray array)
    {
        long length = array.Dimensions.Aggregate(1L, (product, d) => product * d);
        if (array.Dimensions.Length is < 1 or > 4 || length != array.Data.Length)
        {
            throw new ArgumentException($"dimensions [{string.Join(',', array.Dimensions)}] do not match {array.Data.Length} bytes");
        }
        AtomicFile.Write(path, stream =>
        {
            Span<byte> word = stackalloc byte[4];
            BinaryPrimitives.WriteInt32BigEndian(word, (UnsignedByte << 8) | array.Dimensions.Length);
            stream.Write(word);
            foreach (int dimension in array.Dimensions)
            {
                BinaryPrimitives.WriteInt32BigEndian(word, dimension);
                stream.Write(word);
            }
            stream.Write(array.Data);
        });
    }

    private static IdxArray Expect(IdxArray array, int rank, string path, string what) =>
        array.Dimensions.Length == rank
            ? array
            : throw new InvalidDataException($"'{path}' holds a {array.Dimensions.Length}-dimensional array, not {what}");

    private static void ReadExactly(Stream stream, Span<byte> buffer, string path, string what)
    {
        try
        {
            stream.ReadExactly(buffer);
        }
        catch (EndOfStreamException)
        {
            throw new InvalidDataException($"'{path}' ends before its {what}");
        }
    }
}
