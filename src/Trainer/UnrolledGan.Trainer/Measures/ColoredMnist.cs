namespace UnrolledGan.Trainer.Measures;

/// <summary>The colored MNIST data set of App. F.1 (§3.3.2).</summary>
public static class ColoredMnist
{
    /// <summary>The standard deviation of each channel of a digit's colour C (App. F.1).</summary>
    public const float ColorStd = 0.5f;

    /// <summary>
    /// One coloured digit exactly as App. F.1 makes it: I·C + (I − 1) per channel, plus independent N(0, noiseStd²)
    /// noise on every value, clipped to [−1, 1]. The background (I = 0) is therefore −1 and a full stroke (I = 1) is C.
    /// </summary>
    /// <param name="digit01">The MNIST digit I, H·W values in [0, 1], row-major.</param>
    /// <param name="gaussian">Draws one standard normal value; called once per output value, channel by channel.</param>
    /// <returns>A 3×H×W image, channel-planar (R plane, then G, then B), as the generator emits it.</returns>
    public static float[] Colorize(ReadOnlySpan<float> digit01, float r, float g, float b, Func<float> gaussian, float noiseStd = 0.2f)
    {
        ArgumentNullException.ThrowIfNull(gaussian);
        int pixels = digit01.Length;
        var image = new float[3 * pixels];
        ReadOnlySpan<float> color = [r, g, b];
        for (int channel = 0; channel < 3; channel++)
        {
            float c = color[channel];
            for (int p = 0; p < pixels; p++)
            {
                float intensity = digit01[p];
                float value = intensity * c + (intensity - 1) + noiseStd * gaussian();
                image[channel * pixels + p] = Math.Clamp(value, -1f, 1f);
            }
        }
        return image;
    }
}
