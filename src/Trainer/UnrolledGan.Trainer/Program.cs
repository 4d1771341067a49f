using System.CommandLine;
using UnrolledGan.Trainer.Cli;

var root = new RootCommand("UnrolledGan trainer: runs one unrolled-GAN job (Metz et al., ICLR 2017)")
{
    TrainCommand.Create(),
    ConfigCommand.Create(),
    BenchmarkCommand.Create(),
    CheckCommand.Create(),
    DataCommand.Create(),
};
var parse = root.Parse(args);
if (parse.Errors.Count > 0)
{
    Console.Error.WriteLine($"error: {string.Join("; ", parse.Errors.Select(e => e.Message))}");
    return ExitCodes.BadInput;
}
return await parse.InvokeAsync();
