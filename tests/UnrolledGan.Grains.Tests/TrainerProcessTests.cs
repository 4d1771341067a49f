using UnrolledGan.Grains.Workers;
using UnrolledGan.Trainer;

namespace UnrolledGan.Grains.Tests;

/// <summary>How the silo starts a trainer and what it keeps of its output, with a script standing in for the trainer's misbehaviour.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class TrainerProcessTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("unrolledgan-process-").FullName;

    [Fact]
    public async Task AFloodOfStderrKeepsOnlyItsLast2Kb()
    {
        // 5 MB of errors in lines of 1,000 characters, then the line that matters.
        string script = Path.Combine(_root, "trainer.sh");
        File.WriteAllText(script, """
            #!/bin/sh
            yes "$(head -c 1000 /dev/zero | tr '\0' x)" | head -n 5000 >&2
            echo "the real error" >&2
            exit 1
            """.Replace("\r", ""));
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var lease = new JobLease(new JobSpec("k0-x1-s0-abcdef01", "flood", 0, 1.0, 0, "{}"), 1, "silo", null, DateTimeOffset.UtcNow, "token");

        using var process = TrainerProcess.Start(script, lease, new WorkerSlot(0, null), Path.Combine(_root, "job"), 600L << 20, new Dictionary<string, string>());
        while (await process.ReadLineAsync() is (not null, _) or (null, true))
        {
        }
        (await process.WaitForExitAsync()).ShouldBe(1);
        await process.Exited;

        process.StderrTail.Length.ShouldBeLessThanOrEqualTo(TrainerProcess.StderrTailLength);
        process.StderrTail.ShouldEndWith("the real error");
        File.ReadAllText(Path.Combine(_root, "job", "job.json")).ShouldBe("{}");
    }

    [Fact]
    public async Task TheSiloPassesTheTrainerItsMemoryLimit()
    {
        string script = Path.Combine(_root, "limit.sh");
        File.WriteAllText(script, $"#!/bin/sh\necho \"${TrainerMemoryLimit.EnvironmentVariable}\" >&2\nexit 1\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var lease = new JobLease(new JobSpec("k0-x1-s0-abcdef02", "limit", 0, 1.0, 0, "{}"), 1, "silo", null, DateTimeOffset.UtcNow, "token");

        using var process = TrainerProcess.Start(script, lease, new WorkerSlot(0, null), Path.Combine(_root, "job2"), 600L << 20, new Dictionary<string, string>());
        await process.WaitForExitAsync();
        await process.Exited;

        process.StderrTail.ShouldBe((600L << 20).ToString());
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
