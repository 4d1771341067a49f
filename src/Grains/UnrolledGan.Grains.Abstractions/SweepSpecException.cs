namespace UnrolledGan.Grains;

/// <summary>A sweep that cannot be created as specified. The message names each offending field, on one line.</summary>
[GenerateSerializer]
public sealed class SweepSpecException : Exception
{
    public SweepSpecException(string message) : base(message)
    {
    }

    public SweepSpecException(string field, string problem) : base($"{field}: {problem}")
    {
    }
}
