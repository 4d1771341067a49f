using System.Runtime.Versioning;
using System.Text.RegularExpressions;
using Npgsql;
using UnrolledGan.Hosting.Database;

namespace UnrolledGan.Deploy.Tests;

/// <summary>
/// The database and its Secret: the in-cluster PostgreSQL, the migration Job, the silos' wait for the schema, and the
/// one README command that creates the Secret they all read.
/// </summary>
public sealed partial class DatabaseTests
{
    private const string ConnectionStringKey = "connection-string";
    private const string PasswordKey = "password";

    // The silo's exit codes (UnrolledGan.Silo's ExitCodes) that the Job's failure policy and the init container act on.
    private const int SchemaNotCurrent = 1;
    private const int BadSetting = 2;

    private static IReadOnlyDictionary<string, string> DatabaseEnvironment => DeployFiles.EnvironmentOf(DeployFiles.DatabaseContainer);

    private static Manifest DatabaseService => DeployFiles.Single("Service", DeployFiles.Database.Root["spec"]["serviceName"].Text);

    /// <summary>The containers that read the connection string: the migration Job, the silos' init container, the silos.</summary>
    private static IEnumerable<(Manifest Workload, Yaml Container)> DatabaseClients(Kustomization deployment) =>
    [
        (deployment.Component("migrate"), DeployFiles.Container(deployment.Component("migrate"), "migrate")),
        (deployment.Component("silo"), DeployFiles.Container(deployment.Component("silo"), "wait-for-schema")),
        (deployment.Component("silo"), DeployFiles.Container(deployment.Component("silo"), "silo")),
    ];

    [Fact]
    public void TheDatabaseIsDebiansPostgres15OnItsOwnVolume()
    {
        var database = DeployFiles.Database;
        string image = DeployFiles.DatabaseContainer["image"].Text;
        var dataMount = DeployFiles.DatabaseContainer["volumeMounts"].Items
            .Single(m => DatabaseEnvironment["PGDATA"].StartsWith(m["mountPath"].Text + "/", StringComparison.Ordinal));
        var claim = database.Root["spec"]["volumeClaimTemplates"].Items.Single(t => t["metadata"]["name"].Text == dataMount["name"].Text);

        image.ShouldStartWith("postgres:15");
        image.ShouldNotContain("alpine", Case.Insensitive, "the Debian image's postgres user is uid 999");
        database.PodSpec["securityContext"]["runAsUser"].Int.ShouldBe(999);
        database.Root["spec"]["replicas"].Int.ShouldBe(1);
        claim["spec"]["accessModes"].Items.Select(m => m.Text).ShouldBe(["ReadWriteOnce"]);
        // PGDATA below the mount point, not at it: a fresh volume's root may hold lost+found, which initdb refuses.
        DatabaseEnvironment["PGDATA"].ShouldNotBe(dataMount["mountPath"].Text);
    }

    [Fact]
    public void TheDatabaseIsReadyOnlyOnceItAnswersOnTcp()
    {
        var command = DeployFiles.DatabaseContainer["readinessProbe"]["exec"]["command"].Items.Select(c => c.Text).ToArray();

        command[0].ShouldBe("pg_isready");
        // The image's first-start initialisation runs a server on the Unix socket only; that must not count as ready.
        command.ShouldContain("--host=127.0.0.1");
        command.ShouldContain($"--username={DatabaseEnvironment["POSTGRES_USER"]}");
        command.ShouldContain($"--dbname={DatabaseEnvironment["POSTGRES_DB"]}");
    }

    [Fact]
    public void TheDatabaseServiceIsTheStatefulSetsAndReachesItsPort()
    {
        KubernetesManifestTests.SelectedWorkloads(DatabaseService).ShouldBe([DeployFiles.Database]);
        var port = DatabaseService.Root["spec"]["ports"].Items.ShouldHaveSingleItem();

        DeployFiles.ContainerPort(DeployFiles.Database, port["targetPort"].Text).ShouldBe(port["port"].Int);
    }

    [Fact]
    public void TheDatabaseReadsItsPasswordFromTheSecretAsAFile()
    {
        var files = SecretFile.In(DeployFiles.Database, DeployFiles.DatabaseContainer);

        DatabaseEnvironment.Keys.ShouldNotContain("POSTGRES_PASSWORD");
        files.ShouldBe([new SecretFile(SecretName, PasswordKey, DatabaseEnvironment["POSTGRES_PASSWORD_FILE"])]);
        // The variables the postgres image documents; anything else it would ignore.
        DatabaseEnvironment.Keys.ShouldBe(["POSTGRES_USER", "POSTGRES_DB", "POSTGRES_PASSWORD_FILE", "PGDATA"], ignoreOrder: true);
    }

