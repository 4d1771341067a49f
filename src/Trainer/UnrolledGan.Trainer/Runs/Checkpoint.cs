using TorchSharp;
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
    public required IReadOnlyList<SnapshotMetrics> Snapshots { get; init; }
    public required IReadOnlyList<SnapshotImage> Pictures { get; init; }
    public required IReadOnlyDictionary<string, long> OptimizerSteps { get; init; }

    /// <summary>Copies of θ_D taken for App. B.1's ensemble so far; the copies themselves are among the tensors.</summary>
    public long EnsembleCopiesTaken { get; init; }
    public IReadOnlyList<TensorEntry> Tensors { get; init; } = [];
}

internal sealed record TensorEntry(string Name, long[] Shape);

/// <summary>
/// A checkpoint file: the magic "UGCK", a format version, a JSON header (config, step, snapshots so far) and the raw
/// float32 tensors in header order. Written atomically, so a job killed mid-write keeps its previous checkpoint.
/// </summary>
internal static class Checkpoint
{
    private const int FormatVersion = 1;
    private static readonly byte[] Magic = "UGCK"u8.ToArray();

    public static void Save(string path, CheckpointHeader header, IReadOnlyList<(string Name, Tensor Tensor)> tensors)
    {
        header = header with { Tensors = tensors.Select(t => new TensorEntry(t.Name, t.Tensor.shape)).ToArray() };
        AtomicFile.Write(path, stream =>
        {
            using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
            writer.Write(Magic);
            writer.Write(FormatVersion);
            byte[] json = JsonSerializer.SerializeToUtf8Bytes(header, TrainerJson.Compact);
            writer.Write(json.Length);
            writer.Write(json);
            foreach (var (_, tensor) in tensors)
            {
                using var values = tensor.detach().to(ScalarType.Float32).cpu().contiguous();
                writer.Write(MemoryMarshal.AsBytes(values.data<float>().ToArray().AsSpan()));
            }
        });
    }

    public static CheckpointHeader ReadHeader(string path)
    {
        using var reader = Open(path);
        return ReadHeader(reader, path);
    }

    /// <summary>Copies the stored tensors into the live ones, which must match by name and shape.</summary>
    public static CheckpointHeader Load(string path, IReadOnlyList<(string Name, Tensor Tensor)> live)
    {
        using var reader = Open(path);
        var header = ReadHeader(reader, path);
        var expected = live.Select(t => $"{t.Name}[{string.Join(',', t.Tensor.shape)}]");
        var stored = header.Tensors.Select(t => $"{t.Name}[{string.Join(',', t.Shape)}]");
        if (!expected.SequenceEqual(stored))
        {
            throw new InvalidDataException($"checkpoint '{path}' holds different tensors than this model");
        }
        using var noGrad = no_grad();
        foreach (var (_, tensor) in live)
        {
            var values = new float[tensor.numel()];
            reader.BaseStream.ReadExactly(MemoryMarshal.AsBytes(values.AsSpan()));
            using var saved = torch.tensor(values, tensor.shape);
            tensor.copy_(saved);
        }
        return header;
    }

    private static BinaryReader Open(string path) =>
        new(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read), Encoding.UTF8);

    private static CheckpointHeader ReadHeader(BinaryReader reader, string path)
    {
        if (!reader.ReadBytes(Magic.Length).SequenceEqual(Magic) || reader.ReadInt32() != FormatVersion)
        {
            throw new InvalidDataException($"'{path}' is not a checkpoint of this trainer version");
        }
        byte[] json = reader.ReadBytes(reader.ReadInt32());
        return JsonSerializer.Deserialize<CheckpointHeader>(json, TrainerJson.Compact)
            ?? throw new InvalidDataException($"checkpoint '{path}' has an empty header");
    }
}
