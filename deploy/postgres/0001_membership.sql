-- Orleans cluster membership (Microsoft.Orleans.Clustering.AdoNet) for PostgreSQL: every silo is an equal row here,
-- so no silo is special and any one may die.
--
-- The provider runs only the queries stored in orleansquery, by key, with named parameters, and reads the columns
-- it expects by name. Each query below calls a function, so every parameter is typed by the function's signature.
-- Writes follow the membership protocol's optimistic concurrency: a change applies only if the caller read the
-- current table version, and it bumps that version in the same transaction. A false (0) answer makes Orleans
-- read the table again and retry.

CREATE TABLE orleansquery
(
    querykey  varchar(64) PRIMARY KEY,
    querytext text NOT NULL
);

CREATE TABLE orleansmembershipversiontable
(
    deploymentid varchar(150) PRIMARY KEY,
    timestamp    timestamptz(3) NOT NULL DEFAULT now(),
    version      integer NOT NULL DEFAULT 0
);

CREATE TABLE orleansmembershiptable
(
    deploymentid varchar(150) NOT NULL REFERENCES orleansmembershipversiontable (deploymentid),
    address      varchar(45) NOT NULL,
    port         integer NOT NULL,
    generation   integer NOT NULL,
    siloname     varchar(150) NOT NULL,
    hostname     varchar(150) NOT NULL,
    status       integer NOT NULL,
    proxyport    integer NULL,
    suspecttimes text NULL,
    starttime    timestamptz(3) NOT NULL,
    iamalivetime timestamptz(3) NOT NULL,
    PRIMARY KEY (deploymentid, address, port, generation)
);

-- The version row of a deployment, created once; true only for the call that created it.
CREATE FUNCTION membership_insert_version(p_deployment varchar)
    RETURNS integer LANGUAGE plpgsql AS
$$
BEGIN
    INSERT INTO orleansmembershipversiontable (deploymentid) VALUES (p_deployment) ON CONFLICT DO NOTHING;
    RETURN CASE WHEN FOUND THEN 1 ELSE 0 END;
END
$$;

-- Locks the deployment's version row and says whether the caller holds its current version: writers of one
-- deployment queue on that lock, so the check and the change below it are one atomic step.
CREATE FUNCTION membership_holds_version(p_deployment varchar, p_version integer)
    RETURNS boolean LANGUAGE plpgsql AS
$$
DECLARE
    current integer;
BEGIN
    SELECT version INTO current FROM orleansmembershipversiontable WHERE deploymentid = p_deployment FOR UPDATE;
    RETURN FOUND AND current = p_version;
END
$$;

CREATE FUNCTION membership_bump_version(p_deployment varchar)
    RETURNS void LANGUAGE sql AS
$$
    UPDATE orleansmembershipversiontable SET version = version + 1, timestamp = now() WHERE deploymentid = p_deployment;
$$;

CREATE FUNCTION membership_insert(
    p_deployment varchar, p_address varchar, p_port integer, p_generation integer, p_silo_name varchar,
    p_host_name varchar, p_status integer, p_proxy_port integer, p_start_time timestamptz, p_i_am_alive timestamptz,
    p_version integer)
    RETURNS integer LANGUAGE plpgsql AS
$$
BEGIN
    IF NOT membership_holds_version(p_deployment, p_version) THEN
        RETURN 0;
    END IF;
    INSERT INTO orleansmembershiptable
        (deploymentid, address, port, generation, siloname, hostname, status, proxyport, starttime, iamalivetime)
    VALUES
        (p_deployment, p_address, p_port, p_generation, p_silo_name, p_host_name, p_status, p_proxy_port,
         p_start_time, p_i_am_alive)
    ON CONFLICT DO NOTHING;
    IF NOT FOUND THEN
        RETURN 0;
    END IF;
    PERFORM membership_bump_version(p_deployment);
    RETURN 1;
END
$$;

CREATE FUNCTION membership_update(
    p_deployment varchar, p_address varchar, p_port integer, p_generation integer, p_status integer,
    p_suspect_times text, p_i_am_alive timestamptz, p_version integer)
    RETURNS integer LANGUAGE plpgsql AS
