using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using UnrolledGan.Trainer;

namespace UnrolledGan.Grains.Sweeps;

/// <summary>
/// Checks a sweep spec and expands it, deterministically, into its grid of jobs: size (outer) × K × seed (inner).
/// Every job's complete trainer config is built and validated here, so a bad spec creates no sweep at all.
/// </summary>
public static class SweepPlanner
{
    /// <param name="jobMemoryLimit">Workers:JobMemoryLimit; a point whose estimate (<see cref="JobMemory"/>) is over it is refused.</param>
    public static IReadOnlyList<JobSpec> Expand(SweepSpec spec, int maxJobs, long jobMemoryLimit = long.MaxValue)
    {
        var problems = Check(spec, maxJobs);
        if (problems.Count > 0)
        {
            throw new SweepSpecException(string.Join("; ", problems));
        }
        // Every grid point is built and checked, not only the first: a bad size or K late in the grid fails the
        // submission, in the user's field names, rather than one job after the sweep exists.
        var jobs = new List<JobSpec>();
        foreach (double size in spec.Sizes)
        {
            foreach (int unroll in spec.Unrolls)
            {
                foreach (int seed in spec.Seeds)
                {
                    try
                    {
                        var config = BuildConfig(spec, unroll, size, seed);
                        if (JobMemory.Explain(config) is var (bytes, field) && bytes > jobMemoryLimit)
                        {
                            throw new ConfigException(field, $"at K = {unroll} and size {size} the job needs about {JobMemory.Format(bytes)}, " +
                                $"over Workers:JobMemoryLimit {JobMemory.Format(jobMemoryLimit)}");
                        }
                        string configJson = JsonSerializer.Serialize(config, TrainerJson.Compact);
                        jobs.Add(new JobSpec(JobId(spec.Name, unroll, size, seed, configJson), spec.Name, unroll, size, seed, configJson));
                    }
                    catch (ConfigException e)
                    {
                        problems.AddRange(e.Problems.Select(p => $"{SpecField(p.Field, spec)}: {p.Problem}").Where(p => !problems.Contains(p)));
                    }
                }
            }
        }
        return problems.Count == 0 ? jobs : throw new SweepSpecException(string.Join("; ", problems));
    }

    /// <summary>A digest of everything that defines the sweep, to tell a resubmission from a different sweep of the same name.</summary>
    public static string Fingerprint(SweepSpec spec)
    {
        // The dispatch order is left out: it changes when jobs run, not what they compute, so the sweep resubmitted with another order resumes.
        var canonical = spec with
        {
            Overrides = new SortedDictionary<string, string>(spec.Overrides.ToDictionary(), StringComparer.Ordinal), Dispatch = default,
        };
        return Hash(JsonSerializer.Serialize(canonical, TrainerJson.Compact), 16);
    }

    /// <summary>The metrics the sweep tabulates: those it names, else all its experiment reports.</summary>
    public static IReadOnlyList<MetricDefinition> MetricsOf(SweepSpec spec)
    {
        var all = Experiments.MetricsOf(spec.Experiment);
        return spec.Metrics.Count == 0 ? all : spec.Metrics.Select(m => all.First(d => d.Name == m)).ToArray();
    }

