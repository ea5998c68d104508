/// The database schema, as migrations: entry *n* brings `PRAGMA user_version` from *n* to
/// *n + 1*. Append only; never edit a migration that has shipped. Documented in README.md.
enum Schema {
    static let migrations: [String] = [
        """
        CREATE TABLE captures (
            id INTEGER PRIMARY KEY,
            source TEXT NOT NULL,
            kind TEXT NOT NULL,
            format TEXT NOT NULL,
            size INTEGER,
            sha256 TEXT,
            link_types TEXT NOT NULL,
            filter TEXT,
            first_ns INTEGER,
            last_ns INTEGER,
            packets INTEGER NOT NULL,
            bytes INTEGER NOT NULL,
            captured_bytes INTEGER NOT NULL,
            flows INTEGER NOT NULL,
            status TEXT NOT NULL,
            damage TEXT,
            tool_version TEXT NOT NULL,
            analyzed_at TEXT NOT NULL
        );
        CREATE INDEX captures_sha256 ON captures(sha256);
        CREATE TABLE capture_anomalies (
            capture_id INTEGER NOT NULL REFERENCES captures(id) ON DELETE CASCADE,
            reason TEXT NOT NULL,
            packets INTEGER NOT NULL,
            PRIMARY KEY (capture_id, reason)
        ) WITHOUT ROWID;
        CREATE TABLE flows (
            id INTEGER PRIMARY KEY,
            capture_id INTEGER NOT NULL REFERENCES captures(id) ON DELETE CASCADE,
            proto TEXT NOT NULL,
            client_addr TEXT NOT NULL,
            client_port INTEGER NOT NULL,
            server_addr TEXT NOT NULL,
            server_port INTEGER NOT NULL,
            decided_by TEXT NOT NULL,
            first_ns INTEGER NOT NULL,
            last_ns INTEGER NOT NULL,
            packets_c2s INTEGER NOT NULL,
            bytes_c2s INTEGER NOT NULL,
            packets_s2c INTEGER NOT NULL,
            bytes_s2c INTEGER NOT NULL,
            fragment_packets INTEGER NOT NULL,
            tcp_flags_c2s TEXT,
            tcp_flags_s2c TEXT,
            handshake INTEGER NOT NULL,
            end_reason TEXT NOT NULL,
            icmp_type INTEGER,
            icmp_code INTEGER
        );
        CREATE INDEX flows_capture ON flows(capture_id);
        CREATE INDEX flows_server ON flows(server_port, proto);
        CREATE TABLE service_ports (
            capture_id INTEGER NOT NULL REFERENCES captures(id) ON DELETE CASCADE,
            proto TEXT NOT NULL,
            port INTEGER NOT NULL,
            packets_c2s INTEGER NOT NULL,
            bytes_c2s INTEGER NOT NULL,
            packets_s2c INTEGER NOT NULL,
            bytes_s2c INTEGER NOT NULL,
            flows INTEGER NOT NULL,
            clients INTEGER NOT NULL,
            servers INTEGER NOT NULL,
            first_ns INTEGER NOT NULL,
            last_ns INTEGER NOT NULL,
            PRIMARY KEY (capture_id, proto, port)
        ) WITHOUT ROWID;
        CREATE TABLE host_services (
            capture_id INTEGER NOT NULL REFERENCES captures(id) ON DELETE CASCADE,
            proto TEXT NOT NULL,
            server_addr TEXT NOT NULL,
            server_port INTEGER NOT NULL,
            client_addr TEXT NOT NULL,
            flows INTEGER NOT NULL,
            handshakes INTEGER NOT NULL,
            packets_c2s INTEGER NOT NULL,
            bytes_c2s INTEGER NOT NULL,
            packets_s2c INTEGER NOT NULL,
            bytes_s2c INTEGER NOT NULL,
            first_ns INTEGER NOT NULL,
            last_ns INTEGER NOT NULL,
            PRIMARY KEY (capture_id, proto, server_addr, server_port, client_addr)
        ) WITHOUT ROWID;
        """,
        // v2: live captures (libpcap's counters; rows written in flushes, so the aggregates
        // follow each flow row by trigger) and service_ports as a view of host_services.
        """
        ALTER TABLE captures ADD COLUMN received INTEGER;
        ALTER TABLE captures ADD COLUMN dropped_kernel INTEGER;
        ALTER TABLE captures ADD COLUMN dropped_interface INTEGER;
        DROP TABLE service_ports;
        CREATE VIEW service_ports AS
        SELECT capture_id, proto, server_port AS port,
               SUM(packets_c2s) AS packets_c2s, SUM(bytes_c2s) AS bytes_c2s,
               SUM(packets_s2c) AS packets_s2c, SUM(bytes_s2c) AS bytes_s2c, SUM(flows) AS flows,
               COUNT(DISTINCT client_addr) AS clients, COUNT(DISTINCT server_addr) AS servers,
               MIN(first_ns) AS first_ns, MAX(last_ns) AS last_ns
        FROM host_services GROUP BY capture_id, proto, server_port;
        CREATE TRIGGER flows_insert_host_services AFTER INSERT ON flows
        WHEN NEW.proto IN ('tcp', 'udp', 'sctp') BEGIN
            \(addToHostServices)
        END;
        -- A flow row updated on the same service key: its figures only grow.
        CREATE TRIGGER flows_update_host_services AFTER UPDATE ON flows
        WHEN NEW.proto IN ('tcp', 'udp', 'sctp') AND \(sameKey) BEGIN
            UPDATE host_services SET handshakes = handshakes + NEW.handshake - OLD.handshake,
                packets_c2s = packets_c2s + NEW.packets_c2s - OLD.packets_c2s,
                bytes_c2s = bytes_c2s + NEW.bytes_c2s - OLD.bytes_c2s,
                packets_s2c = packets_s2c + NEW.packets_s2c - OLD.packets_s2c,
                bytes_s2c = bytes_s2c + NEW.bytes_s2c - OLD.bytes_s2c,
                first_ns = min(first_ns, NEW.first_ns), last_ns = max(last_ns, NEW.last_ns)
            WHERE \(oldKey);
        END;
        -- A flow re-decided to the other side (live: fan-in learned later): out of its old
        -- service key (whose times are recomputed, or which goes when it has no flow left), into the new.
        CREATE TRIGGER flows_move_host_services AFTER UPDATE ON flows
        WHEN NEW.proto IN ('tcp', 'udp', 'sctp') AND NOT (\(sameKey)) BEGIN
            UPDATE host_services SET flows = flows - 1, handshakes = handshakes - OLD.handshake,
                packets_c2s = packets_c2s - OLD.packets_c2s, bytes_c2s = bytes_c2s - OLD.bytes_c2s,
                packets_s2c = packets_s2c - OLD.packets_s2c, bytes_s2c = bytes_s2c - OLD.bytes_s2c,
                first_ns = coalesce((SELECT MIN(first_ns) FROM flows WHERE \(oldKey)), first_ns),
                last_ns = coalesce((SELECT MAX(last_ns) FROM flows WHERE \(oldKey)), last_ns)
            WHERE \(oldKey);
            DELETE FROM host_services WHERE \(oldKey) AND flows = 0;
            \(addToHostServices)
        END;
        """,
        // v3: which side sent a flow's first packet ('client' or 'server'; null in rows written
        // before). The findings need it: a probe's sender, a client's chosen source port.
        """
        ALTER TABLE flows ADD COLUMN opened_by TEXT;
        """,
        // v4: the store adds the flow rows it inserts into host_services itself, summed per
        // key (`HostServiceSums`): one trigger run per inserted row cost most of the time of a
        // large capture. Updated rows still move their figures by v2's update triggers.
        // flow_rows: 0 for a capture analyzed with --no-flows (host_services without flow rows).
        """
        DROP TRIGGER flows_insert_host_services;
        ALTER TABLE captures ADD COLUMN flow_rows INTEGER NOT NULL DEFAULT 1;
        """,
        // v5: the protocol the payload showed (`PayloadDetector`): its name, or 'unknown' when
        // payload was examined and nothing recognised, null when there was none; the detection's
        // confidence ('high', 'medium', 'low'); the TLS SNI or HTTP Host; the TLS ALPN list.
        """
        ALTER TABLE flows ADD COLUMN app_proto TEXT;
        ALTER TABLE flows ADD COLUMN app_confidence TEXT;
        ALTER TABLE flows ADD COLUMN app_name TEXT;
        ALTER TABLE flows ADD COLUMN app_alpn TEXT;
        """,
        // v6: the process writing a live capture (`host:pid`): a `running` row whose writer is
        // gone was interrupted (killed without its last flush).
        """
        ALTER TABLE captures ADD COLUMN writer TEXT;
        """,
        // v7: the connection as Zeek logs it (`conn_state`, `history`, relative to Zeek's
        // originator), and `engagement`, how far the responder took part ('established',
        // 'open_probe', 'probe', 'attempt'): the one definition every report and finding reads
        // (`Engagement`). Rows written before get the engagement of the definition they were
        // judged by (a retransmitted SYN-ACK still counts there, as it did). `to_group`: a packet
        // went to a multicast or broadcast address (IP, or the link's: a directed broadcast), so
        // that end is no host.
        """
        ALTER TABLE flows ADD COLUMN conn_state TEXT;
        ALTER TABLE flows ADD COLUMN history TEXT;
        ALTER TABLE flows ADD COLUMN engagement TEXT;
        ALTER TABLE flows ADD COLUMN to_group INTEGER NOT NULL DEFAULT 0;
        UPDATE flows SET engagement = judged.engagement
        FROM (
            SELECT id, CASE
                WHEN CASE proto WHEN 'tcp' THEN handshake = 1 OR rp > 3
                         OR (rp > 0 AND instr(rf, 'R') = 0 AND (instr(rf, 'S') = 0 OR ip > 3))
                     ELSE rp > 0 OR ip > 3 END THEN 'established'
                WHEN ip > 3 THEN 'attempt'
                WHEN rp > 0 AND (proto != 'tcp' OR instr(rf, 'S') > 0) THEN 'open_probe'
                ELSE 'probe' END AS engagement
            FROM (SELECT id, proto, handshake,
                         CASE opened_by WHEN 'server' THEN packets_s2c ELSE packets_c2s END AS ip,
                         CASE opened_by WHEN 'server' THEN packets_c2s ELSE packets_s2c END AS rp,
                         CASE opened_by WHEN 'server' THEN tcp_flags_c2s ELSE tcp_flags_s2c END AS rf
                  FROM flows)
        ) AS judged
        WHERE flows.id = judged.id;
        """,
        // v8: captures as users keep them. `compression`: what the file was read through (gzip,
        // zstd, xz, bzip2, lz4; null: none); `name`: the user's label (`--name`) or a capture
        // set's name; `path`: the file's absolute path (null for standard input, an interface
        // or a set). A set read as one capture (`--as-one`) lists its files in
        // `capture_members`, in the order their first packets came.
        """
        ALTER TABLE captures ADD COLUMN compression TEXT;
        ALTER TABLE captures ADD COLUMN name TEXT;
        ALTER TABLE captures ADD COLUMN path TEXT;
        CREATE TABLE capture_members (
            capture_id INTEGER NOT NULL REFERENCES captures(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            path TEXT NOT NULL,
            size INTEGER NOT NULL,
            sha256 TEXT NOT NULL,
            format TEXT NOT NULL,
            compression TEXT,
            packets INTEGER NOT NULL,
            first_ns INTEGER,
            last_ns INTEGER,
            PRIMARY KEY (capture_id, position)
        ) WITHOUT ROWID;
        CREATE INDEX capture_members_sha256 ON capture_members(sha256);
        """,
        // v9: each flow's Community ID, its IP and payload bytes each way (null for flows stored
        // before), and the Community ID seed its capture used.
        """
        ALTER TABLE flows ADD COLUMN community_id TEXT;
        ALTER TABLE flows ADD COLUMN ip_bytes_c2s INTEGER;
        ALTER TABLE flows ADD COLUMN ip_bytes_s2c INTEGER;
        ALTER TABLE flows ADD COLUMN payload_bytes_c2s INTEGER;
        ALTER TABLE flows ADD COLUMN payload_bytes_s2c INTEGER;
        ALTER TABLE captures ADD COLUMN community_id_seed INTEGER;
        """,
        // v10: each TLS flow's JA4 client fingerprint (null without a whole ClientHello, and for
        // flows stored before), indexed for `flows --ja4`.
        """
        ALTER TABLE flows ADD COLUMN ja4 TEXT;
        CREATE INDEX flows_ja4 ON flows(ja4) WHERE ja4 IS NOT NULL;
        """,
        // v11: traffic over time (`TimeBuckets`). Per capture, service (protocol, server, port)
        // and bucket (`start_ns`, `bucket_ns` wide, a multiple of it since 1970): packets and
        // bytes seen in the bucket, and the flows whose first packet fell in it. Their sums are
        // the host_services figures. Captures stored before have none (`bucket_ns` null).
        """
        ALTER TABLE captures ADD COLUMN bucket_ns INTEGER;
        CREATE TABLE time_buckets (
            capture_id INTEGER NOT NULL REFERENCES captures(id) ON DELETE CASCADE,
            proto TEXT NOT NULL,
            server_addr TEXT NOT NULL,
            server_port INTEGER NOT NULL,
            start_ns INTEGER NOT NULL,
            packets INTEGER NOT NULL,
            bytes INTEGER NOT NULL,
            flows INTEGER NOT NULL,
            PRIMARY KEY (capture_id, proto, server_port, server_addr, start_ns)
        ) WITHOUT ROWID;
        """,
        // v12: the host's own view (`live` on Linux). Each socket listening while the capture ran:
        // protocol, local address and port, how it is bound (`all`, `loopback`, `address`), the
        // process holding it (pid 0: not known), first and last seen listening. Per flow, the
        // process that held its local end. Per capture, when the socket tables were first and
        // last read (`host_first_ns`, `host_read_ns`; null: never, as for a file), the host's own
        // addresses (space-separated) and what could not be read.
        """
        CREATE TABLE listeners (
            capture_id INTEGER NOT NULL REFERENCES captures(id) ON DELETE CASCADE,
            proto TEXT NOT NULL,
            address TEXT NOT NULL,
            port INTEGER NOT NULL,
            bound TEXT NOT NULL,
            pid INTEGER NOT NULL,
            process TEXT,
            user TEXT,
            first_ns INTEGER NOT NULL,
            last_ns INTEGER NOT NULL,
            PRIMARY KEY (capture_id, proto, port, address, pid)
        ) WITHOUT ROWID;
        ALTER TABLE captures ADD COLUMN host_first_ns INTEGER;
        ALTER TABLE captures ADD COLUMN host_read_ns INTEGER;
        ALTER TABLE captures ADD COLUMN host_addresses TEXT;
        ALTER TABLE captures ADD COLUMN host_unreadable TEXT;
        ALTER TABLE flows ADD COLUMN local_process TEXT;
        ALTER TABLE flows ADD COLUMN local_pid INTEGER;
        """,
        // v13: the sensor that made each capture (its host name; null in rows written before),
        // kept when databases merge and exported with every row.
        """
        ALTER TABLE captures ADD COLUMN sensor TEXT;
        """,
        // v14: a capture's own identity, random, made once and kept through merges: what names a
        // capture that is no file (a live run, whose first packet is not known when it starts)
        // across databases and in ClickHouse. Rows written before get one now.
        """
        ALTER TABLE captures ADD COLUMN uid TEXT;
        UPDATE captures SET uid = lower(hex(randomblob(16)));
        """,
    ]

