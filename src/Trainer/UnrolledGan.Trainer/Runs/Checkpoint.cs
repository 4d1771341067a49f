using TorchSharp;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using UnrolledGan.Figures;
using static TorchSharp.torch;

namespace UnrolledGan.Trainer.Runs;

/// <summary>Everything a job needs to continue as if it had never stopped, beside the tensors themselves.</summary>
internal sealed record CheckpointHeader
{
    public required TrainingConfig Config { get; init; }
    public required int Step { get; init; }
    public required double TrainSeconds { get; init; }
    public required double EvalSeconds { get; init; }

    /// <summary>
    /// Wall time of every process of the job up to this checkpoint, so the result's wall time covers them all; a
    /// checkpoint written before this field existed reads 0 (the earlier processes' time is unknown).
    /// </summary>
    public double WallSeconds { get; init; }
    public required IReadOnlyList<SnapshotMetrics> Snapshots { get; init; }
    public required IReadOnlyList<SnapshotImage> Pictures { get; init; }
    public required IReadOnlyDictionary<string, long> OptimizerSteps { get; init; }

    /// <summary>Copies of θ_D taken for App. B.1's ensemble so far; the copies themselves are among the tensors.</summary>
    public long EnsembleCopiesTaken { get; init; }
    public IReadOnlyList<TensorEntry> Tensors { get; init; } = [];
}

internal sealed record TensorEntry(string Name, long[] Shape);

/// <summary>A checkpoint read whole and found intact, not yet copied into a model.</summary>
internal sealed record StoredCheckpoint(CheckpointHeader Header, IReadOnlyList<float[]> Values)
{
    /// <summary>Copies the stored tensors into the live ones, which <see cref="Checkpoint.Read"/> matched by name and shape.</summary>
    public void CopyInto(IReadOnlyList<(string Name, Tensor Tensor)> live)
    {
        using var noGrad = no_grad();
        foreach (var ((_, tensor), values) in live.Zip(Values))
        {
            using var saved = torch.tensor(values, tensor.shape);
            tensor.copy_(saved);
        }
    }
}

/// <summary>
/// A checkpoint file: the magic "UGCK" and a format version, then sections, each its length, its bytes and their
/// CRC-32: first a JSON header (config, step, snapshots so far, the tensors' names and shapes), then one section per
/// float32 tensor in header order. There is no random generator state to keep: randomness depends only on
/// (seed, step). Any damage (a cut-short file, a flipped byte in the header or in tensor data) is found before a
/// single value is loaded. Written atomically, so a job killed mid-write keeps its earlier checkpoints.
/// </summary>
internal static class Checkpoint
{
    private const int FormatVersion = 2;
    private static readonly byte[] Magic = "UGCK"u8.ToArray();

    public static void Save(string path, CheckpointHeader header, IReadOnlyList<(string Name, Tensor Tensor)> tensors)
    {
        header = header with { Tensors = tensors.Select(t => new TensorEntry(t.Name, t.Tensor.shape)).ToArray() };
        AtomicFile.Write(path, stream =>
        {
            using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
            writer.Write(Magic);
            writer.Write(FormatVersion);
            WriteSection(writer, JsonSerializer.SerializeToUtf8Bytes(header, TrainerJson.Compact));
            foreach (var (_, tensor) in tensors)
            {
                using var values = tensor.detach().to(ScalarType.Float32).cpu().contiguous();
                WriteSection(writer, MemoryMarshal.AsBytes(values.data<float>().ToArray().AsSpan()));
            }
        });
    }

    /// <summary>The header alone, checked against its checksum; the tensors are not read.</summary>
    public static CheckpointHeader ReadHeader(string path) => Guarded(() =>
    {
        using var reader = Open(path);
        return ReadHeader(reader);
    });

    /// <summary>
    /// Reads and checks the whole file, its tensors against the live ones by name and shape, before anything is loaded:
    /// a damaged checkpoint changes nothing. Damage throws <see cref="InvalidDataException"/> saying what is wrong.
    /// </summary>
    public static StoredCheckpoint Read(string path, IReadOnlyList<(string Name, Tensor Tensor)> live) => Guarded(() =>
    {
        using var reader = Open(path);
        var header = ReadHeader(reader);
        var expected = live.Select(t => $"{t.Name}[{string.Join(',', t.Tensor.shape)}]");
        var stored = header.Tensors.Select(t => $"{t.Name}[{string.Join(',', t.Shape)}]");
        if (!expected.SequenceEqual(stored))
        {
            throw new InvalidDataException("it holds different tensors than this model");
        }
        var values = live.Select(t =>
        {
            var floats = new float[t.Tensor.numel()];
            ReadSection(reader, $"tensor {t.Name}", MemoryMarshal.AsBytes(floats.AsSpan()));
            return floats;
        }).ToArray();
        long extra = reader.BaseStream.Length - reader.BaseStream.Position;
        if (extra != 0)
        {
            throw new InvalidDataException($"{extra} bytes follow its last section");
        }
        return new StoredCheckpoint(header, values);
    });

    private static T Guarded<T>(Func<T> read)
    {
        try
        {
            return read();
        }
        catch (EndOfStreamException)
        {
            throw new InvalidDataException("it ends early: the file was cut short");
        }
    }

    private static BinaryReader Open(string path) =>
        new(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read), Encoding.UTF8);

    private static CheckpointHeader ReadHeader(BinaryReader reader)
    {
        if (!reader.ReadBytes(Magic.Length).SequenceEqual(Magic))
        {
            throw new InvalidDataException("it does not start as a checkpoint does");
        }
        int version = reader.ReadInt32();
        if (version != FormatVersion)
        {
            throw new InvalidDataException(version < FormatVersion
                ? $"it was written by an older trainer (format {version}, without checksums)"
                : $"its format version {version} is unknown to this trainer");
        }
        long length = reader.ReadInt64();
        // A damaged length must not become a huge allocation: the header is never longer than the file.
        if (length < 0 || length > reader.BaseStream.Length - reader.BaseStream.Position)
        {
            throw new InvalidDataException($"its header claims {length} bytes, more than the file holds");
        }
        var json = new byte[length];
        ReadPayload(reader, "header", json);
        try
        {
            return JsonSerializer.Deserialize<CheckpointHeader>(json, TrainerJson.Compact)
                ?? throw new JsonException("the header is null");
        }
        catch (JsonException e)
        {
            // Intact by its checksum yet unreadable: written by a trainer whose header differs.
            throw new InvalidDataException($"its header does not read as this trainer's ({e.Message})");
        }
    }

    private static void WriteSection(BinaryWriter writer, ReadOnlySpan<byte> payload)
    {
        writer.Write((long)payload.Length);
        writer.Write(payload);
        writer.Write(Crc32.HashToUInt32(payload));
    }

    private static void ReadSection(BinaryReader reader, string section, Span<byte> payload)
    {
        long length = reader.ReadInt64();
        if (length != payload.Length)
        {
            throw new InvalidDataException($"its {section} holds {length} bytes instead of {payload.Length}");
        }
        ReadPayload(reader, section, payload);
    }

    private static void ReadPayload(BinaryReader reader, string section, Span<byte> payload)
    {
        reader.BaseStream.ReadExactly(payload);
        if (reader.ReadUInt32() != Crc32.HashToUInt32(payload))
        {
            throw new InvalidDataException($"its {section} fails its checksum");
        }
    }
}
