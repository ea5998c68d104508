import PortScopeDecode
import PortScopeSQLite
import PortScopeStore

/// What a listening socket of the capturing host saw in the capture, or a port of the host that
/// was tried with nothing listening.
public struct ExposureLine: Sendable {
    public enum State: String, Sendable {
        /// Established traffic reached it.
        case used
        /// Listening, and no established flow reached it.
        case unused
        /// Connection attempts reached a port of the host where nothing listened.
        case noListener = "no_listener"
    }

    public var capture: Int64
    public var proto: IPProtocol
    /// The address it listens on (`0.0.0.0`, `::`, `127.0.0.1`, …), or the one tried.
    public var address: IPAddress
    public var port: UInt16
    /// `all`, `loopback`, `address`; nil for a port nothing listened on.
    public var bound: String?
    public var process: String?
    public var pid: Int32?
    public var user: String?
    /// Distinct clients in the local networks, and outside them.
    public var clientsLocal: Set<IPAddress> = []
    public var clientsExternal: Set<IPAddress> = []
    /// The host's addresses its established flows reached (one, unless it listens on every address).
    public var reachedAt: Set<IPAddress> = []
    public var flows: Int64 = 0
    public var packets: Int64 = 0
    public var bytes: Int64 = 0
    public var state: State
    /// Whether it listened from the first reading of the socket tables to the last.
    public var listenedThroughout = false
    /// Whether the capture could see all of its traffic: on every interface (`any`), unfiltered.
    /// Only then does no flow mean nobody used it.
    public var seenWhole = false
}

/// The host's own view (`live` on Linux): each socket it listened on, with the established
/// traffic that reached it (who, how much) or none; and each of its ports that received
/// connection attempts with nothing listening. Captures whose socket tables were never read
/// (files) have none: `capturesWithoutHost` names them.
public struct Exposure: Sendable {
    public private(set) var lines: [ExposureLine] = []
    /// Per capture, what could not be read of the host (`host_unreadable`).
    public private(set) var unreadable: [Int64: String] = [:]
    public private(set) var capturesWithoutHost: [Int64] = []

    public init(_ store: borrowing CaptureStore, captures: CaptureSelection, local: LocalNetworks) throws {
        let hosts = try store.query("""
            WITH \(CaptureSelection.selected)
            SELECT id, host_first_ns, host_read_ns, host_addresses, host_unreadable, source = 'any' AND filter IS NULL AS whole
            FROM captures WHERE id IN selected ORDER BY id
            """, [":captures": captures.parameter])
        var own: [Int64: Set<IPAddress>] = [:], span: [Int64: (Int64, Int64)] = [:], whole: Set<Int64> = []
        for row in hosts {
            let id = row["id"].int
            guard case .int(let first) = row["host_first_ns"] else { capturesWithoutHost.append(id); continue }
            own[id] = Set(row["host_addresses"].text.split(separator: " ").compactMap { IPAddress($0) })
            span[id] = (first, row["host_read_ns"].int)
            if row["whole"].int == 1 { whole.insert(id) }
            if case .text(let text) = row["host_unreadable"] { unreadable[id] = text }
        }
        guard !own.isEmpty else { return }
        let ids = CaptureSelection(ids: own.keys.sorted(), window: captures.window)
        for row in try store.query("""
            SELECT capture_id, proto, address, port, bound, pid, process, user, first_ns, last_ns FROM listeners
            WHERE capture_id IN (SELECT value FROM json_each(:captures)) ORDER BY capture_id, proto, port, address
            """, [":captures": ids.parameter]) {
            guard let proto = IPProtocol(name: row["proto"].text), let address = IPAddress(row["address"].text) else { continue }
            let capture = row["capture_id"].int, pid = Int32(clamping: row["pid"].int)
            let throughout = span[capture].map { row["first_ns"].int <= $0.0 && row["last_ns"].int >= $0.1 } ?? false
            // A socket the same process holds twice (dual-stack, SO_REUSEPORT) is one line.
            if let i = lines.lastIndex(where: { $0.capture == capture && $0.proto == proto && $0.port == UInt16(clamping: row["port"].int)
                                                && $0.address == address }) {
                lines[i].listenedThroughout = lines[i].listenedThroughout || throughout
                continue
            }
            lines.append(ExposureLine(capture: capture, proto: proto, address: address, port: UInt16(clamping: row["port"].int),
                                      bound: row["bound"].text, process: row["process"].optionalText, pid: pid == 0 ? nil : pid,
                                      user: row["user"].optionalText, state: .unused, listenedThroughout: throughout,
                                      seenWhole: whole.contains(capture)))
        }
        // The listeners of each capture, protocol and port: every flow looks up its own, not all of them.
        struct Port: Hashable { var capture: Int64; var proto: IPProtocol; var port: UInt16 }
        let byPort = Dictionary(grouping: lines.indices) { Port(capture: lines[$0].capture, proto: lines[$0].proto, port: lines[$0].port) }
        var attempts: [String: ExposureLine] = [:]
        for row in try store.query("""
            SELECT capture_id, proto, server_addr, server_port, client_addr, engagement, bytes_c2s + bytes_s2c AS bytes,
                   packets_c2s + packets_s2c AS packets FROM flows
            WHERE capture_id IN (SELECT value FROM json_each(:captures)) AND proto IN ('tcp', 'udp') AND \(TimeWindow.flowCondition())
            """, ids.parameters()) {
            let capture = row["capture_id"].int
            guard let proto = IPProtocol(name: row["proto"].text), let server = IPAddress(row["server_addr"].text),
                  let client = IPAddress(row["client_addr"].text), let addresses = own[capture],
                  server.isLoopback || addresses.contains(server) else { continue }
            let port = UInt16(clamping: row["server_port"].int), established = row["engagement"].text == "established"
            // The listener that took it: bound to the server's address, or to every address of its family.
            let candidates = byPort[Port(capture: capture, proto: proto, port: port)] ?? []
            let taker = candidates.first { lines[$0].address == server }
                ?? candidates.first { lines[$0].bound == "all" && (lines[$0].address.isIPv4 == server.isIPv4 || lines[$0].address == .zero) }
            if let i = taker {
                guard established else { continue }
                lines[i].flows += 1
                lines[i].packets += row["packets"].int
                lines[i].bytes += row["bytes"].int
                if local.contains(client) || client == server { lines[i].clientsLocal.insert(client) } else { lines[i].clientsExternal.insert(client) }
                lines[i].reachedAt.insert(server)
                lines[i].state = .used
            } else if !established {
                let k = "\(capture) \(proto.name) \(server) \(port)"
                var line = attempts[k] ?? ExposureLine(capture: capture, proto: proto, address: server, port: port, state: .noListener)
                line.flows += 1
                line.packets += row["packets"].int
                line.bytes += row["bytes"].int
                if local.contains(client) { line.clientsLocal.insert(client) } else { line.clientsExternal.insert(client) }
                attempts[k] = line
            }
        }
        lines += attempts.values.sorted { ($0.capture, $0.proto.rawValue, $0.port, $0.address) < ($1.capture, $1.proto.rawValue, $1.port, $1.address) }
    }
}

extension Statement.Value {
    /// The text, or nil when null.
    var optionalText: String? {
        if case .text(let text) = self { return text }
        return nil
    }
}
