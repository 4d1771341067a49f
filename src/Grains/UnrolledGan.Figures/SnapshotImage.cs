namespace UnrolledGan.Figures;

/// <summary>
/// A small picture of a model at one training step: a density (1 channel, drawn with a colour map) or generated
/// images (1 or 3 channels). Pixels are row-major, channel-interleaved bytes, so checkpoints and result folders
/// can carry them as JSON and sweeps can lay many runs side by side.
/// </summary>
public sealed record SnapshotImage(int Step, int Width, int Height, int Channels, byte[] Pixels, bool IsDensity)
{
    public byte this[int row, int column, int channel] => Pixels[(row * Width + column) * Channels + channel];
}
