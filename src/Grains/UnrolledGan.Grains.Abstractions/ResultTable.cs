namespace UnrolledGan.Grains;

/// <summary>The paper's table layout: rows are size × metric, columns are K; each cell aggregates its seeds.</summary>
[GenerateSerializer, Immutable]
public sealed record ResultTable(
    [property: Id(0)] string Experiment,
    [property: Id(1)] SizeAxis SizeAxis,
    [property: Id(2)] IReadOnlyList<int> Unrolls,
    [property: Id(3)] IReadOnlyList<ResultRow> Rows);

[GenerateSerializer, Immutable]
public sealed record ResultRow(
    [property: Id(0)] double Size,
    [property: Id(1)] string Metric,
    [property: Id(2)] string Title,
    [property: Id(3)] bool HigherIsBetter,
    [property: Id(4)] IReadOnlyList<ResultCell> Cells,
    [property: Id(5)] int? BestColumn);

/// <summary>One metric over the seeds of one (size, K): n, mean, standard error, and a Welch test against K = 0.</summary>
[GenerateSerializer, Immutable]
public sealed record ResultCell(
    [property: Id(0)] int Unroll,
    [property: Id(1)] int N,
    [property: Id(2)] double? Mean,
    [property: Id(3)] double? StandardError,
    [property: Id(4)] int Failed,
    [property: Id(5)] WelchTest? VersusNoUnroll);

[GenerateSerializer, Immutable]
public sealed record WelchTest(
    [property: Id(0)] double T,
    [property: Id(1)] double DegreesOfFreedom,
    [property: Id(2)] double PValue);

/// <summary>A sweep's results: the table, its Markdown rendering and where the files are.</summary>
[GenerateSerializer, Immutable]
public sealed record SweepResults(
    [property: Id(0)] ResultTable Table,
    [property: Id(1)] string Markdown,
    [property: Id(2)] string Folder,
    [property: Id(3)] IReadOnlyList<string> Files);
