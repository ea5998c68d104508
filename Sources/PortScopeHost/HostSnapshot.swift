import PortScopeDecode
#if canImport(Glibc)
import Glibc
#endif

/// How a listening socket is bound: to every address, to loopback only, or to one address.
public enum ListenerBinding: String, Sendable {
    case all, loopback, address
}

/// A socket waiting for others, with the process holding it (nil when it could not be read).
public struct Listener: Sendable, Equatable {
    public var proto: IPProtocol
    public var address: IPAddress
    public var port: UInt16
    public var owner: SocketOwner?

    public var binding: ListenerBinding {
        address.isUnspecified ? .all : address.isLoopback ? .loopback : .address
    }
}

/// The host's sockets at one moment: its socket tables, which process holds each socket, and
/// the host's own addresses; and what could not be read, said rather than guessed.
public struct HostSnapshot: Sendable {
    public var sockets: [HostSocket] = []
    public var owners = SocketOwners(proc: "/nonexistent")
    /// The addresses of the host's interfaces.
    public var addresses: Set<IPAddress> = []
    /// What could not be read, one line each (`no /proc/net/tcp: not Linux`, processes another user holds).
    public var unreadable: [String] = []

    private struct Connection: Hashable {
        var proto: IPProtocol, local: IPAddress, localPort: UInt16, remote: IPAddress, remotePort: UInt16
    }
    private var connections: [Connection: UInt64] = [:]
    private var listening: [UInt32: [Listener]] = [:]

    public init() {}

    /// Reads the socket tables and the processes under `proc`, and the interfaces' addresses.
    public static func read(proc: String = "/proc") -> HostSnapshot {
        var snapshot = HostSnapshot()
        for table in SocketTable.files {
            guard let text = SocketOwners.read("\(proc)/net/\(table.name)") else {
                snapshot.unreadable.append("\(proc)/net/\(table.name): \(String(cString: strerror(errno)))")
                continue
            }
            snapshot.sockets += SocketTable.parse(text, proto: table.proto)
        }
        snapshot.owners = SocketOwners(proc: proc)
        if snapshot.owners.unreadable > 0 {
            snapshot.unreadable.append("the processes of \(snapshot.owners.unreadable) others could not be read (root can): their sockets have no process")
        }
        snapshot.addresses = interfaceAddresses()
        snapshot.index()
        return snapshot
    }

    /// A snapshot of given sockets (tests, other sources).
    public init(sockets: [HostSocket], owners: SocketOwners, addresses: Set<IPAddress>) {
        self.sockets = sockets
        self.owners = owners
        self.addresses = addresses
        index()
    }

    private mutating func index() {
        for socket in sockets {
            if socket.isListening {
                let listener = Listener(proto: socket.proto, address: socket.local, port: socket.localPort, owner: owners.byInode[socket.inode])
                listening[Self.portKey(socket.proto, socket.localPort), default: []].append(listener)
            } else {
                connections[Connection(proto: socket.proto, local: socket.local, localPort: socket.localPort,
                                       remote: socket.remote, remotePort: socket.remotePort)] = socket.inode
            }
        }
    }

    private static func portKey(_ proto: IPProtocol, _ port: UInt16) -> UInt32 { UInt32(proto.rawValue) << 16 | UInt32(port) }

    /// Every listening socket, by protocol, port and address; one per (protocol, address, port)
    /// (a dual-stack socket and SO_REUSEPORT groups list once).
    public var listeners: [Listener] {
        var seen = Set<String>()
        return listening.values.joined().sorted { ($0.proto.rawValue, $0.port, $0.address) < ($1.proto.rawValue, $1.port, $1.address) }
            .filter { seen.insert("\($0.proto.rawValue) \($0.address) \($0.port)").inserted }
    }

    /// Whether `address` is one of the host's own.
    public func isLocal(_ address: IPAddress) -> Bool { address.isLoopback || addresses.contains(address) }

    /// The process holding the local end (`local`, `localPort`) of a flow with `remote`: its
    /// connected socket, else the listener that accepts on that address and port.
    public func owner(_ proto: IPProtocol, local: IPAddress, localPort: UInt16, remote: IPAddress, remotePort: UInt16) -> SocketOwner? {
        if let inode = connections[Connection(proto: proto, local: local, localPort: localPort, remote: remote, remotePort: remotePort)],
           let owner = owners.byInode[inode] { return owner }
        return listener(proto, local, localPort)?.owner
    }

    /// The listener that accepts `proto` traffic to `address`, `port`: bound to it, or to every address.
    public func listener(_ proto: IPProtocol, _ address: IPAddress, _ port: UInt16) -> Listener? {
        guard isLocal(address), let candidates = listening[Self.portKey(proto, port)] else { return nil }
        // A dual-stack socket bound to :: accepts IPv4 too (IPAddress holds IPv4 as IPv4-mapped).
        return candidates.first { $0.address == address }
            ?? candidates.first { $0.address.isUnspecified && ($0.address.isIPv4 == address.isIPv4 || $0.address == .zero) }
    }

    /// The addresses of the host's interfaces (`getifaddrs`).
    static func interfaceAddresses() -> Set<IPAddress> {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0 else { return [] }
        defer { freeifaddrs(list) }
        var addresses = Set<IPAddress>()
        var entry = list
        while let current = entry {
            defer { entry = current.pointee.ifa_next }
            guard let sockaddr = current.pointee.ifa_addr else { continue }
            switch Int32(sockaddr.pointee.sa_family) {
            case AF_INET:
                sockaddr.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                    addresses.insert(IPAddress(ipv4: UInt32(bigEndian: $0.pointee.sin_addr.s_addr)))
                }
            case AF_INET6:
                sockaddr.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { pointer in
                    var bytes = pointer.pointee.sin6_addr
                    let words = withUnsafeBytes(of: &bytes) { raw in
                        (raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self).bigEndian, raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self).bigEndian)
                    }
                    addresses.insert(IPAddress(high: words.0, low: words.1))
                }
            default:
                break
            }
        }
        return addresses
    }
}
