using System.Net;
using System.Net.Sockets;
using UnrolledGan.Hosting.Database;
using UnrolledGan.Hosting.Tests;

namespace UnrolledGan.Silo.Tests;

/// <summary>The silo as a new user meets it: help, its start-up report, and one-line errors for what they got wrong.</summary>
public sealed class SiloProgramTests
{
    private static readonly TimeSpan Start = TimeSpan.FromMinutes(2);

    private static string Folder() => Directory.CreateTempSubdirectory("unrolledgan-silo-").FullName;

    [Fact]
    public async Task HelpPrintsTheSettingsAndStartsNothing()
    {
        var environment = SiloProcess.Isolated(Folder());
        var (code, output, _) = await SiloProcess.RunAsync(environment, Start, "--help");

        code.ShouldBe(0);
        output.ShouldContain("Cluster:Provider");
        output.ShouldContain("db migrate");
        output.ShouldContain("exit codes");
        output.ShouldNotContain("silo ready");
        Directory.Exists(environment["Results__Folder"]).ShouldBeFalse();
    }

    [Fact]
    public async Task AStartedSiloReportsItsEndpointsAndSlotsAndListensOnNothingElse()
    {
        var environment = SiloProcess.Isolated(Folder());
        await using var silo = SiloProcess.Start(environment);
        await silo.WaitUntilReadyAsync(Start);

        silo.Output.ShouldContain($"silo endpoint  127.0.0.1:{environment["Cluster__SiloPort"]}");
        silo.Output.ShouldContain($"gateway        127.0.0.1:{environment["Cluster__GatewayPort"]}");
        silo.Output.ShouldContain("worker slots   1 cpu");
        silo.Output.ShouldContain("dashboard      off (Dashboard:Port=0)");
        silo.Output.ShouldContain("cluster        started (the only active silo)");
        // Dashboard:Port=0 and PrometheusPort=0: no web server falls back to port 5000, and no /metrics listener.
        silo.ListeningPorts().ShouldBe(new HashSet<int> { int.Parse(environment["Cluster__SiloPort"]), int.Parse(environment["Cluster__GatewayPort"]) },
            ignoreOrder: true);
    }

    [Fact]
    public async Task TheReportGivesTheSweepPagesAtTheDashboardsPortWhichServesThemAndNotTheMetricsPort()
    {
        var environment = SiloProcess.Isolated(Folder());
        int web = SiloProcess.FreePort(), metrics = SiloProcess.FreePort();
        environment["Dashboard__Port"] = web.ToString();
        environment["Telemetry__PrometheusPort"] = metrics.ToString();
        environment["Access__Token"] = "operator-token-0123456789";
        await using var silo = SiloProcess.Start(environment);
        await silo.WaitUntilReadyAsync(Start);
        using var http = new HttpClient();

        silo.Output.ShouldContain($"sweep pages    http://127.0.0.1:{web}/sweeps/");
        // Before, a line per listening address named the metrics port too, which answers 404 there.
        silo.Output.ShouldNotContain($":{metrics}/sweeps");
        // With the operator token (issue 18: the pages need it, loopback too).
        http.DefaultRequestHeaders.Authorization = new("Bearer", environment["Access__Token"]);
        (await http.GetAsync($"http://127.0.0.1:{web}/sweeps/", TestContext.Current.CancellationToken)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await http.GetAsync($"http://127.0.0.1:{metrics}/sweeps/", TestContext.Current.CancellationToken)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task ASecondSiloOnTheSamePortsIsRefusedInOneLine()
    {
        var environment = SiloProcess.Isolated(Folder());
        await using var first = SiloProcess.Start(environment);
        await first.WaitUntilReadyAsync(Start);

        var (code, output, error) = await SiloProcess.RunAsync(environment, Start);

        code.ShouldBe(1);
        output.ShouldNotContain("silo ready");
        error.Trim().Split('\n').Length.ShouldBe(1, error);
        error.ShouldContain($"port {environment["Cluster__SiloPort"]} on 127.0.0.1 is already in use");
        error.ShouldContain("--Cluster:SiloPort");
    }

    [Theory]
    [InlineData("Cluster__Provider", "kubernetes", "Cluster")]
    [InlineData("Cluster__Address", "10.1.2.3", "Address")]
    [InlineData("Cluster__GatewayPort", "70000", "GatewayPort")]
    [InlineData("Workers__LeaseTimeout", "00:00:01", "LeaseTimeout")]
    public async Task ABadSettingIsOneLineNamingItAndExitCodeTwo(string key, string value, string named)
    {
        var environment = SiloProcess.Isolated(Folder());
        environment[key] = value;

        var (code, output, error) = await SiloProcess.RunAsync(environment, Start);

        code.ShouldBe(2, output + error);
        error.Trim().Split('\n').Length.ShouldBe(1, error);
        error.ShouldStartWith("error: ");
        error.ShouldContain(named);
    }

    [Fact]
    public async Task PostgresWithoutAConnectionStringSaysWhatToSet()
    {
        var environment = SiloProcess.Isolated(Folder());
        environment["Cluster__Provider"] = "postgres";
        environment["Cluster__Address"] = "127.0.0.1";

        var (code, _, error) = await SiloProcess.RunAsync(environment, Start);

        code.ShouldBe(2);
        error.Trim().ShouldBe("error: no database: set ConnectionStrings__Cluster (or Database__ConnectionStringFile) to a PostgreSQL connection string");
    }

    [Fact]
    public async Task DbMigrateAppliesTheSchemaOnceAndASiloRefusesAnOlderOne()
    {
        await using var database = await TestDatabase.CreateAsync();
        var environment = SiloProcess.Isolated(Folder());
        environment["ConnectionStrings__Cluster"] = database.ConnectionString;
        // No Cluster:Address, as the README starts one: without TLS it stays on loopback, on any machine.
        environment["Cluster__Provider"] = "postgres";
        await SchemaMigrations.Embedded.ApplyAsync(database.DataSource, upTo: 1, cancellation: TestContext.Current.CancellationToken);

        var old = await SiloProcess.RunAsync(environment, Start);
        old.ExitCode.ShouldBe(1);
        old.Error.Trim().ShouldBe(
            $"error: the database schema is at version 1, this silo needs {SchemaMigrations.Embedded.Latest}: run `UnrolledGan.Silo db migrate` first");

        var first = await SiloProcess.RunAsync(environment, Start, "db", "migrate");
        var second = await SiloProcess.RunAsync(environment, Start, "db", "migrate");
        first.ExitCode.ShouldBe(0, first.Error);
        first.Output.ShouldContain("applied 0002_");
        second.ExitCode.ShouldBe(0, second.Error);
        second.Output.ShouldContain("nothing to apply");
        // The connection string's password is never printed (the test server's role has none; its user is shown).
        second.Output.ShouldContain("postgres@127.0.0.1:");

        await using var silo = SiloProcess.Start(environment);
        await silo.WaitUntilReadyAsync(Start);
        silo.Output.ShouldContain("(postgres, database postgres@127.0.0.1:");
        silo.Output.ShouldContain($"silo endpoint  127.0.0.1:{environment["Cluster__SiloPort"]}");
    }
}
