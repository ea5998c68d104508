import PortScopeSQLite

/// A socket the capturing host listened on, as the store keeps it (`listeners`).
public struct ListenerRow: Sendable, Equatable {
    public var proto: String
    public var address: String
    public var port: UInt16
    /// `all`, `loopback` or `address`.
    public var bound: String
    /// 0 when the process could not be read.
    public var pid: Int32
    public var process: String?
    public var user: String?

    public init(proto: String, address: String, port: UInt16, bound: String, pid: Int32, process: String?, user: String?) {
        self.proto = proto
        self.address = address
        self.port = port
        self.bound = bound
        self.pid = pid
        self.process = process
        self.user = user
    }
}

extension CaptureStore {
    /// Records one reading of the host's sockets for `capture` at `time` (ns), in one
    /// transaction: each listener seen now (first seen at its first reading, last seen at this
    /// one), when the tables were read, the host's addresses and what could not be read (nil: everything was).
    public func recordHost(capture: Int64, listeners: [ListenerRow], addresses: [String], unreadable: String?,
                           at time: Int64) throws(StoreError) {
        try inTransaction { () throws(SQLiteError) in
            var upsert = try db.prepare("""
                INSERT INTO listeners (capture_id, proto, address, port, bound, pid, process, user, first_ns, last_ns)
                VALUES (:capture, :proto, :address, :port, :bound, :pid, :process, :user, :time, :time)
                ON CONFLICT DO UPDATE SET last_ns = max(last_ns, excluded.last_ns)
                """)
            for listener in listeners {
                try upsert.bind(named: [
                    ":capture": .int(capture), ":proto": .text(listener.proto), ":address": .text(listener.address),
                    ":port": .int(Int64(listener.port)), ":bound": .text(listener.bound), ":pid": .int(Int64(listener.pid)),
                    ":process": listener.process.map { .text($0) } ?? .null, ":user": listener.user.map { .text($0) } ?? .null,
                    ":time": .int(time),
                ])
                while try upsert.step() {}
            }
            var mark = try db.prepare("""
                UPDATE captures SET host_first_ns = coalesce(host_first_ns, :time), host_read_ns = :time,
                    host_addresses = :addresses, host_unreadable = :unreadable WHERE id = :capture
                """)
            try mark.bind(named: [":time": .int(time), ":addresses": .text(addresses.joined(separator: " ")),
                                  ":unreadable": unreadable.map { .text($0) } ?? .null, ":capture": .int(capture)])
            while try mark.step() {}
        }
    }
}
