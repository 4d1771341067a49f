namespace UnrolledGan.Trainer.Tests;

/// <summary>Damage done to a checkpoint file where it hurts: its header, its tensor data, its end.</summary>
internal static class CheckpointDamage
{
    // Magic (4 bytes) and format version (4), then the header section's length (8).
    private const int HeaderLengthAt = 8;

    public static void FlipByte(string path, long offset)
    {
        byte[] bytes = File.ReadAllBytes(path);
        bytes[offset] ^= 0x5a;
        File.WriteAllBytes(path, bytes);
    }

    /// <summary>A byte inside the JSON header, past the section's length.</summary>
    public static void FlipHeaderByte(string path) => FlipByte(path, HeaderLengthAt + 8 + HeaderLength(path) / 2);

    /// <summary>A byte of the first tensor's values: past the header's bytes, its CRC and the tensor section's length.</summary>
    public static void FlipTensorByte(string path) => FlipByte(path, HeaderLengthAt + 8 + HeaderLength(path) + 4 + 8 + 1);

    public static void Truncate(string path, long length)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Write);
        file.SetLength(length);
    }

    private static long HeaderLength(string path)
    {
        using var reader = new BinaryReader(File.OpenRead(path));
        reader.BaseStream.Position = HeaderLengthAt;
        return reader.ReadInt64();
    }
}
