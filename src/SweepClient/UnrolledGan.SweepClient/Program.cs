using System.CommandLine;
using UnrolledGan.SweepClient.Cli;

var root = new RootCommand("UnrolledGan sweeps: reproduce the unrolled-GAN paper's tables on one machine or an Orleans cluster")
{
    Commands.Run(),
    Commands.Submit(),
    Commands.Status(),
    Commands.Watch(),
    Commands.Results(),
    Commands.Cancel(),
    Commands.List(),
    OpenCommand.Create(),
    SweepBenchmark.Create(),
};
ExitCodes.AddToHelp(root);
var parse = root.Parse(args);
if (parse.Errors.Count > 0 && parse.Action is not { ClearsParseErrors: true })
{
    Console.Error.WriteLine($"error: {string.Join("; ", parse.Errors.Select(e => e.Message))}");
    return ExitCodes.BadInput;
}
// Ctrl-C cancels the action, which then stops the embedded silo: its trainers checkpoint first, which takes longer
// than System.CommandLine's default two seconds before it gives up on a graceful end.
return await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(90) });