    private static List<string> Check(SweepSpec spec, int maxJobs)
    {
        var problems = new List<string>();
        void Check(bool ok, string field, string problem)
        {
            if (!ok)
            {
                problems.Add($"{field}: {problem}");
            }
        }

        // Quoted as JSON, so a name with a newline or other control character shows it rather than breaking the line.
        Check(SweepNames.IsSweepName(spec.Name), "name", $"{JsonSerializer.Serialize(spec.Name)} must be {SweepNames.Rule}");
        bool knownExperiment = Experiments.IsKnown(spec.Experiment ?? "");
        Check(knownExperiment, "experiment", $"unknown experiment '{spec.Experiment}' (known: {string.Join(", ", Experiments.Names)})");
        Check(Presets.Names.Contains(spec.Preset), "preset", $"unknown preset '{spec.Preset}' (known: {string.Join(", ", Presets.Names)})");
        string sizeField = $"axes.{SizeFieldName(spec.SizeAxis)}";
        Check(spec.Unrolls.Count > 0, "axes.unroll", "is empty; give at least one K");
        Check(spec.Unrolls.All(k => k >= 0), "axes.unroll", $"K must be 0 or more (got {string.Join(", ", spec.Unrolls.Where(k => k < 0))})");
        Check(spec.Unrolls.Distinct().Count() == spec.Unrolls.Count, "axes.unroll", "lists a K twice");
        Check(spec.Sizes.Count > 0, sizeField, "is empty; give at least one size");
        Check(spec.Sizes.All(s => s > 0 && double.IsFinite(s)), sizeField, "sizes must be positive numbers");
        Check(spec.Sizes.Distinct().Count() == spec.Sizes.Count, sizeField, "lists a size twice");
        Check(spec.Seeds.Count > 0, "axes.seeds", "is empty; give a count of at least 1 or a list of seeds");
        Check(spec.Seeds.All(s => s >= 0), "axes.seeds", "seeds must be 0 or more");
        Check(spec.Seeds.Distinct().Count() == spec.Seeds.Count, "axes.seeds", "lists a seed twice");
        Check(spec.Steps is null or > 0, "steps", $"must be positive (got {spec.Steps})");
        Check(spec.Retries >= 0, "retries", $"must be 0 or more (got {spec.Retries})");
        Check(spec.Concurrency >= 0, "concurrency", $"must be 0 (no limit) or more (got {spec.Concurrency})");
        if (knownExperiment)
        {
            var known = Experiments.MetricsOf(spec.Experiment!).Select(m => m.Name).ToArray();
            foreach (string metric in spec.Metrics.Where(m => !known.Contains(m)))
            {
                problems.Add($"metrics: unknown metric '{metric}' for {spec.Experiment} (known: {string.Join(", ", known)})");
            }
        }
        if (problems.Count == 0)
        {
            // The first grid point stands for the overrides, so their problems show beside a grid over the cap;
            // Expand builds and checks every point once the spec passes.
            try
            {
                BuildConfig(spec, spec.Unrolls[0], spec.Sizes[0], spec.Seeds[0]);
            }
            catch (ConfigException e)
            {
                problems.AddRange(e.Problems.Select(p => $"{SpecField(p.Field, spec)}: {p.Problem}"));
            }
        }
        // The cap applies to the counts, before any list of the grid's size is built.
        long grid = (long)spec.Unrolls.Count * spec.Sizes.Count * spec.Seeds.Count;
        Check(grid <= maxJobs, "axes", $"the grid has {grid:N0} jobs, more than the cap of {maxJobs:N0} (Results:MaxJobsPerSweep)");
        return problems;
    }

    private static TrainingConfig BuildConfig(SweepSpec spec, int unroll, double size, int seed)
    {
        var overrides = new List<KeyValuePair<string, string>>
        {
            new("experiment", spec.Experiment),
            new("preset", spec.Preset),
        };
        overrides.AddRange(spec.Overrides);
        if (spec.Steps is { } steps)
        {
            overrides.Add(new("steps", steps.ToString(CultureInfo.InvariantCulture)));
        }
        string sizeText = size.ToString("R", CultureInfo.InvariantCulture);
        overrides.Add(new("discriminatorSize", sizeText));
        if (spec.SizeAxis == SizeAxis.ModelSize)
        {
            overrides.Add(new("generatorSize", sizeText));
        }
        overrides.Add(new("unroll", unroll.ToString(CultureInfo.InvariantCulture)));
        overrides.Add(new("seed", seed.ToString(CultureInfo.InvariantCulture)));
        return TrainingConfigBuilder.Build(overrides: overrides);
    }

    /// <summary>Where a trainer config field came from in the spec, so an error names what the user wrote.</summary>
    private static string SpecField(string configField, SweepSpec spec) => configField switch
    {
        "unroll" => "axes.unroll",
        "seed" => "axes.seeds",
        "discriminatorSize" or "generatorSize" => $"axes.{SizeFieldName(spec.SizeAxis)}",
        "steps" when spec.Steps is not null => "steps",
        "experiment" or "preset" => configField,
        _ => $"overrides.{configField}",
    };

    public static string SizeFieldName(SizeAxis axis) => axis == SizeAxis.ModelSize ? "modelSize" : "discriminatorSize";

    private static string JobId(string sweep, int unroll, double size, int seed, string configJson) =>
        $"k{unroll}-x{size.ToString("0.###", CultureInfo.InvariantCulture)}-s{seed}-{Hash(sweep + "\n" + configJson, 8)}";

    private static string Hash(string text, int length) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..length];
}
