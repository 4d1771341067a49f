using SkiaSharp;
using UnrolledGan.Trainer;

namespace UnrolledGan.Figures;

/// <summary>One row of a picture grid: a run's snapshots left to right, labelled at the left.</summary>
public sealed record PictureRow(string Label, IReadOnlyList<SnapshotImage> Panels);

/// <summary>
/// Draws rows of snapshots as the paper's Figs. 2 and 3 do: one row per run, one column per training step, with
/// the data in the last column. Densities use a white-to-navy colour map; images are drawn as they are.
/// </summary>
public static class PictureGrid
{
    private const int Panel = 132;
    private const int Gap = 6;
    private const int LabelWidth = 170;
    private const int HeaderHeight = 28;
    private const int TitleHeight = 34;

    public static void Save(string path, string title, IReadOnlyList<PictureRow> rows, string dataCaption = "data")
    {
        int columns = rows.Count == 0 ? 1 : rows.Max(r => r.Panels.Count);
        int width = LabelWidth + columns * (Panel + Gap) + Gap;
        int height = TitleHeight + HeaderHeight + rows.Count * (Panel + Gap) + Gap;

        using var surface = SKSurface.Create(new SKImageInfo(width, height));
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        using var titleFont = new SKFont(SKTypeface.Default, 16);
        using var textFont = new SKFont(SKTypeface.Default, 12);
        using var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        canvas.DrawText(title, Gap, 22, titleFont, ink);

        var header = rows.FirstOrDefault(r => r.Panels.Count == columns)?.Panels ?? [];
        for (int c = 0; c < header.Count; c++)
        {
            string caption = header[c].Step < 0 ? dataCaption : $"step {header[c].Step:N0}";
            float x = LabelWidth + c * (Panel + Gap) + Panel / 2f;
            canvas.DrawText(caption, x, TitleHeight + 18, SKTextAlign.Center, textFont, ink);
        }

        for (int r = 0; r < rows.Count; r++)
        {
            float top = TitleHeight + HeaderHeight + r * (Panel + Gap);
            canvas.DrawText(rows[r].Label, Gap, top + Panel / 2f + 4, textFont, ink);
            for (int c = 0; c < rows[r].Panels.Count; c++)
            {
                using var bitmap = ToBitmap(rows[r].Panels[c]);
                var target = SKRect.Create(LabelWidth + c * (Panel + Gap), top, Panel, Panel);
                using var image = SKImage.FromBitmap(bitmap);
                canvas.DrawImage(image, target, new SKSamplingOptions(SKFilterMode.Nearest));
                using var frame = new SKPaint { Color = SKColors.LightGray, Style = SKPaintStyle.Stroke };
                canvas.DrawRect(target, frame);
            }
        }

        using var snapshot = surface.Snapshot();
        using var png = snapshot.Encode(SKEncodedImageFormat.Png, 100);
        AtomicFile.WriteAllBytes(path, png.ToArray());
    }

    /// <summary>
    /// A sweep's picture: the jobs' own grids (from <see cref="Save"/>) one under another, each without its title,
    /// so K = 0's single-mode rotation and K = 10's spread sit side by side. Missing files are skipped.
    /// </summary>
    public static bool Stack(string path, string title, IReadOnlyList<string> grids)
    {
        var images = grids.Where(File.Exists).Select(SKBitmap.Decode).Where(b => b is not null).ToArray();
        try
        {
            if (images.Length == 0)
            {
                return false;
            }
            int width = images.Max(i => i.Width);
            int height = TitleHeight + images.Sum(i => i.Height - TitleHeight);
            using var surface = SKSurface.Create(new SKImageInfo(width, height));
            var canvas = surface.Canvas;
            canvas.Clear(SKColors.White);
            using var titleFont = new SKFont(SKTypeface.Default, 16);
            using var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true };
            canvas.DrawText(title, Gap, 22, titleFont, ink);
            float top = TitleHeight;
            foreach (var image in images)
            {
                var body = SKRectI.Create(0, TitleHeight, image.Width, image.Height - TitleHeight);
                canvas.DrawBitmap(image, body, SKRect.Create(0, top, body.Width, body.Height));
                top += body.Height;
            }
            using var snapshot = surface.Snapshot();
            using var png = snapshot.Encode(SKEncodedImageFormat.Png, 100);
            AtomicFile.WriteAllBytes(path, png.ToArray());
            return true;
        }
        finally
        {
            foreach (var image in images)
            {
                image.Dispose();
            }
        }
    }

    private static SKBitmap ToBitmap(SnapshotImage image)
    {
        var bitmap = new SKBitmap(image.Width, image.Height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        for (int row = 0; row < image.Height; row++)
        {
            for (int column = 0; column < image.Width; column++)
            {
                bitmap.SetPixel(column, row, image.IsDensity
                    ? ColorMap(image[row, column, 0] / 255.0)
                    : image.Channels == 1
                        ? new SKColor(image[row, column, 0], image[row, column, 0], image[row, column, 0])
                        : new SKColor(image[row, column, 0], image[row, column, 1], image[row, column, 2]));
            }
        }
        return bitmap;
    }

    /// <summary>White through teal to navy, so empty space stays white as in the paper's heat maps.</summary>
    private static SKColor ColorMap(double t)
    {
        (double R, double G, double B)[] stops = [(255, 255, 255), (120, 198, 190), (33, 102, 172), (8, 29, 88)];
        double position = Math.Clamp(t, 0, 1) * (stops.Length - 1);
        int i = Math.Min((int)position, stops.Length - 2);
        double f = position - i;
        byte Mix(double a, double b) => (byte)Math.Round(a + (b - a) * f);
        return new SKColor(Mix(stops[i].R, stops[i + 1].R), Mix(stops[i].G, stops[i + 1].G), Mix(stops[i].B, stops[i + 1].B));
    }
}
