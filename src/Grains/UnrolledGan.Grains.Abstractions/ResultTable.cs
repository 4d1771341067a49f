namespace UnrolledGan.Grains;

/// <summary>The paper's table layout: rows are size × metric, columns are K; each cell aggregates its seeds.</summary>
[GenerateSerializer, Immutable]
public sealed record ResultTable(
    [property: Id(0)] string Experiment,
    [property: Id(1)] SizeAxis SizeAxis,
    [property: Id(2)] IReadOnlyList<int> Unrolls,
    [property: Id(3)] IReadOnlyList<ResultRow> Rows,
    [property: Id(4)] int Seeds);

/// <summary>Which mean a row bolds: the highest, the lowest, the closest to <see cref="ResultRow.Target"/>, or none.</summary>
public enum RowGoal
{
    Higher,
    Lower,
    CloserToTarget,
    Unranked,
}

/// <param name="BestColumns">Every column whose mean is the best, so ties are all bold; empty when the row is unranked.</param>
[GenerateSerializer, Immutable]
public sealed record ResultRow(
    [property: Id(0)] double Size,
    [property: Id(1)] string Metric,
    [property: Id(2)] string Title,
    [property: Id(3)] RowGoal Goal,
    [property: Id(4)] double Target,
    [property: Id(5)] IReadOnlyList<ResultCell> Cells,
    [property: Id(6)] IReadOnlyList<int> BestColumns);

/// <summary>
/// One metric over the seeds of one (size, K): n of them had a value, with mean and standard error; a failed job, a
/// cancelled one and a job that could not define the metric all leave n short of the sweep's seeds.
/// <see cref="VersusNoUnroll"/> tests the column against K = 0 when the sweep has that column.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ResultCell(
    [property: Id(0)] int Unroll,
    [property: Id(1)] int N,
    [property: Id(2)] double? Mean,
    [property: Id(3)] double? StandardError,
    [property: Id(4)] int Failed,
    [property: Id(5)] SignificanceTest? VersusNoUnroll,
    [property: Id(6)] int Cancelled = 0);

public enum SignificanceTestKind
{
    /// <summary>Exact two-sided permutation test of the difference in means (few seeds).</summary>
    Permutation,

    /// <summary>Welch's unequal-variance t-test, two-sided.</summary>
    Welch,
}

/// <param name="Difference">Mean of the column minus mean of K = 0.</param>
/// <param name="T">Welch's t; null for the permutation test, and when both variances are zero.</param>
/// <param name="PValue">Null when the test is undefined (Welch's with both variances zero).</param>
[GenerateSerializer, Immutable]
public sealed record SignificanceTest(
    [property: Id(0)] SignificanceTestKind Kind,
    [property: Id(1)] double Difference,
    [property: Id(2)] double? T,
    [property: Id(3)] double? PValue,
    [property: Id(4)] double? DegreesOfFreedom = null);

/// <summary>A sweep's results: the table, its Markdown rendering and where the files are.</summary>
[GenerateSerializer, Immutable]
public sealed record SweepResults(
    [property: Id(0)] ResultTable Table,
    [property: Id(1)] string Markdown,
    [property: Id(2)] string Folder,
    [property: Id(3)] IReadOnlyList<string> Files);
