using System.Reflection;
using Microsoft.Extensions.Logging;

namespace UnrolledGan.Grains;

/// <summary>
/// Refuses calls to <see cref="SiloOnlyAttribute"/> interfaces that do not come from a silo. A call from a grain or
/// a system target comes from a silo; so does one from a silo's own hosted client (services such as the slot
/// dispatcher call through it), whose id names a silo of this cluster. Any other client id is a client connected
/// through a gateway, and is refused before the grain sees the call. Clients authenticate with the cluster's TLS
/// certificates; this is what they are allowed to do once connected.
/// </summary>
internal sealed class SiloOnlyCallFilter(IClusterMembershipService membership, ILogger<SiloOnlyCallFilter> logger) : IIncomingGrainCallFilter
{
    private const string HostedClientPrefix = "hosted-";

    public Task Invoke(IIncomingGrainCallContext context)
    {
        if (context.InterfaceMethod.DeclaringType?.GetCustomAttribute<SiloOnlyAttribute>() is not null && !FromSilo(context.SourceId))
        {
            logger.LogWarning("Refused {Interface}.{Method} on {Grain} from client {Caller}: only silos may call it",
                context.InterfaceName, context.MethodName, context.TargetId, context.SourceId);
            throw new SiloOnlyException($"{context.InterfaceName}.{context.MethodName} may be called only by the cluster's silos");
        }
        return context.Invoke();
    }

    private bool FromSilo(GrainId? caller)
    {
        if (caller is not { } id || !id.IsClient())
        {
            return true;
        }
        string key = id.Key.ToString()!;
        if (!key.StartsWith(HostedClientPrefix, StringComparison.Ordinal))
        {
            return false;
        }
        try
        {
            var silo = SiloAddress.FromParsableString(key[HostedClientPrefix.Length..]);
            return membership.CurrentSnapshot.GetSiloStatus(silo) is SiloStatus.Active or SiloStatus.Joining or SiloStatus.ShuttingDown or SiloStatus.Stopping;
        }
        catch (Exception e) when (e is FormatException or ArgumentException or IndexOutOfRangeException)
        {
            // A client chooses its own id; one that merely looks like a silo's is not one.
            return false;
        }
    }
}
