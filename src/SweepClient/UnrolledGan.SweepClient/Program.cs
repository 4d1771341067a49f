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
    SweepBenchmark.Create(),
};
var parse = root.Parse(args);
if (parse.Errors.Count > 0)
{
    Console.Error.WriteLine($"error: {string.Join("; ", parse.Errors.Select(e => e.Message))}");
    return ExitCodes.BadInput;
}
return await parse.InvokeAsync();
