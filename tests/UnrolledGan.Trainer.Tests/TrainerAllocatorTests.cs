using System.Diagnostics;
using System.Text.Json;

namespace UnrolledGan.Trainer.Tests;

/// <summary>The malloc trainers run with: chosen where they are started, recorded from what actually ran.</summary>
public sealed class TrainerAllocatorTests : IDisposable
{
    private const string Jemalloc = "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2";
    private readonly string _root = Directory.CreateTempSubdirectory("unrolledgan-allocator-").FullName;

    [Fact]
    public async Task ATrainerStartedThroughStartInfoRunsWithJemallocAndSaysSoInItsResult()
    {
        // scripts/setup.sh installs libjemalloc2; without it the start falls back to glibc and says so.
        var result = await TrainAsync("default", new Dictionary<string, string>());

        result.Environment.Allocator.ShouldBe(File.Exists(Jemalloc) ? "jemalloc" : TrainerAllocator.Glibc);
    }

    [Fact]
    public async Task TheSettingTurnsItOffEvenWhenAnAllocatorIsAlreadyPreloaded()
    {
        var result = await TrainAsync("glibc", new Dictionary<string, string>
        {
            [TrainerAllocator.EnvironmentVariable] = "glibc",
            ["LD_PRELOAD"] = Jemalloc,
        });

        result.Environment.Allocator.ShouldBe(TrainerAllocator.Glibc);
    }

    [Fact]
    public async Task ATrainerStartedDirectlyRunsWithGlibcAndSaysHowToGetJemalloc()
    {
        string output = Path.Combine(_root, "direct");
        var start = new ProcessStartInfo(TrainerExecutable.Find(), ["train", "--out", output, "--steps", "2", "--set", "batchSize=16"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment.Remove("LD_PRELOAD");
        start.Environment.Remove(TrainerAllocator.EnvironmentVariable);
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);

        process.ExitCode.ShouldBe(0);
        ReadResult(output).Environment.Allocator.ShouldBe(TrainerAllocator.Glibc);
        if (File.Exists(Jemalloc))
        {
            (await error).Trim().ShouldStartWith($"note: this trainer runs with glibc malloc; with LD_PRELOAD={Jemalloc}");
        }
    }

    [Fact]
    public void ApplyReplacesAPreloadedAllocatorAndKeepsOtherPreloads()
    {
        var start = new ProcessStartInfo("true");
        start.Environment["LD_PRELOAD"] = "/opt/tools/libtrace.so /usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4";
        start.Environment[TrainerAllocator.EnvironmentVariable] = "glibc";

        TrainerAllocator.Apply(start).ShouldBeNull();

        start.Environment["LD_PRELOAD"].ShouldBe("/opt/tools/libtrace.so");
    }

    [Fact]
    public void AnAllocatorThatIsNotInstalledLeavesGlibcAndANote()
    {
        var start = new ProcessStartInfo("true");
        start.Environment.Remove("LD_PRELOAD");
        start.Environment[TrainerAllocator.EnvironmentVariable] = "mimalloc";
        bool installed = File.Exists("/usr/lib/x86_64-linux-gnu/libmimalloc.so.2");

        string? note = TrainerAllocator.Apply(start);

        if (installed)
        {
            note.ShouldBeNull();
            start.Environment["LD_PRELOAD"].ShouldBe("/usr/lib/x86_64-linux-gnu/libmimalloc.so.2");
        }
        else
        {
            note.ShouldNotBeNull().ShouldContain("libmimalloc.so.2 is not installed");
            start.Environment.ContainsKey("LD_PRELOAD").ShouldBeFalse();
        }
    }

    [Fact]
    public void AnUnknownAllocatorIsBadInputNamingTheVariable()
    {
        var start = new ProcessStartInfo("true");
        start.Environment[TrainerAllocator.EnvironmentVariable] = "hoard";

        Should.Throw<ConfigException>(() => TrainerAllocator.Apply(start)).Message
            .ShouldBe("UNROLLEDGAN_ALLOCATOR: unknown allocator 'hoard' (known: glibc, jemalloc, tcmalloc, mimalloc)");
    }

    [Theory]
    [InlineData("7f3c1a000000-7f3c1a02a000 r-xp 00000000 fe:01 1234 /usr/lib/x86_64-linux-gnu/libjemalloc.so.2", "jemalloc")]
    [InlineData("7f3c1a000000-7f3c1a02a000 r-xp 00000000 fe:01 1234 /usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4.5.10", "tcmalloc")]
    [InlineData("7f3c1a000000-7f3c1a02a000 r-xp 00000000 fe:01 1234 /usr/lib/x86_64-linux-gnu/libc.so.6", "glibc")]
    [InlineData("7ffd5e9f1000-7ffd5ea12000 rw-p 00000000 00:00 0                          [stack]", "glibc")]
    public void TheRunningAllocatorIsReadFromTheMappedLibraries(string line, string expected) =>
        TrainerAllocator.FromMaps(["55d0c0a00000-55d0c0a01000 r--p 00000000 fe:01 99 /usr/bin/dotnet", line]).ShouldBe(expected);

    private async Task<TrainingResult> TrainAsync(string name, IReadOnlyDictionary<string, string> environment)
    {
        string output = Path.Combine(_root, name);
        var (exitCode, _, stderr) = await TrainerProcess.RunAsync(environment,
            "train", "--out", output, "--steps", "2", "--set", "batchSize=16");
        exitCode.ShouldBe(0, stderr);
        stderr.ShouldNotContain("note:");
        return ReadResult(output);
    }

    private static TrainingResult ReadResult(string folder) =>
        JsonSerializer.Deserialize<TrainingResult>(File.ReadAllText(Path.Combine(folder, "result.json")), TrainerJson.Options)!;

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
