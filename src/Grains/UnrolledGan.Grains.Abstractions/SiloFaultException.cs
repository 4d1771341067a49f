namespace UnrolledGan.Grains;

/// <summary>
/// A failure inside a silo whose own exception cannot be sent to the caller (a database driver's, say, which Orleans
/// has no codec for): the message names each exception of the chain with its type.
/// </summary>
[GenerateSerializer]
public sealed class SiloFaultException : Exception
{
    public SiloFaultException(string message) : base(message)
    {
    }

    /// <summary>"Type: message" for the exception and each inner one, joined by " ← ".</summary>
    public static SiloFaultException From(Exception e)
    {
        var chain = new List<string>();
        for (var current = e; current is not null && chain.Count < 5; current = current.InnerException)
        {
            chain.Add($"{current.GetType().FullName}: {current.Message.Split('\n', 2)[0].Trim()}");
        }
        return new SiloFaultException(string.Join(" ← ", chain));
    }
}
