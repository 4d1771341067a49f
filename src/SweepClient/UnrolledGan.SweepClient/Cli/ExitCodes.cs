using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace UnrolledGan.SweepClient.Cli;

/// <summary>The client's exit codes, which scripts branch on; every verb's --help lists them.</summary>
internal static class ExitCodes
{
    public const int Success = 0;
    public const int Failed = 1;
    public const int BadInput = 2;
    public const int Interrupted = 130;

    public const string Help = """
        Exit codes:
          0    done: every job succeeded (run, watch, benchmark), or the verb did what it says
          1    some job failed or was cancelled, no cluster answered, or it failed to answer
          2    bad spec or input: the one-line error names the field
          130  interrupted (Ctrl-C); a sweep in a cluster goes on without the client
        """;

    /// <summary>Appends <see cref="Help"/> to the help of the root and every verb (the help option is recursive).</summary>
    public static void AddToHelp(RootCommand root)
    {
        var option = root.Options.OfType<HelpOption>().Single();
        option.Action = new HelpWithExitCodes((HelpAction)option.Action!);
    }

    private sealed class HelpWithExitCodes(HelpAction help) : SynchronousCommandLineAction
    {
        /// <summary>`status --help` is help, not a missing sweep name.</summary>
        public override bool ClearsParseErrors => true;

        public override int Invoke(ParseResult parse)
        {
            int code = help.Invoke(parse);
            parse.InvocationConfiguration.Output.WriteLine(Help);
            return code;
        }
    }
}
