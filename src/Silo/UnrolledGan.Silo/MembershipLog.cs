using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace UnrolledGan.Silo;

/// <summary>
/// One line when another silo joins or is declared dead: the fact a reader of a surviving silo's log looks for after a
/// peer died, which Orleans itself logs only at Information (below the Warning its categories are set to), while its
/// connection failures before it are shortened to a line each (OrleansLogRules). Silos already dead when this one
/// started are not news, so changes count from the first snapshot on.
/// </summary>
internal sealed class MembershipLog(IClusterMembershipService membership, ILocalSiloDetails self, ILogger<MembershipLog> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        ClusterMembershipSnapshot? previous = null;
        try
        {
            await foreach (var snapshot in membership.MembershipUpdates.WithCancellation(stoppingToken))
            {
                if (previous is not null)
                {
                    foreach (var member in snapshot.CreateUpdate(previous).Changes.Where(m => !m.SiloAddress.Equals(self.SiloAddress)))
                    {
                        if (member.Status == SiloStatus.Dead)
                        {
                            logger.LogWarning("Silo {Silo} ({Name}) was declared dead; the runs it held go back to the queue", member.SiloAddress, member.Name);
                        }
                        else if (member.Status == SiloStatus.Active)
                        {
                            logger.LogInformation("Silo {Silo} ({Name}) joined the cluster", member.SiloAddress, member.Name);
                        }
                    }
                }
                previous = snapshot;
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