    [Theory]
    [MemberData(nameof(DeployFiles.DeploymentNames), MemberType = typeof(DeployFiles))]
    public void TheMigrationJobAndTheSilosReadTheSameSecretKeyAsAFile(string deployment)
    {
        foreach (var (workload, container) in DatabaseClients(DeployFiles.Named(deployment)))
        {
            var environment = DeployFiles.EnvironmentOf(container);
            string name = $"{workload} {container["name"].Text}";

            string file = environment[Contract.EnvironmentForm(ClusterDatabase.FileSetting)];

            environment.Keys.ShouldNotContain($"ConnectionStrings__{ClusterDatabase.ConnectionStringName}", name);
            SecretFile.In(workload, container).ShouldBe([new SecretFile(SecretName, ConnectionStringKey, file)], name);
        }
    }

    [Theory]
    [MemberData(nameof(DeployFiles.DeploymentNames), MemberType = typeof(DeployFiles))]
    public void NoContainerPutsAConnectionStringOrPasswordInItsArgumentsOrEnvironment(string deployment)
    {
        foreach (var workload in DeployFiles.Named(deployment).Workloads)
        {
            foreach (var container in workload.Containers)
            {
                string name = $"{workload} {container["name"].Text}";
                var words = container["command"].Items.Concat(container["args"].Items).Select(w => w.Text)
                    .Concat(container["env"].Items.Select(v => v["value"].TextOrNull ?? ""));

                words.Where(w => Credential().IsMatch(w)).ShouldBeEmpty(name);
                container["env"].Items.Where(v => v["valueFrom"]["secretKeyRef"].Exists).ShouldBeEmpty($"{name}: secrets are read as files");
                container["envFrom"].Items.Where(s => s["secretRef"].Exists).ShouldBeEmpty($"{name}: secrets are read as files");
                DeployFiles.NamesSetBy(container)
                    .Where(n => n.StartsWith("ConnectionStrings__", StringComparison.Ordinal) || n.EndsWith("PASSWORD", StringComparison.Ordinal))
                    .ShouldBeEmpty(name);
            }
        }
    }

    [Fact]
    public void TheMigrationJobRunsDbMigrateAndStopsRetryingOnABadSetting()
    {
        var job = DeployFiles.MigrationJob;
        var rule = job.Root["spec"]["podFailurePolicy"]["rules"].Items.ShouldHaveSingleItem();

        DeployFiles.MigrationContainer["command"].Items.Select(c => c.Text).ShouldBe([Contract.Silo.ImagePath, "db", "migrate"]);
        // A database still starting (exit 1) is retried with Kubernetes' backoff; a bad setting (exit 2) fails the Job.
        job.Root["spec"]["backoffLimit"].Int.ShouldBeGreaterThanOrEqualTo(4);
        job.PodSpec["restartPolicy"].Text.ShouldBe("Never", "a pod failure policy needs it");
        rule["action"].Text.ShouldBe("FailJob");
        rule["onExitCodes"]["containerName"].Text.ShouldBe(DeployFiles.MigrationContainer["name"].Text);
        rule["onExitCodes"]["operator"].Text.ShouldBe("In");
        rule["onExitCodes"]["values"].Items.Select(v => v.Int).ShouldBe([BadSetting]);
    }

    [Fact]
    public void TheSilosWaitForTheSchemaInAnInitContainerAndStartThroughTheImage()
    {
        var wait = DeployFiles.SchemaWaitContainer;
        var command = wait["command"].Items.Select(c => c.Text).ToArray();

        DeployFiles.RunsOurImage(wait).ShouldBeTrue();
        command[..2].ShouldBe(["/bin/sh", "-c"]);
        command[2].ShouldContain($"until {Contract.Silo.ImagePath} db status");
        command[2].ShouldNotContain("migrate", Case.Sensitive, "only the Job migrates");
        DeployFiles.SiloContainer["command"].Exists.ShouldBeFalse("the silo starts through the image's entry point");
    }

    [Fact]
    [SupportedOSPlatform("linux")]
    public async Task TheSchemaWaitRetriesWhileTheSchemaIsNotCurrentAndGivesUpOnABadSetting()
    {
        // The init container's own script, with a stand-in silo that answers `db status` with the given exit codes
        // and a `sleep` that returns at once.
        (await RunSchemaWaitAsync([SchemaNotCurrent, SchemaNotCurrent, 0])).ShouldBe((0, 3));
        (await RunSchemaWaitAsync([SchemaNotCurrent, BadSetting])).ShouldBe((BadSetting, 2));
        (await RunSchemaWaitAsync([0])).ShouldBe((0, 1));
    }

    [Fact]
    public async Task TheSilosDbVerbsExitWithTheCodesTheManifestsActOn()
    {
        using var folder = new TemporaryFolder();
        string unreachable = Path.Combine(folder.Path, ConnectionStringKey);
        // Nothing listens on port 1 of loopback: the database "does not answer yet".
        await File.WriteAllTextAsync(unreachable, "Host=127.0.0.1;Port=1;Database=unrolledgan;Username=unrolledgan;Password=p;Timeout=5",
            TestContext.Current.CancellationToken);
        string missing = Path.Combine(folder.Path, "no-such-file");

        foreach (string verb in new[] { "status", "migrate" })
        {
            (await RunSiloAsync(["db", verb], unreachable, folder.Path)).ShouldBe(SchemaNotCurrent, $"db {verb}, database down");
            (await RunSiloAsync(["db", verb], missing, folder.Path)).ShouldBe(BadSetting, $"db {verb}, no such file");
        }
    }

