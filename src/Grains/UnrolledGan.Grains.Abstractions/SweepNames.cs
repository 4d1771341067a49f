using System.Text.RegularExpressions;

namespace UnrolledGan.Grains;

/// <summary>
/// What a sweep name and a job id may look like. Both become folder names under the results folder, so anything
/// else (a path separator, "..", a trailing newline) is refused wherever one arrives.
/// </summary>
public static partial class SweepNames
{
    public const string Rule = "1-64 letters, digits, '.', '-' or '_', starting with a letter or digit";

    public static bool IsSweepName(string? name) => name is not null && SweepName().IsMatch(name) && name is not "." and not "..";

    /// <summary>k{K}-x{size}-s{seed}-{8 hex digits}, as the sweep planner makes them.</summary>
    public static bool IsJobId(string? jobId) => jobId is not null && JobId().IsMatch(jobId);

    [GeneratedRegex(@"\A[A-Za-z0-9][A-Za-z0-9._-]{0,63}\z")]
    private static partial Regex SweepName();

    [GeneratedRegex(@"\Ak[0-9]{1,9}-x[0-9]+(\.[0-9]+)?-s[0-9]{1,10}-[0-9a-f]{8}\z")]
    private static partial Regex JobId();
}
