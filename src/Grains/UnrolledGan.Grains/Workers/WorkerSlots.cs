using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using UnrolledGan.Grains.Telemetry;

namespace UnrolledGan.Grains.Workers;

/// <summary>
/// This silo's worker slots: one per visible GPU, else the configured number of CPU slots. A slot is reserved before
/// a job is leased and released when its process has exited, however it ended.
/// </summary>
public sealed class WorkerSlots
{
    private readonly Lock _gate = new();
    private readonly bool[] _busy;
    private readonly string?[] _owners;
    private readonly string?[] _devices;

    public WorkerSlots(IOptions<WorkerOptions> options, SweepMetrics metrics, ILogger<WorkerSlots> logger)
    {
        var gpus = VisibleGpus(options.Value.Gpus, Environment.GetEnvironmentVariable("CUDA_VISIBLE_DEVICES"),
            Directory.Exists("/dev") ? Directory.EnumerateFiles("/dev", "nvidia*") : []);
        _devices = gpus.Count > 0
            ? gpus.ToArray<string?>()
            : new string?[options.Value.CpuSlots > 0 ? options.Value.CpuSlots : Environment.ProcessorCount];
        _busy = new bool[_devices.Length];
        _owners = new string?[_devices.Length];
        Kind = gpus.Count > 0 ? "gpu" : "cpu";
        metrics.ObserveSlots(() => Capacity, () => Busy);
        logger.LogInformation("Worker slots: {Capacity} {Kind} slot(s)", Capacity, Kind);
    }

    /// <summary>Raised after a slot is released, so dispatch can fill it without waiting for its next poll.</summary>
    public event Action? Released;

    public int Capacity => _busy.Length;

    public string Kind { get; }

    public int Busy
    {
        get
        {
            lock (_gate)
            {
                return _busy.Count(b => b);
            }
        }
    }

    /// <summary>A free slot, now reserved, or null.</summary>
    public WorkerSlot? TryReserve()
    {
        lock (_gate)
        {
            int index = Array.IndexOf(_busy, false);
            if (index < 0)
            {
                return null;
            }
            _busy[index] = true;
            return new WorkerSlot(index, _devices[index]);
        }
    }

    /// <summary>Marks a reserved slot as the one for this run, which alone may then start in it.</summary>
    public void Assign(WorkerSlot slot, string run)
    {
        lock (_gate)
        {
            _owners[slot.Index] = run;
        }
    }

    /// <summary>The slot reserved and assigned to this run, or null: a run that holds no slot here does not start.</summary>
    public WorkerSlot? AssignedTo(string run)
    {
        lock (_gate)
        {
            int index = Array.IndexOf(_owners, run);
            return index >= 0 && _busy[index] ? new WorkerSlot(index, _devices[index]) : null;
        }
    }

    /// <summary>Frees the slot after its job's process exited.</summary>
    public void Release(WorkerSlot slot)
    {
        Return(slot);
        Released?.Invoke();
    }

    /// <summary>Gives back a slot that was reserved but never used.</summary>
    public void Return(WorkerSlot slot)
    {
        lock (_gate)
        {
            _busy[slot.Index] = false;
            _owners[slot.Index] = null;
        }
    }

    /// <summary>
    /// The device ids a child process may be given in CUDA_VISIBLE_DEVICES. Inside a container the driver numbers the
    /// GPUs it was given 0 … n−1, whatever their /dev/nvidiaN names on the host, so "auto" counts device files
    /// rather than reading their numbers.
    /// </summary>
    internal static IReadOnlyList<string> VisibleGpus(string setting, string? cudaVisibleDevices, IEnumerable<string> deviceFiles) =>
        setting.Trim().ToLowerInvariant() switch
        {
            "none" or "" => [],
            "auto" => cudaVisibleDevices is { Length: > 0 } visible
                ? visible.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                : Enumerable.Range(0, deviceFiles.Count(IsGpuDevice)).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray(),
            _ => setting.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries),
        };

    private static bool IsGpuDevice(string path) =>
        Path.GetFileName(path) is { Length: > 6 } name && name.StartsWith("nvidia", StringComparison.Ordinal) && name[6..].All(char.IsAsciiDigit);
}

/// <summary>One reserved slot; Device is the GPU id the job sees as CUDA_VISIBLE_DEVICES, or null on a CPU slot.</summary>
public sealed record WorkerSlot(int Index, string? Device);
