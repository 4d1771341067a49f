using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using UnrolledGan.Trainer;

namespace UnrolledGan.Grains.Sweeps;

/// <summary>
/// Checks a sweep spec and expands it, deterministically, into its grid of jobs: size (outer) × K × seed (inner).
/// The preset and the user's overrides are applied once, to one typed config; each grid point is that config with
/// its K, size and seed, validated once and serialized once into its job, so a bad spec creates no sweep at all.
/// </summary>
public static class SweepPlanner
{
    /// <param name="jobMemoryLimit">Workers:JobMemoryLimit; a point whose estimate (<see cref="JobMemory"/>) is over it is refused.</param>
    public static IReadOnlyList<JobSpec> Expand(SweepSpec spec, int maxJobs, long jobMemoryLimit = long.MaxValue)
    {
        var problems = Check(spec);
        var basis = problems.Count == 0 ? Basis(spec, problems) : null;
        // The cap applies to the counts, before any list of the grid's size is built.
        long grid = (long)spec.Unrolls.Count * spec.Sizes.Count * spec.Seeds.Count;
        if (grid > maxJobs)
        {
            // The first grid point stands for the overrides, so their problems show beside the grid over the cap.
            if (basis is not null)
            {
                problems.AddRange(Problems(spec, basis, spec.Unrolls[0], spec.Sizes[0], spec.Seeds[0], jobMemoryLimit));
            }
            problems.Add($"axes: the grid has {grid:N0} jobs, more than the cap of {maxJobs:N0} (Results:MaxJobsPerSweep)");
        }
        if (problems.Count > 0 || basis is null)
        {
            throw new SweepSpecException(string.Join("; ", problems));
        }
        // Every grid point is checked, not only the first: a bad size or K late in the grid fails the submission, in
        // the user's field names, rather than one job after the sweep exists.
        var jobs = new List<JobSpec>();
        foreach (double size in spec.Sizes)
        {
            foreach (int unroll in spec.Unrolls)
            {
                foreach (int seed in spec.Seeds)
                {
                    var config = ConfigOf(spec, basis, unroll, size, seed);
                    var pointProblems = Problems(spec, config, jobMemoryLimit);
                    if (pointProblems.Count > 0)
                    {
                        problems.AddRange(pointProblems.Where(p => !problems.Contains(p)));
                        continue;
                    }
                    string configJson = JsonSerializer.Serialize(config, TrainerJson.Compact);
                    jobs.Add(new JobSpec(JobId(spec.Name, unroll, size, seed, configJson), spec.Name, unroll, size, seed, configJson));
                }
            }
        }
        return problems.Count == 0 ? jobs : throw new SweepSpecException(string.Join("; ", problems));
    }

    /// <summary>A grid point's config: the sweep's <paramref name="basis"/> (preset, overrides and steps) at its K, size and seed.</summary>
    public static TrainingConfig ConfigOf(SweepSpec spec, TrainingConfig basis, int unroll, double size, int seed) => basis with
    {
        Unroll = unroll,
        Seed = seed,
        DiscriminatorSize = size,
        GeneratorSize = spec.SizeAxis == SizeAxis.ModelSize ? size : basis.GeneratorSize,
    };

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

    private static List<string> Check(SweepSpec spec)
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
        foreach (string field in spec.Overrides.Keys.Where(f => OwnField(spec, f) is not null))
        {
            problems.Add($"overrides.{field}: is set by {OwnField(spec, field)}; give it there");
        }
        if (knownExperiment)
        {
            var known = Experiments.MetricsOf(spec.Experiment!).Select(m => m.Name).ToArray();
            foreach (string metric in spec.Metrics.Where(m => !known.Contains(m)))
            {
                problems.Add($"metrics: unknown metric '{metric}' for {spec.Experiment} (known: {string.Join(", ", known)})");
            }
        }
        return problems;
    }

    /// <summary>
    /// The preset with the user's overrides applied, once for the whole grid, and the spec's steps. Null, with the
    /// problems added, when an override names no field or gives a value its field cannot hold.
    /// </summary>
    private static TrainingConfig? Basis(SweepSpec spec, List<string> problems)
    {
        try
        {
            var configured = TrainingConfigBuilder.Apply(Presets.Create(spec.Experiment, spec.Preset), spec.Overrides);
            return configured with { Steps = spec.Steps ?? configured.Steps };
        }
        catch (ConfigException e)
        {
            problems.AddRange(e.Problems.Select(p => $"{SpecField(p.Field, spec)}: {p.Problem}"));
            return null;
        }
    }

    private static List<string> Problems(SweepSpec spec, TrainingConfig basis, int unroll, double size, int seed, long jobMemoryLimit) =>
        Problems(spec, ConfigOf(spec, basis, unroll, size, seed), jobMemoryLimit);

    /// <summary>A grid point's problems, in the spec's field names: the trainer's validation, then the worker's memory limit.</summary>
    private static List<string> Problems(SweepSpec spec, TrainingConfig config, long jobMemoryLimit)
    {
        var problems = ConfigValidator.Validate(config).ToList();
        if (problems.Count == 0 && JobMemory.Explain(config) is var (bytes, field) && bytes > jobMemoryLimit)
        {
            problems.Add(new ConfigProblem(field, $"at K = {config.Unroll} and size {config.DiscriminatorSize} the job needs about " +
                $"{JobMemory.Format(bytes)}, over Workers:JobMemoryLimit {JobMemory.Format(jobMemoryLimit)}"));
        }
        return problems.Select(p => $"{SpecField(p.Field, spec)}: {p.Problem}").Distinct().ToList();
    }

    /// <summary>The spec's own field for a config field it sets at every grid point; an override of it would be ignored.</summary>
    private static string? OwnField(SweepSpec spec, string configField) => configField.ToLowerInvariant() switch
    {
        "experiment" => "experiment",
        "preset" => "preset",
        "unroll" => "axes.unroll",
        "seed" => "axes.seeds",
        "discriminatorsize" => $"axes.{SizeFieldName(spec.SizeAxis)}",
        "generatorsize" when spec.SizeAxis == SizeAxis.ModelSize => "axes.modelSize",
        "steps" when spec.Steps is not null => "steps",
        _ => null,
    };

    /// <summary>Where a trainer config field came from in the spec, so an error names what the user wrote.</summary>
    private static string SpecField(string configField, SweepSpec spec) => configField switch
    {
        "unroll" => "axes.unroll",
        "seed" => "axes.seeds",
        "discriminatorSize" => $"axes.{SizeFieldName(spec.SizeAxis)}",
        "generatorSize" when spec.SizeAxis == SizeAxis.ModelSize => "axes.modelSize",
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
