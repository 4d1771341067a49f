using System.CommandLine;

namespace UnrolledGan.SweepClient.Cli;

/// <summary>
/// `--gateway`: which cluster a verb talks to. Scripts set $UNROLLEDGAN_GATEWAY once rather than repeat the flag, and
/// the help shows the address a verb would use as it is typed, so a user sees where "no cluster" was looked for.
/// </summary>
internal static class GatewayOption
{
    public const string Variable = "UNROLLEDGAN_GATEWAY";

    public const string BuiltIn = "127.0.0.1:30000";

    /// <summary>The cluster verbs' option: its default is $UNROLLEDGAN_GATEWAY, else the first silo's gateway on this machine.</summary>
    public static Option<string> ForCluster() => new("--gateway")
    {
        Description = $"host:port of a running cluster's gateway, or several comma-separated; ${Variable} sets the default",
        DefaultValueFactory = _ => Default,
    };

    /// <summary>
    /// `run`'s option has no default address: without it `run` hosts a silo on this machine, and an exported
    /// $UNROLLEDGAN_GATEWAY does not quietly send a local run to a cluster.
    /// </summary>
    public static Option<string?> ForRun() => new("--gateway")
    {
        Description = $"host:port of a running cluster's gateway (e.g. {BuiltIn}); without it, `run` hosts a silo in-process (${Variable} is not used)",
    };

    public static string Default => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } configured ? configured.Trim() : BuiltIn;

    /// <summary>The address to dial and where it came from, for the message when nothing answers there.</summary>
    public static (string Address, string Source) Resolve(ParseResult parse, Option<string> option)
    {
        string address = parse.GetValue(option)!;
        string source = parse.GetResult(option) is { Implicit: false } ? "the address from --gateway"
            : Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } ? $"the address from ${Variable}"
            : "the default address";
        return (address, source);
    }
}
