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
    ]

    /// Aggregates of one capture's flows (parameter 1: the capture id), in SQL so there is one
    /// definition of each figure.
    static let aggregates = [
        """
        INSERT INTO host_services
        SELECT capture_id, proto, server_addr, server_port, client_addr, COUNT(*), SUM(handshake),
               SUM(packets_c2s), SUM(bytes_c2s), SUM(packets_s2c), SUM(bytes_s2c), MIN(first_ns), MAX(last_ns)
        FROM flows WHERE capture_id = ?1 AND proto IN ('tcp', 'udp', 'sctp')
        GROUP BY proto, server_addr, server_port, client_addr
        """,
        """
        INSERT INTO service_ports
        SELECT capture_id, proto, server_port, SUM(packets_c2s), SUM(bytes_c2s), SUM(packets_s2c), SUM(bytes_s2c),
               SUM(flows), COUNT(DISTINCT client_addr), COUNT(DISTINCT server_addr), MIN(first_ns), MAX(last_ns)
        FROM host_services WHERE capture_id = ?1
        GROUP BY proto, server_port
        """,
    ]
}
