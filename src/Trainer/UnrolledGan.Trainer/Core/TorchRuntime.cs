using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace UnrolledGan.Trainer.Core;

/// <summary>Chooses the device and thread count once per process, and reports what the job ran on.</summary>
internal static class TorchRuntime
{
    public static Device Configure(TrainingConfig config)
    {
        torch.set_num_threads(config.Threads);
        var device = new Device(config.Device);
        if (device.type == DeviceType.CUDA && !cuda.is_available())
        {
            throw new ConfigException("device", $"'{config.Device}' was asked for but CUDA is not available in this build or on this machine");
        }
        return device;
    }

    public static RunEnvironment Describe(TrainingConfig config) => new()
    {
        TorchSharpVersion = typeof(torch).Assembly.GetName().Version?.ToString(3) ?? "unknown",
        LibTorchVersion = torch.__version__,
        Device = config.Device,
        Threads = torch.get_num_threads(),
        Runtime = RuntimeInformation.FrameworkDescription,
        Allocator = TrainerAllocator.Running(),
        Machine = $"{Environment.MachineName} ({RuntimeInformation.OSDescription}, {Environment.ProcessorCount} cores)",
    };
}
