namespace UnrolledGan.Trainer.Measures;

/// <summary>
/// Recovers the colour of a coloured digit (§3.3.2): k-means with 2 clusters over the pixels' colours separates the
/// digit from the background, and the foreground cluster's centroid is the colour.
/// </summary>
/// <remarks>
/// Which cluster is the foreground: the one whose centroid is farther from (−1, −1, −1). App. F.1 makes every image
/// as I·C + (I − 1), so the background sits at −1 in every channel whatever the colour, while the digit sits at C.
/// That rule holds for any stroke area, whereas "the smaller cluster" fails for thick digits, and it degrades
/// only when C itself is close to (−1, −1, −1), where no rule can tell the digit from the background.
/// </remarks>
public static class ForegroundColor
{
    /// <summary>Lloyd's iterations stop here even if assignments still change (they settle in a few on digits).</summary>
    public const int MaxIterations = 50;

    private const float Background = -1f;

    /// <param name="image">One 3×H×W image, channel-planar, values in [−1, 1].</param>
    public static (float R, float G, float B) Of(ReadOnlySpan<float> image, int height, int width)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        int pixels = height * width;
        if (image.Length != 3 * pixels)
        {
            throw new ArgumentException($"A 3×{height}×{width} image has {3 * pixels} values, not {image.Length}.", nameof(image));
        }
        var red = image[..pixels];
        var green = image.Slice(pixels, pixels);
        var blue = image.Slice(2 * pixels, pixels);

        // Farthest-point initialisation, deterministic: the pixel nearest the background colour, then the pixel
        // farthest from it. Both seeds are real pixels, so neither cluster starts empty.
        int first = 0;
        double nearest = double.MaxValue;
        for (int p = 0; p < pixels; p++)
        {
            double d = Square(red[p] - Background) + Square(green[p] - Background) + Square(blue[p] - Background);
            if (d < nearest)
            {
                nearest = d;
                first = p;
            }
        }
        int second = first;
        double farthest = -1;
        for (int p = 0; p < pixels; p++)
        {
            double d = Square(red[p] - red[first]) + Square(green[p] - green[first]) + Square(blue[p] - blue[first]);
            if (d > farthest)
            {
                farthest = d;
                second = p;
            }
        }

        Span<double> centroids = [red[first], green[first], blue[first], red[second], green[second], blue[second]];
        Span<double> sums = stackalloc double[6];
        Span<int> sizes = stackalloc int[2];
        var assignment = new byte[pixels];
        for (int iteration = 0; iteration < MaxIterations; iteration++)
        {
            bool changed = iteration == 0;
            sums.Clear();
            sizes.Clear();
            for (int p = 0; p < pixels; p++)
            {
                double d0 = Square(red[p] - centroids[0]) + Square(green[p] - centroids[1]) + Square(blue[p] - centroids[2]);
                double d1 = Square(red[p] - centroids[3]) + Square(green[p] - centroids[4]) + Square(blue[p] - centroids[5]);
                byte cluster = d1 < d0 ? (byte)1 : (byte)0;
                changed |= cluster != assignment[p];
                assignment[p] = cluster;
                sizes[cluster]++;
                sums[3 * cluster] += red[p];
                sums[3 * cluster + 1] += green[p];
                sums[3 * cluster + 2] += blue[p];
            }
            for (int k = 0; k < 2; k++)
            {
                // An emptied cluster keeps its old centroid; it can only happen when every pixel has one colour.
                if (sizes[k] > 0)
                {
                    for (int c = 0; c < 3; c++)
                    {
                        centroids[3 * k + c] = sums[3 * k + c] / sizes[k];
                    }
                }
            }
            if (!changed)
            {
                break;
            }
        }

        double distance0 = Square(centroids[0] - Background) + Square(centroids[1] - Background) + Square(centroids[2] - Background);
        double distance1 = Square(centroids[3] - Background) + Square(centroids[4] - Background) + Square(centroids[5] - Background);
        int foreground = sizes[1] > 0 && (sizes[0] == 0 || distance1 > distance0) ? 1 : 0;
        return ((float)centroids[3 * foreground], (float)centroids[3 * foreground + 1], (float)centroids[3 * foreground + 2]);
    }

    /// <summary>Every image's foreground colour as a 3-D point, ready for <see cref="ColorDivergence.JsDivergence"/>.</summary>
    /// <param name="images">Images one after another, each 3×H×W channel-planar.</param>
    public static List<double[]> OfEach(ReadOnlySpan<float> images, int height, int width)
    {
        int size = 3 * height * width;
        if (size <= 0 || images.Length % size != 0)
        {
            throw new ArgumentException($"{images.Length} values are not a whole number of 3×{height}×{width} images.", nameof(images));
        }
        var colors = new List<double[]>(images.Length / size);
        for (int offset = 0; offset < images.Length; offset += size)
        {
            var (r, g, b) = Of(images.Slice(offset, size), height, width);
            colors.Add([r, g, b]);
        }
        return colors;
    }

    private static double Square(double x) => x * x;
}
