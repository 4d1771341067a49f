using UnrolledGan.SweepClient.Cli;

namespace UnrolledGan.SweepClient.Tests;

/// <summary>Which silo's web server `open` and `run --gateway` name: the one behind the gateway given.</summary>
public sealed class OpenCommandTests
{
    [Theory]
    [InlineData("127.0.0.1:30000", "http://127.0.0.1:8080")]
    [InlineData("127.0.0.1:30001", "http://127.0.0.1:8081")]
    [InlineData("127.0.0.1:30001,127.0.0.1:30000", "http://127.0.0.1:8081")]
    [InlineData("10.0.0.7:30100", "http://10.0.0.7:8180")]
    public void TheWebPortIsThatOfTheInstanceWhoseDefaultGatewayPortWasGiven(string gateway, string root) =>
        OpenCommand.DefaultRoot(gateway).ShouldBe(root);

    [Theory]
    [InlineData("127.0.0.1:29999")]
    [InlineData("127.0.0.1:30101")]
    [InlineData("gateway.example")]
    public void AGatewayOffTheDefaultPortsIsTakenForInstanceZeros(string gateway) =>
        OpenCommand.DefaultRoot(gateway).ShouldEndWith(":8080");
}
