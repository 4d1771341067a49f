using UnrolledGan.Hosting.Database;

namespace UnrolledGan.Hosting.Tests;

public sealed class SchemaMigrationsTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    /// <summary>Every table, function and stored Orleans query, as text: what "changes nothing" is checked against.</summary>
    private const string SchemaSignature = """
        SELECT string_agg(item, E'\n' ORDER BY item) FROM (
            SELECT 'table ' || table_name FROM information_schema.tables WHERE table_schema = 'public'
            UNION ALL SELECT 'function ' || p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'
            UNION ALL SELECT 'query ' || querykey || ' ' || md5(querytext) FROM orleansquery
            UNION ALL SELECT 'applied ' || version || ' ' || digest FROM unrolledgan_schema
        ) AS items(item)
        """;

    [Fact]
    public async Task ApplyingTheSchemaTwiceChangesNothing()
    {
        await using var database = await TestDatabase.CreateAsync();
        var migrations = SchemaMigrations.Embedded;

        var first = await migrations.ApplyAsync(database.DataSource, cancellation: Cancel);
        string after = await database.ScalarAsync<string>(SchemaSignature);
        var second = await migrations.ApplyAsync(database.DataSource, cancellation: Cancel);

        first.Select(m => m.Version).ShouldBe(Enumerable.Range(1, migrations.Latest));
        second.ShouldBeEmpty();
        (await database.ScalarAsync<string>(SchemaSignature)).ShouldBe(after);
        (await migrations.InspectAsync(database.DataSource, Cancel)).IsCurrent.ShouldBeTrue();
        // Every query key the Orleans providers read at start-up is there.
        string keys = await database.ScalarAsync<string>("SELECT string_agg(querykey, ',' ORDER BY querykey) FROM orleansquery");
        keys.ShouldBe("CleanupDefunctSiloEntriesKey,ClearStorageKey,DeleteMembershipTableEntriesKey,DeleteStorageKey,GatewaysQueryKey," +
            "InsertMembershipKey,InsertMembershipVersionKey,MembershipReadAllKey,MembershipReadRowKey,ReadFromStorageKey," +
            "UpdateIAmAlivetimeKey,UpdateMembershipKey,WriteToStorageKey");
    }

    [Fact]
    public async Task TwoMigratorsAtOnceApplyEachScriptOnce()
    {
        await using var database = await TestDatabase.CreateAsync();

        var both = await Task.WhenAll(
            SchemaMigrations.Embedded.ApplyAsync(database.DataSource, cancellation: Cancel), SchemaMigrations.Embedded.ApplyAsync(database.DataSource, cancellation: Cancel));

        both.Sum(applied => applied.Count).ShouldBe(SchemaMigrations.Embedded.Latest);
        (await database.ScalarAsync<long>("SELECT count(*) FROM unrolledgan_schema")).ShouldBe(SchemaMigrations.Embedded.Latest);
    }

    [Fact]
    public async Task AnOlderSchemaIsExplainedWithTheCommandThatFixesIt()
    {
        await using var database = await TestDatabase.CreateAsync();
        await SchemaMigrations.Embedded.ApplyAsync(database.DataSource, upTo: 1, cancellation: Cancel);

        var state = await SchemaMigrations.Embedded.InspectAsync(database.DataSource, Cancel);

        state.IsCurrent.ShouldBeFalse();
        state.Version.ShouldBe(1);
        state.Explain().ShouldBe(
            $"the database schema is at version 1, this silo needs {SchemaMigrations.Embedded.Latest}: run `UnrolledGan.Silo db migrate` first");
    }

    [Fact]
    public async Task AnEmptyDatabaseIsAtVersionZero()
    {
        await using var database = await TestDatabase.CreateAsync();

        var state = await SchemaMigrations.Embedded.InspectAsync(database.DataSource, Cancel);

        state.Version.ShouldBe(0);
        state.IsCurrent.ShouldBeFalse();
    }

    [Fact]
    public async Task AScriptChangedAfterItWasAppliedIsNoticed()
    {
        await using var database = await TestDatabase.MigratedAsync();
        await database.ExecuteAsync("UPDATE unrolledgan_schema SET digest = 'edited' WHERE version = 1");

        var state = await SchemaMigrations.Embedded.InspectAsync(database.DataSource, Cancel);

        state.IsCurrent.ShouldBeFalse();
        state.Edited.ShouldBe(["0001_membership.sql"]);
        state.Explain().ShouldContain("0001_membership.sql");
    }
}
