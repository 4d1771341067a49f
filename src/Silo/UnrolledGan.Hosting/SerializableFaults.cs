using Microsoft.Extensions.Logging;
using Orleans.Serialization;
using UnrolledGan.Grains;

namespace UnrolledGan.Hosting;

/// <summary>
/// Every grain call's failure reaches its caller as an exception the caller can read. Orleans serializes exceptions
/// of the Microsoft, System and Orleans namespaces and the project's own; another library's (Npgsql's, with the
/// database's message in it) fails to serialize, and the caller gets a CodecNotFoundException instead of the problem.
/// Such a failure is logged here with its stack and replaced by a <see cref="SiloFaultException"/> carrying its
/// messages.
/// </summary>
internal sealed class SerializableFaultFilter(Serializer serializer, ILogger<SerializableFaultFilter> logger) : IIncomingGrainCallFilter
{
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        try
        {
            await context.Invoke();
        }
        catch (Exception e) when (!CanBeSent(e))
        {
            logger.LogWarning(e, "{Interface}.{Method} on {Grain} failed with an exception its caller cannot receive; the caller gets its message",
                context.InterfaceName, context.MethodName, context.TargetId);
            throw SiloFaultException.From(e);
        }
    }

    private bool CanBeSent(Exception e)
    {
        try
        {
            serializer.SerializeToArray(e);
            return true;
        }
        catch (Exception)
        {
            return false;
        }
    }
}
