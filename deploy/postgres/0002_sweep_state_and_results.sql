-- Grain state (Microsoft.Orleans.Persistence.AdoNet) for PostgreSQL, for sweeps and the sweep catalog, and the
-- results of finished jobs as rows.
--
-- One row per grain state, identified by service, state name and grain key, and unique on them, so two
-- activations of one grain can never both create it. The version column is the provider's ETag: a write applies
-- only over the version the writer last read, and answers the new version; any other answer makes Orleans raise
-- InconsistentStateException, which is what keeps a stale activation (one a partition left behind) from
-- overwriting the state that moved on without it.
--
-- A sweep's state (state name 'sweep') is UTF-8 JSON: the grid, and every job's record. The write that stores it
-- also adds the rows of each job it records as succeeded to job_result and job_metric, in the same transaction, so
-- a job is never done without its result rows, nor the reverse, and a refused (stale) write adds neither.

CREATE TABLE orleansstorage
(
    grainidhash            integer NOT NULL,
    grainidn0              bigint NOT NULL,
    grainidn1              bigint NOT NULL,
    graintypehash          integer NOT NULL,
    graintypestring        varchar(512) NOT NULL,
    grainidextensionstring varchar(512) NULL,
    serviceid              varchar(150) NOT NULL,
    payloadbinary          bytea NULL,
    modifiedon             timestamptz NOT NULL DEFAULT now(),
    version                integer NOT NULL
);

CREATE UNIQUE INDEX orleansstorage_identity ON orleansstorage
    (serviceid, graintypestring, grainidn0, grainidn1, coalesce(grainidextensionstring, ''));

CREATE FUNCTION grain_state_read(
    p_id_hash integer, p_n0 bigint, p_n1 bigint, p_type_hash integer, p_type varchar, p_extension varchar,
    p_service varchar)
    RETURNS TABLE (payloadbinary bytea, modifiedon timestamptz, version integer)
    LANGUAGE sql STABLE AS
$$
    SELECT payloadbinary, modifiedon, version FROM orleansstorage
    WHERE serviceid = p_service AND graintypestring = p_type AND grainidn0 = p_n0 AND grainidn1 = p_n1
      AND coalesce(grainidextensionstring, '') = coalesce(p_extension, '');
$$;

-- A first write (no version read) inserts; later ones update over the version read. The answer is the new
-- version, or the version the writer sent when nothing was written.
CREATE FUNCTION grain_state_write(
    p_id_hash integer, p_n0 bigint, p_n1 bigint, p_type_hash integer, p_type varchar, p_extension varchar,
    p_service varchar, p_version integer, p_payload bytea)
    RETURNS TABLE (newgrainstateversion integer) LANGUAGE plpgsql AS
$$
DECLARE
    written integer;
BEGIN
    IF p_version IS NULL THEN
        INSERT INTO orleansstorage
            (grainidhash, grainidn0, grainidn1, graintypehash, graintypestring, grainidextensionstring, serviceid,
             payloadbinary, version)
        VALUES (p_id_hash, p_n0, p_n1, p_type_hash, p_type, p_extension, p_service, p_payload, 1)
        ON CONFLICT DO NOTHING
        RETURNING version INTO written;
    ELSE
        UPDATE orleansstorage s SET payloadbinary = p_payload, modifiedon = now(), version = s.version + 1
        WHERE s.serviceid = p_service AND s.graintypestring = p_type AND s.grainidn0 = p_n0 AND s.grainidn1 = p_n1
          AND coalesce(s.grainidextensionstring, '') = coalesce(p_extension, '')
          AND s.version = p_version
        RETURNING s.version INTO written;
    END IF;
    IF written IS NOT NULL AND p_type = 'sweep' THEN
        PERFORM record_sweep_results(convert_from(p_payload, 'UTF8')::jsonb);
    END IF;
    RETURN QUERY SELECT coalesce(written, p_version);
END
$$;

CREATE TABLE job_result
(
    sweep         varchar(64) NOT NULL,
    job_id        varchar(128) NOT NULL,
    experiment    varchar(64) NOT NULL,
    unroll        integer NOT NULL,
    size          double precision NOT NULL,
    seed          integer NOT NULL,
    config        jsonb NOT NULL,
    versions      jsonb NULL,
    train_seconds double precision NULL,
    ended_at      timestamptz NULL,
    recorded_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (sweep, job_id)
);

