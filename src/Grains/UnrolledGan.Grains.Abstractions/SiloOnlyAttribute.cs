namespace UnrolledGan.Grains;

/// <summary>
/// Marks a grain interface that only silos may call: leasing jobs, reporting their progress and ends, starting
/// trainers. A grain call filter refuses any call to it from a client (a gateway connection), so a client can
/// submit, watch, read and cancel sweeps, and nothing else.
/// </summary>
[AttributeUsage(AttributeTargets.Interface)]
public sealed class SiloOnlyAttribute : Attribute;

/// <summary>A client called a silo-only grain method; nothing was changed.</summary>
[GenerateSerializer]
public sealed class SiloOnlyException : Exception
{
    public SiloOnlyException(string message) : base(message)
    {
    }
}
