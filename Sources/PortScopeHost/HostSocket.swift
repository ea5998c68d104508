import PortScopeDecode

/// One socket of the host's socket tables (`/proc/net/tcp`, `tcp6`, `udp`, `udp6`): its local
/// and remote ends, its state, the user that owns it and its inode (which process descriptors
/// name, `socket:[inode]`).
public struct HostSocket: Sendable, Equatable {
    public var proto: IPProtocol
    public var local: IPAddress
    public var localPort: UInt16
    public var remote: IPAddress
    public var remotePort: UInt16
    public var state: SocketState
    public var uid: UInt32
    public var inode: UInt64

    /// Whether it waits for others: a TCP socket in LISTEN, or a UDP socket bound to a port and
    /// connected to no peer.
    public var isListening: Bool {
        switch proto {
        case .tcp: state == .listen
        case .udp: state == .close && remotePort == 0 && remote.isUnspecified
        default: false
        }
    }
}

/// A socket's state as the kernel numbers it (`include/net/tcp_states.h`); UDP sockets use the
/// same numbers (7, CLOSE, for one that is bound but not connected).
public struct SocketState: RawRepresentable, Sendable, Hashable {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let established = SocketState(rawValue: 0x01)
    public static let synSent = SocketState(rawValue: 0x02)
    public static let close = SocketState(rawValue: 0x07)
    public static let listen = SocketState(rawValue: 0x0A)
}