    // Pieces of migration v2's triggers (part of that migration: never edit).
    /// Adds the NEW flow row to its host_services row.
    private static let addToHostServices = """
        INSERT INTO host_services VALUES (NEW.capture_id, NEW.proto, NEW.server_addr, NEW.server_port,
                NEW.client_addr, 1, NEW.handshake, NEW.packets_c2s, NEW.bytes_c2s, NEW.packets_s2c, NEW.bytes_s2c,
                NEW.first_ns, NEW.last_ns)
            ON CONFLICT DO UPDATE SET flows = flows + 1, handshakes = handshakes + excluded.handshakes,
                packets_c2s = packets_c2s + excluded.packets_c2s, bytes_c2s = bytes_c2s + excluded.bytes_c2s,
                packets_s2c = packets_s2c + excluded.packets_s2c, bytes_s2c = bytes_s2c + excluded.bytes_s2c,
                first_ns = min(first_ns, excluded.first_ns), last_ns = max(last_ns, excluded.last_ns);
        """
    /// The host_services key of the OLD flow row.
    private static let oldKey = """
        capture_id = OLD.capture_id AND proto = OLD.proto AND server_addr = OLD.server_addr \
        AND server_port = OLD.server_port AND client_addr = OLD.client_addr
        """
    private static let sameKey = """
        NEW.server_addr = OLD.server_addr AND NEW.server_port = OLD.server_port AND NEW.client_addr = OLD.client_addr
        """
}
