using UnrolledGan.Grains;
using UnrolledGan.Trainer;

namespace UnrolledGan.Web;

/// <summary>One of the results' files, open for serving (the response disposes the stream once it is sent).</summary>
public sealed record ServedFile(FileStream Stream, string ContentType, DateTimeOffset LastModified) : IDisposable
{
    public void Dispose() => Stream.Dispose();
}

/// <summary>
/// The only files the page serves: a sweep's own files and its jobs' files, inside the results folder. Every name
/// must be a plain name (no separators, no leading dot, so no "..", ".state" or absolute path), the resolved path must
/// lie under the results folder, and only the kinds of file the page links to are served (never checkpoints). The
/// file itself, links followed, must be the one of that name in the sweep's or the job's folder.
/// </summary>
public static class ResultFiles
{
    private static readonly Dictionary<string, string> ContentTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        [".png"] = "image/png",
        [".csv"] = "text/csv; charset=utf-8",
        [".tex"] = "text/plain; charset=utf-8",
        [".md"] = "text/markdown; charset=utf-8",
        [".json"] = "application/json; charset=utf-8",
        [".jsonl"] = "application/jsonl; charset=utf-8",
    };

    /// <summary>A sweep name, or a file name by the same rule (no separator, no leading dot, nothing after the end).</summary>
    public static bool IsPlainName(string? name) => SweepNames.IsSweepName(name);

    /// <summary>The sweep's file (job null) or the job's file, open, if it may be served and really is in its folder.</summary>
    public static ServedFile? Open(string resultsFolder, string sweep, string? job, string file)
    {
        if (Resolve(resultsFolder, sweep, job, file) is not { } found || ContainedFile.RealPath(resultsFolder) is not { } root)
        {
            return null;
        }
        string folder = job is null ? Path.Combine(root, sweep) : TrainerProtocol.JobFolder(Path.Combine(root, sweep), job);
        return ContainedFile.Open(folder, file) is { } stream
            ? new ServedFile(stream, found.ContentType, File.GetLastWriteTimeUtc(stream.SafeFileHandle))
            : null;
    }

    /// <summary>The full path and content type of a sweep's file (job null) or a job's file, or null when it may not be served.</summary>
    public static (string Path, string ContentType)? Resolve(string resultsFolder, string sweep, string? job, string file)
    {
        if (!IsPlainName(sweep) || (job is not null && !SweepNames.IsJobId(job)) || !IsPlainName(file)
            || !ContentTypes.TryGetValue(Path.GetExtension(file), out string? contentType))
        {
            return null;
        }
        string root = Path.GetFullPath(resultsFolder);
        string path = Path.GetFullPath(job is null ? Path.Combine(root, sweep, file) : Path.Combine(TrainerProtocol.JobFolder(Path.Combine(root, sweep), job), file));
        return path.StartsWith(Path.TrimEndingDirectorySeparator(root) + Path.DirectorySeparatorChar, StringComparison.Ordinal)
            ? (path, contentType)
            : null;
    }
}
