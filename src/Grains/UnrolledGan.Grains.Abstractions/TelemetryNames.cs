using System.Diagnostics;

namespace UnrolledGan.Grains;

/// <summary>The project's meter and activity source, named once for every host: silos, clients and the trainer's supervisor.</summary>
public static class TelemetryNames
{
    public const string Meter = "UnrolledGan";
    public const string ActivitySource = "UnrolledGan";

    public static readonly ActivitySource Activities = new(ActivitySource);
}
