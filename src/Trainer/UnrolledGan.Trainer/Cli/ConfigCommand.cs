using System.CommandLine;
using System.Text.Json;

namespace UnrolledGan.Trainer.Cli;

/// <summary>`config`: prints the config a `train` with the same flags would run, without loading libtorch.</summary>
internal static class ConfigCommand
{
    public static Command Create()
    {
        var config = new ConfigOptions();
        var command = new Command("config", "Print the resolved config as JSON");
        config.AddTo(command);
        command.SetAction(parse => ExitCodes.Guard(() =>
        {
            Console.WriteLine(JsonSerializer.Serialize(config.Build(parse), TrainerJson.Options));
            return ExitCodes.Success;
        }));
        return command;
    }
}
