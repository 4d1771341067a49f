using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace UnrolledGan.Hosting.Tests;

/// <summary>Which address a silo listens on and advertises when Cluster:Address is not given.</summary>
public sealed class ClusteringOptionsTests
{
    [Fact]
    public void APostgresSiloWithoutTlsStaysOnLoopbackSoTheReadmesCommandsStartOnAnyMachine()
    {
        var cluster = new ClusteringOptions { Provider = ClusterProvider.Postgres };

        cluster.ResolveAddress(tls: false).ShouldBe(IPAddress.Loopback);
    }

    [Fact]
    public void APostgresSiloThatMayLeaveLoopbackTakesThisHostsFirstNonLoopbackAddress()
    {
        var first = NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork);
        Assert.NotNull(first);

        new ClusteringOptions { Provider = ClusterProvider.Postgres }.ResolveAddress(tls: true).ShouldBe(first);
        new ClusteringOptions { Provider = ClusterProvider.Postgres, Insecure = true }.ResolveAddress(tls: false).ShouldBe(first);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AGivenAddressIsUsedAsGivenAndEmbeddedIsAlwaysLoopback(bool tls)
    {
        new ClusteringOptions { Provider = ClusterProvider.Postgres, Address = "192.0.2.7" }.ResolveAddress(tls).ShouldBe(IPAddress.Parse("192.0.2.7"));
        new ClusteringOptions { Provider = ClusterProvider.Embedded, Insecure = true }.ResolveAddress(tls).ShouldBe(IPAddress.Loopback);
    }
}
