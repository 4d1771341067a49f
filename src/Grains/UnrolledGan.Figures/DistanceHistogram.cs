using SkiaSharp;
using UnrolledGan.Trainer;

namespace UnrolledGan.Figures;

/// <summary>
/// The paper's Fig. 6 (§3.4.2): overlaid histograms of ℓ2 distances between random pairs of samples, one step
/// curve per series. Each histogram is normalised to unit area over shared bins, so data and models with different
/// numbers of pairs compare by shape, and a collapsed model shows as mass shifted to the left.
/// </summary>
public static class DistanceHistogram
{
    public const int Width = 760;
    public const int Height = 460;
    public const int Bins = 40;

    private const int Left = 70;
    private const int Right = 20;
    private const int Top = 44;
    private const int Bottom = 56;

    /// <param name="series">The series whose label is <paramref name="dataLabel"/> (case-insensitive) is drawn in
    /// black as the reference; the others take colours from a ramp in the order given (e.g. 0, 1, 5, 10 unrolling steps).</param>
    public static void Save(string path, string title, IReadOnlyList<(string Label, double[] Distances)> series, string dataLabel = "data")
    {
        ArgumentNullException.ThrowIfNull(series);
        var finite = series.SelectMany(s => s.Distances).Where(double.IsFinite).ToArray();
        double high = finite.Length == 0 ? 1 : finite.Max();
        high = high > 0 ? high * 1.02 : 1;
        double binWidth = high / Bins;
        var densities = series.Select(s => Density(s.Distances, binWidth)).ToArray();
        double peak = densities.SelectMany(d => d).DefaultIfEmpty(0).Max();
        peak = peak > 0 ? peak * 1.08 : 1;

        using var surface = SKSurface.Create(new SKImageInfo(Width, Height));
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        var typeface = Typeface(out bool hasEll);
        string Text(string text) => hasEll ? text : text.Replace('ℓ', 'l');
        using var titleFont = new SKFont(typeface, 16);
        using var textFont = new SKFont(typeface, 12);
        using var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        using var axis = new SKPaint { Color = SKColors.Black, Style = SKPaintStyle.Stroke, StrokeWidth = 1 };
        canvas.DrawText(Text(title), Left, 26, titleFont, ink);

        float plotWidth = Width - Left - Right, plotHeight = Height - Top - Bottom;
        float X(double value) => Left + (float)(value / high) * plotWidth;
        float Y(double density) => Top + plotHeight - (float)(density / peak) * plotHeight;

        canvas.DrawRect(Left, Top, plotWidth, plotHeight, axis);
        foreach (double tick in Ticks(high))
        {
            canvas.DrawLine(X(tick), Top + plotHeight, X(tick), Top + plotHeight + 5, axis);
            canvas.DrawText(tick.ToString("G4"), X(tick), Top + plotHeight + 18, SKTextAlign.Center, textFont, ink);
        }
        foreach (double tick in Ticks(peak))
        {
            canvas.DrawLine(Left - 5, Y(tick), Left, Y(tick), axis);
            canvas.DrawText(tick.ToString("G3"), Left - 8, Y(tick) + 4, SKTextAlign.Right, textFont, ink);
        }
        canvas.DrawText(Text("ℓ2 distance"), Left + plotWidth / 2, Height - 14, SKTextAlign.Center, textFont, ink);
        canvas.Save();
        canvas.RotateDegrees(-90, 16, Top + plotHeight / 2);
        canvas.DrawText("density", 16, Top + plotHeight / 2 + 4, SKTextAlign.Center, textFont, ink);
        canvas.Restore();

        var colors = Colors(series.Select(s => s.Label).ToArray(), dataLabel);
        for (int s = 0; s < series.Count; s++)
        {
            using var line = new SKPaint { Color = colors[s], Style = SKPaintStyle.Stroke, StrokeWidth = 2, IsAntialias = true };
            using var step = new SKPath();
            step.MoveTo(X(0), Y(0));
            for (int b = 0; b < Bins; b++)
            {
                step.LineTo(X(b * binWidth), Y(densities[s][b]));
                step.LineTo(X((b + 1) * binWidth), Y(densities[s][b]));
            }
            step.LineTo(X(high), Y(0));
            canvas.DrawPath(step, line);

            float legendY = Top + 16 + s * 18;
            float legendX = Left + plotWidth - 150;
            canvas.DrawLine(legendX, legendY - 4, legendX + 24, legendY - 4, line);
            canvas.DrawText(Text(series[s].Label), legendX + 30, legendY, textFont, ink);
        }

        using var snapshot = surface.Snapshot();
        using var png = snapshot.Encode(SKEncodedImageFormat.Png, 100);
        AtomicFile.WriteAllBytes(path, png.ToArray());
    }

    /// <summary>
    /// A face that has "ℓ" (U+2113): the default one here (DejaVu Serif) lacks it and would draw a box, and the font
    /// manager's character match finds nothing without fontconfig. Failing all, "ℓ" is written as "l".
    /// </summary>
    private static SKTypeface Typeface(out bool hasEll)
    {
        const int ell = 0x2113;
        foreach (var candidate in new[] { SKTypeface.Default, SKTypeface.FromFamilyName("DejaVu Sans"), SKFontManager.Default.MatchCharacter(ell) })
        {
            if (candidate is not null && candidate.ContainsGlyph(ell))
            {
                hasEll = true;
                return candidate;
            }
        }
        hasEll = false;
        return SKTypeface.Default;
    }

    /// <summary>Counts per bin divided by (count · bin width): unit area, so series of different sizes overlay.</summary>
    private static double[] Density(double[] distances, double binWidth)
    {
        var counts = new double[Bins];
        int total = 0;
        foreach (double distance in distances.Where(double.IsFinite))
        {
            counts[Math.Clamp((int)(distance / binWidth), 0, Bins - 1)]++;
            total++;
        }
        return total == 0 ? counts : counts.Select(c => c / (total * binWidth)).ToArray();
    }

    /// <summary>Black for the data; models along a ramp from orange through magenta to blue, as distinct as possible.</summary>
    private static SKColor[] Colors(string[] labels, string dataLabel)
    {
        (double R, double G, double B)[] stops = [(230, 120, 20), (200, 30, 120), (110, 40, 170), (30, 110, 200)];
        int models = labels.Count(l => !string.Equals(l, dataLabel, StringComparison.OrdinalIgnoreCase));
        var colors = new SKColor[labels.Length];
        int m = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            if (string.Equals(labels[i], dataLabel, StringComparison.OrdinalIgnoreCase))
            {
                colors[i] = SKColors.Black;
                continue;
            }
            double position = models <= 1 ? 0 : (double)m++ / (models - 1) * (stops.Length - 1);
            int k = Math.Min((int)position, stops.Length - 2);
            double f = position - k;
            byte Mix(double a, double b) => (byte)Math.Round(a + (b - a) * f);
            colors[i] = new SKColor(Mix(stops[k].R, stops[k + 1].R), Mix(stops[k].G, stops[k + 1].G), Mix(stops[k].B, stops[k + 1].B));
        }
        return colors;
    }

    /// <summary>About five round tick values (1, 2 or 5 × 10ⁿ apart) from 0 to <paramref name="high"/>.</summary>
    private static IEnumerable<double> Ticks(double high)
    {
        double raw = high / 5;
        double magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double spacing = new[] { 1, 2, 5, 10 }.Select(s => s * magnitude).First(s => s >= raw);
        for (double tick = 0; tick <= high + 1e-12; tick += spacing)
        {
            yield return tick;
        }
    }
}
