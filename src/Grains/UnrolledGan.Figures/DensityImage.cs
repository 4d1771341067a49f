namespace UnrolledGan.Figures;

/// <summary>Turns 2-D samples into a density picture in the style of the paper's Fig. 2.</summary>
public static class DensityImage
{
    /// <param name="points">Interleaved x, y coordinates.</param>
    /// <param name="extent">The picture covers [−extent, extent] on both axes.</param>
    public static SnapshotImage FromPoints(ReadOnlySpan<float> points, double extent, int bins, int step)
    {
        var histogram = new double[bins, bins];
        for (int i = 0; i + 1 < points.Length; i += 2)
        {
            int column = (int)Math.Floor((points[i] + extent) / (2 * extent) * bins);
            int row = (int)Math.Floor((extent - points[i + 1]) / (2 * extent) * bins);
            if (column >= 0 && column < bins && row >= 0 && row < bins)
            {
                histogram[row, column]++;
            }
        }
        var smooth = Blur(histogram, sigma: 1.0);
        double max = smooth.Cast<double>().Max();
        var pixels = new byte[bins * bins];
        for (int row = 0; row < bins; row++)
        {
            for (int column = 0; column < bins; column++)
            {
                // A square-root scale keeps small modes visible beside a collapsed one, as a heat map would.
                double value = max > 0 ? Math.Sqrt(smooth[row, column] / max) : 0;
                pixels[row * bins + column] = (byte)Math.Round(255 * value);
            }
        }
        return new SnapshotImage(step, bins, bins, 1, pixels, IsDensity: true);
    }

    private static double[,] Blur(double[,] image, double sigma)
    {
        int radius = (int)Math.Ceiling(3 * sigma);
        var kernel = Enumerable.Range(-radius, 2 * radius + 1).Select(d => Math.Exp(-d * d / (2 * sigma * sigma))).ToArray();
        double norm = kernel.Sum();
        int size = image.GetLength(0);
        var horizontal = new double[size, size];
        var result = new double[size, size];
        for (int row = 0; row < size; row++)
        {
            for (int column = 0; column < size; column++)
            {
                double sum = 0;
                for (int d = -radius; d <= radius; d++)
                {
                    int c = column + d;
                    if (c >= 0 && c < size)
                    {
                        sum += kernel[d + radius] * image[row, c];
                    }
                }
                horizontal[row, column] = sum / norm;
            }
        }
        for (int row = 0; row < size; row++)
        {
            for (int column = 0; column < size; column++)
            {
                double sum = 0;
                for (int d = -radius; d <= radius; d++)
                {
                    int r = row + d;
                    if (r >= 0 && r < size)
                    {
                        sum += kernel[d + radius] * horizontal[r, column];
                    }
                }
                result[row, column] = sum / norm;
            }
        }
        return result;
    }
}