$$
BEGIN
    IF NOT membership_holds_version(p_deployment, p_version) THEN
        RETURN 0;
    END IF;
    UPDATE orleansmembershiptable
    SET status = p_status, suspecttimes = p_suspect_times, iamalivetime = p_i_am_alive
    WHERE deploymentid = p_deployment AND address = p_address AND port = p_port AND generation = p_generation;
    IF NOT FOUND THEN
        RETURN 0;
    END IF;
    PERFORM membership_bump_version(p_deployment);
    RETURN 1;
END
$$;

-- A silo's heartbeat in the table; not versioned, as the protocol allows.
CREATE FUNCTION membership_i_am_alive(
    p_deployment varchar, p_address varchar, p_port integer, p_generation integer, p_i_am_alive timestamptz)
    RETURNS void LANGUAGE sql AS
$$
    UPDATE orleansmembershiptable SET iamalivetime = p_i_am_alive
    WHERE deploymentid = p_deployment AND address = p_address AND port = p_port AND generation = p_generation;
$$;

-- Every member of the deployment (or the one asked for) beside the table version; the version row comes back even
-- when no member matches, since Orleans needs the version to write.
CREATE FUNCTION membership_read(
    p_deployment varchar, p_address varchar DEFAULT NULL, p_port integer DEFAULT NULL, p_generation integer DEFAULT NULL)
    RETURNS TABLE (
        deploymentid varchar, address varchar, port integer, generation integer, siloname varchar, hostname varchar,
        status integer, proxyport integer, suspecttimes text, starttime timestamptz, iamalivetime timestamptz,
        version integer)
    LANGUAGE sql STABLE AS
$$
    SELECT v.deploymentid, m.address, m.port, m.generation, m.siloname, m.hostname, m.status, m.proxyport,
           m.suspecttimes, m.starttime, m.iamalivetime, v.version
    FROM orleansmembershipversiontable v
    LEFT JOIN orleansmembershiptable m
        ON m.deploymentid = v.deploymentid
        AND (p_address IS NULL OR (m.address = p_address AND m.port = p_port AND m.generation = p_generation))
    WHERE v.deploymentid = p_deployment;
$$;

CREATE FUNCTION membership_gateways(p_deployment varchar, p_status integer)
    RETURNS TABLE (address varchar, proxyport integer, generation integer)
    LANGUAGE sql STABLE AS
$$
    SELECT address, proxyport, generation FROM orleansmembershiptable
    WHERE deploymentid = p_deployment AND status = p_status AND proxyport > 0;
$$;

CREATE FUNCTION membership_delete_deployment(p_deployment varchar)
    RETURNS void LANGUAGE sql AS
$$
    DELETE FROM orleansmembershiptable WHERE deploymentid = p_deployment;
    DELETE FROM orleansmembershipversiontable WHERE deploymentid = p_deployment;
$$;

-- Rows of silos that stopped heartbeating before the given time and are not active (status 3) are dropped.
CREATE FUNCTION membership_cleanup_defunct(p_deployment varchar, p_i_am_alive timestamptz)
    RETURNS void LANGUAGE sql AS
$$
    DELETE FROM orleansmembershiptable
    WHERE deploymentid = p_deployment AND iamalivetime < p_i_am_alive AND status <> 3;
$$;

INSERT INTO orleansquery (querykey, querytext) VALUES
    ('InsertMembershipVersionKey', 'SELECT membership_insert_version(@DeploymentId)'),
    ('InsertMembershipKey', 'SELECT membership_insert(@DeploymentId, @Address, @Port, @Generation, @SiloName, @HostName, @Status, @ProxyPort, @StartTime, @IAmAliveTime, @Version)'),
    ('UpdateMembershipKey', 'SELECT membership_update(@DeploymentId, @Address, @Port, @Generation, @Status, @SuspectTimes, @IAmAliveTime, @Version)'),
    ('UpdateIAmAlivetimeKey', 'SELECT membership_i_am_alive(@DeploymentId, @Address, @Port, @Generation, @IAmAliveTime)'),
    ('MembershipReadRowKey', 'SELECT * FROM membership_read(@DeploymentId, @Address, @Port, @Generation)'),
    ('MembershipReadAllKey', 'SELECT * FROM membership_read(@DeploymentId)'),
    ('GatewaysQueryKey', 'SELECT * FROM membership_gateways(@DeploymentId, @Status)'),
    ('DeleteMembershipTableEntriesKey', 'SELECT membership_delete_deployment(@DeploymentId)'),
    ('CleanupDefunctSiloEntriesKey', 'SELECT membership_cleanup_defunct(@DeploymentId, @IAmAliveTime)');
