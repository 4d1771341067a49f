using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using UnrolledGan.ServiceDefaults;

namespace UnrolledGan.Silo;

/// <summary>
/// Writes the operator token this silo made for its web port to the user's 0600 file as the silo starts (after the
/// preflight, so a silo refused for a taken port never replaces the running one's token), and removes it as it stops.
/// </summary>
internal sealed class OperatorTokenWriter(int port, string token, ILogger<OperatorTokenWriter> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            string file = OperatorTokenFile.Write(port, token);
            logger.LogInformation("The web port's operator token is in {File}, readable by this user only", file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            logger.LogError("Cannot write the web port's operator token to {File} ({Reason}): the pages and dashboard cannot be used " +
                "until the silo is started with Access:Token or Access:TokenFile", OperatorTokenFile.PathFor(port), e.Message);
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            OperatorTokenFile.Delete(port, token);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning("Cannot remove {File}: {Reason}", OperatorTokenFile.PathFor(port), e.Message);
        }
        return Task.CompletedTask;
    }
}