-- One row per metric of a finished job: the numbers a paper table is built from (README, "Results in SQL").
CREATE TABLE job_metric
(
    sweep  varchar(64) NOT NULL,
    job_id varchar(128) NOT NULL,
    unroll integer NOT NULL,
    size   double precision NOT NULL,
    seed   integer NOT NULL,
    metric varchar(64) NOT NULL,
    value  double precision NULL,
    PRIMARY KEY (sweep, job_id, metric),
    FOREIGN KEY (sweep, job_id) REFERENCES job_result (sweep, job_id)
);

-- A success is final, so rows are only ever added: a job already recorded keeps its rows.
CREATE FUNCTION record_sweep_results(p_state jsonb)
    RETURNS void LANGUAGE sql AS
$$
    WITH succeeded AS (
        SELECT p_state -> 'spec' ->> 'name' AS sweep, job
        FROM jsonb_array_elements(p_state -> 'jobs') AS job
        WHERE job ->> 'status' = 'Succeeded'
    ), added AS (
        INSERT INTO job_result (sweep, job_id, experiment, unroll, size, seed, config, versions, train_seconds, ended_at)
        SELECT sweep, job -> 'spec' ->> 'jobId', p_state -> 'spec' ->> 'experiment', (job -> 'spec' ->> 'unroll')::integer,
               (job -> 'spec' ->> 'size')::double precision, (job -> 'spec' ->> 'seed')::integer,
               (job -> 'spec' ->> 'configJson')::jsonb, job -> 'versions', (job ->> 'trainSeconds')::double precision,
               (job ->> 'endedAt')::timestamptz
        FROM succeeded
        ON CONFLICT DO NOTHING
        RETURNING sweep, job_id, unroll, size, seed
    )
    INSERT INTO job_metric (sweep, job_id, unroll, size, seed, metric, value)
    SELECT a.sweep, a.job_id, a.unroll, a.size, a.seed, m.key, (m.value #>> '{}')::double precision
    FROM added a
    JOIN succeeded s ON s.job -> 'spec' ->> 'jobId' = a.job_id
    CROSS JOIN LATERAL jsonb_each(s.job -> 'metrics') AS m;
$$;

CREATE FUNCTION grain_state_clear(
    p_id_hash integer, p_n0 bigint, p_n1 bigint, p_type_hash integer, p_type varchar, p_extension varchar,
    p_service varchar, p_version integer)
    RETURNS TABLE (newgrainstateversion integer) LANGUAGE sql AS
$$
    UPDATE orleansstorage s SET payloadbinary = NULL, modifiedon = now(), version = s.version + 1
    WHERE s.serviceid = p_service AND s.graintypestring = p_type AND s.grainidn0 = p_n0 AND s.grainidn1 = p_n1
      AND coalesce(s.grainidextensionstring, '') = coalesce(p_extension, '')
      AND s.version = p_version
    RETURNING s.version;
$$;

CREATE FUNCTION grain_state_delete(
    p_id_hash integer, p_n0 bigint, p_n1 bigint, p_type_hash integer, p_type varchar, p_extension varchar,
    p_service varchar, p_version integer)
    RETURNS TABLE (newgrainstateversion integer) LANGUAGE sql AS
$$
    DELETE FROM orleansstorage s
    WHERE s.serviceid = p_service AND s.graintypestring = p_type AND s.grainidn0 = p_n0 AND s.grainidn1 = p_n1
      AND coalesce(s.grainidextensionstring, '') = coalesce(p_extension, '')
      AND s.version = p_version
    RETURNING s.version + 1;
$$;

INSERT INTO orleansquery (querykey, querytext) VALUES
    ('ReadFromStorageKey', 'SELECT * FROM grain_state_read(@GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString, @GrainIdExtensionString, @ServiceId)'),
    ('WriteToStorageKey', 'SELECT * FROM grain_state_write(@GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString, @GrainIdExtensionString, @ServiceId, @GrainStateVersion, @PayloadBinary)'),
    ('ClearStorageKey', 'SELECT * FROM grain_state_clear(@GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString, @GrainIdExtensionString, @ServiceId, @GrainStateVersion)'),
    ('DeleteStorageKey', 'SELECT * FROM grain_state_delete(@GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString, @GrainIdExtensionString, @ServiceId, @GrainStateVersion)');
