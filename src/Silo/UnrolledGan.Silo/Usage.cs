namespace UnrolledGan.Silo;

/// <summary>What `UnrolledGan.Silo --help` prints: the settings that matter, with their defaults.</summary>
internal static class Usage
{
    public static bool Asked(IReadOnlyList<string> args) => args.Any(a => a is "--help" or "-h" or "-?" or "help");

    public const string Text = """
        UnrolledGan.Silo: a worker silo. It joins its cluster, offers its GPU or CPU slots to sweeps, and serves
        clients through its gateway.

        usage:
          UnrolledGan.Silo [--Section:Key=value ...]     start a silo
          UnrolledGan.Silo db migrate                    apply the PostgreSQL schema (deploy/postgres); safe to repeat
          UnrolledGan.Silo db status                     say whether the database's schema is the one this silo needs
          UnrolledGan.Silo certs <folder> [name ...]     a development CA and a certificate per node, for Tls:*
          UnrolledGan.Silo --help                        this text

        Every setting is --Section:Key=value, or the environment variable Section__Key, or appsettings.json:
          Cluster:Provider          embedded (default: one machine, loopback, state in files) | postgres
          Cluster:Instance          n: a further silo on this machine, on ports SiloPort + n and GatewayPort + n
          Cluster:SiloPort          11111       silo-to-silo port
          Cluster:GatewayPort       30000       client port
          Cluster:Address           postgres: the address to listen on and advertise (default: 127.0.0.1, or with TLS or
                                    Insecure the first non-loopback IPv4; give it on every host of a multi-host cluster)
          Cluster:ClusterId, ServiceId, SiloName
          Cluster:Membership:*      Orleans failure detection (ProbeTimeout, NumMissedProbesLimit, ...)
          Cluster:Insecure          false       allow ports beyond loopback without TLS (warned at every start)
          Tls:CertificateFile, Tls:KeyFile, Tls:CaFile   mutual TLS for silo and gateway connections (PEM files)
          ConnectionStrings:Cluster postgres: the database (ConnectionStrings__Cluster; never on the command line)
          Database:ConnectionStringFile  postgres: or a file holding it (a mounted Secret)
          Workers:CpuSlots          0           CPU slots; 0 = one per core (split the cores between silos on one machine)
          Workers:Gpus              auto        auto | none | 0,1
          Workers:LeaseTimeout      00:01:00    stop a run no sweep has heard of for this long (this silo is cut off)
          Results:Folder            results     one volume shared by every silo of a cluster
          Dashboard:Host, Port      127.0.0.1, 8080   Orleans Dashboard (port plus Instance); 0 turns it off
          Telemetry:PrometheusHost, PrometheusPort  127.0.0.1, 9464   /metrics (port plus Instance); 0 turns it off
          Access:Token, TokenFile   the operator token: the pages, their actions and the dashboard need it, loopback too
                                    (default: a new one at each start, in a 0600 file the start-up report names)
          Access:MetricsToken, MetricsTokenFile  a read-only token that opens /metrics only (needed when it leaves loopback)
          Access:AllowedHosts       host names requests may use besides loopback's (needed for Host 0.0.0.0)
          Telemetry:OtlpEndpoint, OtlpProtocol  OTLP collector for metrics, traces (the trainers' too) and logs; Grpc or HttpProtobuf

        exit codes: 0 stopped cleanly, 1 a fault or an outdated database schema, 2 a bad setting (named in the message)
        """;
}
