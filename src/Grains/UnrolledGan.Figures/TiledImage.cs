namespace UnrolledGan.Figures;

/// <summary>Generated or real images laid out in a square grid, as the paper's sample figures (Figs. 3–4, App. 5) show them.</summary>
public static class TiledImage
{
    /// <param name="planar">Images one after another, each channel-planar (C×H×W), values in [−1, 1].</param>
    public static SnapshotImage FromPlanar(ReadOnlySpan<float> planar, int count, int channels, int height, int width,
        int columns, int step)
    {
        int rows = (count + columns - 1) / columns;
        const int gap = 1;
        int gridWidth = columns * (width + gap) - gap, gridHeight = rows * (height + gap) - gap;
        var pixels = new byte[gridWidth * gridHeight * channels];
        Array.Fill(pixels, (byte)255);
        int imageSize = channels * height * width;
        for (int n = 0; n < count; n++)
        {
            int top = n / columns * (height + gap), left = n % columns * (width + gap);
            for (int c = 0; c < channels; c++)
            {
                for (int y = 0; y < height; y++)
                {
                    for (int x = 0; x < width; x++)
                    {
                        float value = planar[n * imageSize + (c * height + y) * width + x];
                        pixels[((top + y) * gridWidth + left + x) * channels + c] = (byte)Math.Clamp(Math.Round((value + 1) * 127.5), 0, 255);
                    }
                }
            }
        }
        return new SnapshotImage(step, gridWidth, gridHeight, channels, pixels, IsDensity: false);
    }
}
