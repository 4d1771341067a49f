using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using UnrolledGan.Trainer.Core;
using static TorchSharp.torch;

namespace UnrolledGan.Trainer.Cli;

/// <summary>
/// `benchmark`: steps per second for each K, each as a ratio to K = 0, then peak RSS and the RSS drift over a long
/// run (which one dispose scope per step should keep flat). One run, one table; nothing here is a timed test.
/// </summary>
internal static class BenchmarkCommand
{
    private static readonly TimeSpan MinimumWarmup = TimeSpan.FromSeconds(2);

    public static Command Create()
    {
        var config = new ConfigOptions();
        var unrolls = new Option<string>("--unrolls") { Description = "Comma-separated K values to time", DefaultValueFactory = _ => "0,1,5,10" };
        var timedSteps = new Option<int>("--timed-steps") { Description = "Timed steps per K", DefaultValueFactory = _ => 300 };
        var warmupSteps = new Option<int>("--warmup-steps") { Description = "Untimed steps per K before timing (at least 2 s of them)", DefaultValueFactory = _ => 30 };
        var memorySteps = new Option<int>("--memory-steps") { Description = "Length of the RSS drift run (0 skips it)", DefaultValueFactory = _ => 10_000 };
        var command = new Command("benchmark", "Measure training speed for several K and memory over a long run");
        config.AddTo(command);
        command.Add(unrolls);
        command.Add(timedSteps);
        command.Add(warmupSteps);
        command.Add(memorySteps);
        command.SetAction(parse => ExitCodes.Guard(() =>
        {
            var baseConfig = config.Build(parse);
            var ks = ParseUnrolls(parse.GetValue(unrolls)!);
            if (TrainerAllocator.Advice() is { } advice)
            {
                Console.Error.WriteLine(advice);
            }
            Console.WriteLine($"benchmark: {baseConfig.Experiment} ({baseConfig.Preset} preset), batch {baseConfig.BatchSize}, " +
                $"{baseConfig.Schedule} schedule, {baseConfig.Threads} thread(s), device {baseConfig.Device}, {TrainerAllocator.Running()} malloc");
            int drift = parse.GetValue(memorySteps);
            if (drift > 0)
            {
                // Said before the speed table, so nobody takes the quiet minutes that follow it for a hang.
                Console.WriteLine($"then a {drift:N0}-step memory run at K = {baseConfig.Unroll}, which takes minutes " +
                    "(progress on stderr; --memory-steps 0 skips it)");
            }
            Console.WriteLine($"{"K",4} {"steps/s",10} {"ratio to K=0",13} {"ms/step",9} {"cpu ms/step",12} {"quiet steps/s",14}");
            double? baseline = null;
            foreach (int k in ks)
            {
                var (rate, cpuMilliseconds, quietRate) = Time(baseConfig with { Unroll = k }, parse.GetValue(warmupSteps), parse.GetValue(timedSteps));
                baseline ??= k == 0 ? rate : null;
                string ratio = baseline is { } b ? (rate / b).ToString("0.000", CultureInfo.InvariantCulture) : "n/a";
                Console.WriteLine($"{k,4} {rate,10:0.0} {ratio,13} {1000 / rate,9:0.00} {cpuMilliseconds,12:0.00} {quietRate,14:0.0}");
            }
            if (drift > 0)
            {
                MeasureDrift(baseConfig, drift);
            }
            Console.WriteLine($"peak RSS: {ProcessMemory.PeakResidentMegabytes():0.0} MB");
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>
    /// Steps per second of wall time; the process's CPU milliseconds per step; and the "quiet" rate, over the fastest
    /// tenth of the schedule's cycles (one G and one D update when alternating), the ones other processes on a shared
    /// machine disturbed least. The last two move much less than the first with the work running beside it.
    /// </summary>
    private static (double Rate, double CpuMilliseconds, double QuietRate) Time(TrainingConfig config, int warmup, int timed)
    {
        using var session = new TrainingSession(config);
        // .NET's tiered JIT recompiles the hot methods in the background during about the first second; until then a
        // step runs partly unoptimized code (K = 0 took twice the CPU time after 20 warm-up steps as after 1,000).
        int step = 0;
        for (long warmupStarted = Stopwatch.GetTimestamp();
             step < warmup || Stopwatch.GetElapsedTime(warmupStarted) < MinimumWarmup; step++)
        {
            using var scope = NewDisposeScope();
            session.Train(step);
        }
        int cycle = TrainingSchedule.From(config).CycleLength;
        var cycles = new List<double>();
        using var process = Process.GetCurrentProcess();
        var cpuStarted = process.TotalProcessorTime;
        long started = Stopwatch.GetTimestamp(), cycleStarted = started;
        for (int timedStep = 1; timedStep <= timed; timedStep++, step++)
        {
            using (var scope = NewDisposeScope())
            {
                session.Train(step);
            }
            if (timedStep % cycle == 0)
            {
                cycles.Add(Stopwatch.GetElapsedTime(cycleStarted).TotalSeconds);
                cycleStarted = Stopwatch.GetTimestamp();
            }
        }
        double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        process.Refresh();
        cycles.Sort();
        double quiet = cycles.Count == 0 ? double.NaN : cycle / cycles[Math.Max(0, cycles.Count / 10 - 1)];
        return (timed / seconds, (process.TotalProcessorTime - cpuStarted).TotalMilliseconds / timed, quiet);
    }

    /// <summary>RSS after 1,000 steps against RSS at the end of a long run at the config's K; a progress line every tenth.</summary>
    private static void MeasureDrift(TrainingConfig config, int steps)
    {
        const int Early = 1000;
        using var session = new TrainingSession(config);
        double early = 0;
        int tenth = Math.Max(1, steps / 10);
        long started = Stopwatch.GetTimestamp();
        for (int step = 0; step < steps; step++)
        {
            using (var scope = NewDisposeScope())
            {
                session.Train(step);
            }
            if ((step + 1) % tenth == 0 && step + 1 < steps)
            {
                var elapsed = Stopwatch.GetElapsedTime(started);
                var left = elapsed * ((double)(steps - step - 1) / (step + 1));
                Console.Error.WriteLine($"memory run: {step + 1:N0} of {steps:N0} steps, {elapsed:h\\:mm\\:ss} elapsed, about {left:h\\:mm\\:ss} left");
            }
            if (step + 1 == Math.Min(Early, steps))
            {
                GC.Collect();
                early = ProcessMemory.ResidentMegabytes();
            }
        }
        GC.Collect();
        double late = ProcessMemory.ResidentMegabytes();
        Console.WriteLine($"RSS at K={config.Unroll}: {early:0.0} MB after {Math.Min(Early, steps):N0} steps, {late:0.0} MB after {steps:N0} steps " +
            $"(ratio {late / early:0.000})");
    }

    private static int[] ParseUnrolls(string text)
    {
        var values = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        return values.Select(v => int.TryParse(v, out int k) && k >= 0
                ? k
                : throw new ConfigException("--unrolls", $"expected comma-separated integers ≥ 0, got '{text}'"))
            .ToArray();
    }
}

/// <summary>Resident memory of this process from /proc/self/status (Linux).</summary>
internal static class ProcessMemory
{
    public static double ResidentMegabytes() => Read("VmRSS:");
    public static double PeakResidentMegabytes() => Read("VmHWM:");

    private static double Read(string field)
    {
        string? line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith(field, StringComparison.Ordinal));
        return line is null ? double.NaN : double.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024;
    }
}
