using System.Runtime.InteropServices;

namespace UnrolledGan.Trainer;

/// <summary>
/// The memory limit a silo sets for each trainer it starts (Workers:TrainerMemoryLimit), passed in
/// <see cref="EnvironmentVariable"/> and applied by the trainer to itself as RLIMIT_DATA before any tensor exists.
/// RLIMIT_DATA, not RLIMIT_AS: the .NET runtime reserves far more address space than it uses and fails to start under
/// RLIMIT_AS, while its PROT_NONE reservations do not count against RLIMIT_DATA. libtorch's allocations then fail
/// with ENOMEM (README, "Bad input and faults"), and the run ends as a failure naming the limit; the machine is not
/// touched. The machine this was measured on has cgroup v1 only, owned by its own supervisor, so no cgroup is used.
/// </summary>
public static class TrainerMemoryLimit
{
    public const string EnvironmentVariable = "UNROLLEDGAN_MEMORY_LIMIT";
    private const int RlimitData = 2;

    /// <summary>The limit in bytes this process was asked to run under, or null.</summary>
    public static long? Requested() =>
        JobMemory.TryParseSize(Environment.GetEnvironmentVariable(EnvironmentVariable), out long bytes) ? bytes : null;

    /// <summary>Lowers this process's RLIMIT_DATA to the requested limit; children inherit it.</summary>
    public static void Apply()
    {
        if (Requested() is not { } bytes || !OperatingSystem.IsLinux())
        {
            return;
        }
        var limit = new Limit { Current = (ulong)bytes, Maximum = (ulong)bytes };
        if (SetLimit(RlimitData, ref limit) != 0)
        {
            throw new InvalidOperationException(
                $"cannot set the memory limit of {JobMemory.Format(bytes)} ({EnvironmentVariable}): errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>
    /// The one-line failure for an allocation refused under the limit, or null for any other failure. libtorch reports
    /// it as "DefaultCPUAllocator: can't allocate memory" followed by a native stack; the runtime as OutOfMemoryException.
    /// </summary>
    public static Exception? Exceeded(Exception failure) =>
        Requested() is { } bytes && (failure is OutOfMemoryException || failure.Message.Contains("can't allocate memory", StringComparison.Ordinal))
            ? new InsufficientMemoryException(
                $"the trainer exceeded its memory limit of {JobMemory.Format(bytes)} (Workers:TrainerMemoryLimit); " +
                "lower batchSize or K, or raise the limit")
            : null;

    [StructLayout(LayoutKind.Sequential)]
    private struct Limit
    {
        public ulong Current;
        public ulong Maximum;
    }

    [DllImport("libc", EntryPoint = "setrlimit", SetLastError = true)]
    private static extern int SetLimit(int resource, ref Limit limit);
}
