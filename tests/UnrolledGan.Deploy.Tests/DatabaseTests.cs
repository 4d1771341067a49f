using System.Runtime.Versioning;
using System.Text.RegularExpressions;
using Npgsql;
using UnrolledGan.Hosting.Database;
using UnrolledGan.Hosting.Tests;

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

    // How Process reports a shell that this test's `sleep` killed with SIGKILL (128 + 9).
    private const int KilledByTest = 137;

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
            SecretFile.In(workload, container).Where(f => f.Secret == SecretName).ShouldBe([new SecretFile(SecretName, ConnectionStringKey, file)], name);
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
    public async Task TheSchemaWaitEndsOnceTheMigrationJobHasRunAndNotBefore()
    {
        await using var database = await TestDatabase.CreateAsync();
        using var folder = new TemporaryFolder();
        string secret = await WriteSecretFileAsync(folder, database.ConnectionString);

        // An empty database: the wait goes on (this test ends it at the third check).
        (await RunSchemaWaitAsync(folder, secret, migrateInFirstSleep: false)).ShouldBe((KilledByTest, 3));
        // The migration Job runs while a silo waits: the wait ends at the next check, and the silo may start.
        (await RunSchemaWaitAsync(folder, secret, migrateInFirstSleep: true)).ShouldBe((0, 1));
        (await RunSiloAsync(["db", "status"], secret, folder.Path)).ShouldBe(0);
    }

    [Fact]
    [SupportedOSPlatform("linux")]
    public async Task TheSchemaWaitGivesUpAtOnceOnABadSetting()
    {
        using var folder = new TemporaryFolder();

        (await RunSchemaWaitAsync(folder, Path.Combine(folder.Path, "no-such-file"), migrateInFirstSleep: false)).ShouldBe((BadSetting, 0));
    }

    [Fact]
    public async Task TheSilosDbVerbsExitWithTheCodesTheManifestsActOn()
    {
        using var folder = new TemporaryFolder();
        // Nothing listens on port 1 of loopback: the database "does not answer yet".
        string unreachable = await WriteSecretFileAsync(folder, "Host=127.0.0.1;Port=1;Database=unrolledgan;Username=unrolledgan;Password=p");
        string missing = Path.Combine(folder.Path, "no-such-file");

        foreach (string verb in new[] { "status", "migrate" })
        {
            (await RunSiloAsync(["db", verb], unreachable, folder.Path)).ShouldBe(SchemaNotCurrent, $"db {verb}, database down");
            (await RunSiloAsync(["db", verb], missing, folder.Path)).ShouldBe(BadSetting, $"db {verb}, no such file");
        }
    }

    [Theory]
    [MemberData(nameof(DeployFiles.DeploymentNames), MemberType = typeof(DeployFiles))]
    public void TheReadmesCommandsCreateEverySecretWithExactlyTheKeysThePodsRead(string deployment)
    {
        var commands = Readme.SecretCommands(externalDatabase: deployment == "external-database");

        commands.Select(c => c.Name).ShouldBeUnique();
        commands.SelectMany(c => c.Keys.Select(k => (c.Name, k)))
            .ShouldBe(SecretFile.ReferencedBy(DeployFiles.Named(deployment)), ignoreOrder: true);
        commands.Single(c => c.Name == SecretName).Keys
            .ShouldBe(deployment == "default" ? [PasswordKey, ConnectionStringKey] : [ConnectionStringKey], ignoreOrder: true);
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

    private static SecretCommand DefaultSecretCommand => Readme.SecretCommands(externalDatabase: false).Single(c => c.Name == SecretName);

    /// <summary>
    /// Runs the init container's own script with the built silo, reading the connection string from the given file.
    /// Its `sleep` returns at once; the first time it runs the migration Job's command when asked to, and at the third
    /// it ends the script, which would otherwise wait for ever. Returns the script's exit code and how often it slept.
    /// </summary>
    [SupportedOSPlatform("linux")]
    private static async Task<(int ExitCode, int Sleeps)> RunSchemaWaitAsync(TemporaryFolder folder, string connectionStringFile,
        bool migrateInFirstSleep)
    {
        string sleeps = Path.Combine(folder.Path, "sleeps");
        string sleep = Path.Combine(folder.Path, "sleep");
        File.Delete(sleeps);
        string migrate = string.Join(' ', DeployFiles.MigrationContainer["command"].Items.Select(c => c.Text)).Replace(Contract.Silo.ImagePath, Processes.Silo);
        await File.WriteAllTextAsync(sleep, $"""
            #!/bin/sh
            echo x >> {sleeps}
            calls=$(wc -l < {sleeps})
            [ "$calls" -ge 3 ] && kill -KILL $PPID
            [ "$calls" -eq 1 ] && {(migrateInFirstSleep ? migrate : "true")}
            exit 0
            """, TestContext.Current.CancellationToken);
        File.SetUnixFileMode(sleep, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        string script = DeployFiles.SchemaWaitContainer["command"].Items[2].Text;
        script.ShouldContain(Contract.Silo.ImagePath);

        var start = new System.Diagnostics.ProcessStartInfo("/bin/sh", ["-c", script.Replace(Contract.Silo.ImagePath, Processes.Silo)])
        {
            WorkingDirectory = folder.Path,
        };
        start.Environment["PATH"] = $"{folder.Path}:{Environment.GetEnvironmentVariable("PATH")}";
        ReadConnectionStringFrom(start, connectionStringFile);
        int exitCode = await Processes.RunAsync(start);
        return (exitCode, File.Exists(sleeps) ? File.ReadAllLines(sleeps).Length : 0);
    }

    private static async Task<string> WriteSecretFileAsync(TemporaryFolder folder, string connectionString)
    {
        string file = Path.Combine(folder.Path, ConnectionStringKey);
        await File.WriteAllTextAsync(file, connectionString, TestContext.Current.CancellationToken);
        return file;
    }

    /// <summary>The environment a pod gives the silo for its database: the mounted Secret's file, nothing else.</summary>
    private static void ReadConnectionStringFrom(System.Diagnostics.ProcessStartInfo start, string file)
    {
        start.Environment.Remove($"ConnectionStrings__{ClusterDatabase.ConnectionStringName}");
        start.Environment[Contract.EnvironmentForm(ClusterDatabase.FileSetting)] = file;
    }

    private static async Task<int> RunSiloAsync(string[] arguments, string connectionStringFile, string workingDirectory)
    {
        var start = new System.Diagnostics.ProcessStartInfo(Processes.Silo, arguments) { WorkingDirectory = workingDirectory };
        ReadConnectionStringFrom(start, connectionStringFile);
        return await Processes.RunAsync(start);
    }

    // A connection string's password, or a database URL with credentials.
    [GeneratedRegex(@"(?i)password\s*=|postgres(ql)?://")]
    private static partial Regex Credential();
}