    [Fact]
    public void TheReadmesSecretCommandCreatesExactlyTheKeysTheDefaultDeploymentReads()
    {
        var command = DefaultSecretCommand;

        command.Namespace.ShouldBe(Contract.Namespace);
        SecretFile.ReferencedBy(DeployFiles.Default).ShouldBe(command.Literals.Keys.Select(k => (command.Name, k)), ignoreOrder: true);
        command.Literals.Keys.ShouldBe([PasswordKey, ConnectionStringKey], ignoreOrder: true);
    }

    [Fact]
    public void TheReadmesConnectionStringReachesTheInClusterDatabaseWithItsPassword()
    {
        var literals = DefaultSecretCommand.Literals;
        var connection = new NpgsqlConnectionStringBuilder(literals[ConnectionStringKey]);
        var servicePort = DatabaseService.Root["spec"]["ports"].Items.Single();

        connection.Host.ShouldBeOneOf(DatabaseService.Name, $"{DatabaseService.Name}.{Contract.Namespace}.svc.cluster.local");
        connection.Port.ShouldBe(servicePort["port"].Int);
        connection.Username.ShouldBe(DatabaseEnvironment["POSTGRES_USER"]);
        connection.Database.ShouldBe(DatabaseEnvironment["POSTGRES_DB"]);
        // The same shell variable in both keys, set from a random source earlier in the README.
        literals[PasswordKey].ShouldStartWith("$");
        connection.Password.ShouldBe(literals[PasswordKey]);
        string variable = literals[PasswordKey].TrimStart('$').Trim('{', '}');
        Readme.Text.ShouldContain($"{variable}=$(openssl rand");
    }

    /// <summary>The Secret every pod reads: the one the migration Job names.</summary>
    internal static string SecretName => SecretFile.In(DeployFiles.MigrationJob, DeployFiles.MigrationContainer).Single().Secret;

    internal static SecretCommand DefaultSecretCommand =>
        Readme.SecretCommandUnder(heading =>
            heading.Contains("Secret", StringComparison.Ordinal) && !ExternalDatabaseTests.IsExternalDatabaseHeading(heading));

    [SupportedOSPlatform("linux")]
    private static async Task<(int ExitCode, int StatusCalls)> RunSchemaWaitAsync(int[] exitCodes)
    {
        using var folder = new TemporaryFolder();
        string calls = Path.Combine(folder.Path, "calls");
        string silo = Path.Combine(folder.Path, "silo");
        await File.WriteAllTextAsync(silo, $"""
            #!/bin/sh
            [ "$1 $2" = "db status" ] || exit 99
            echo x >> {calls}
            set -- {string.Join(' ', exitCodes)}
            shift $(($(wc -l < {calls}) - 1))
            exit $1
            """, TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(Path.Combine(folder.Path, "sleep"), "#!/bin/sh\n", TestContext.Current.CancellationToken);
        foreach (string stub in new[] { silo, Path.Combine(folder.Path, "sleep") })
        {
            File.SetUnixFileMode(stub, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        string script = DeployFiles.SchemaWaitContainer["command"].Items[2].Text;
        script.ShouldContain(Contract.Silo.ImagePath);

        var start = new System.Diagnostics.ProcessStartInfo("/bin/sh", ["-c", script.Replace(Contract.Silo.ImagePath, silo)]);
        start.Environment["PATH"] = $"{folder.Path}:{Environment.GetEnvironmentVariable("PATH")}";
        int exitCode = await RunAsync(start);
        return (exitCode, File.Exists(calls) ? File.ReadAllLines(calls).Length : 0);
    }

    private static async Task<int> RunSiloAsync(string[] arguments, string connectionStringFile, string workingDirectory)
    {
        string configuration = AppContext.BaseDirectory.Contains("/debug/", StringComparison.OrdinalIgnoreCase) ? "debug" : "release";
        string name = Contract.Silo.AssemblyName;
        string silo = Path.Combine(DeployFiles.RepositoryRoot, "artifacts", "bin", name, configuration, name);
        File.Exists(silo).ShouldBeTrue($"build {silo} first");
        var start = new System.Diagnostics.ProcessStartInfo(silo, arguments) { WorkingDirectory = workingDirectory };
        start.Environment.Remove($"ConnectionStrings__{ClusterDatabase.ConnectionStringName}");
        start.Environment[Contract.EnvironmentForm(ClusterDatabase.FileSetting)] = connectionStringFile;
        return await RunAsync(start);
    }

    private static async Task<int> RunAsync(System.Diagnostics.ProcessStartInfo start)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var process = System.Diagnostics.Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(1));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{start.FileName} did not end: {await output} {await error}");
        }
        await Task.WhenAll(output, error);
        return process.ExitCode;
    }

    // A connection string's password, or a database URL with credentials.
    [GeneratedRegex(@"(?i)password\s*=|postgres(ql)?://")]
    private static partial Regex Credential();
}
