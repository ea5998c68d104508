/// The TCP flags byte (offset 13 of the header), RFC 9293 and RFC 3168.
public struct TCPFlags: OptionSet, Hashable, Sendable {
    public var rawValue: UInt8
    @inlinable public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let fin = TCPFlags(rawValue: 0x01)
    public static let syn = TCPFlags(rawValue: 0x02)
    public static let rst = TCPFlags(rawValue: 0x04)
    public static let psh = TCPFlags(rawValue: 0x08)
    public static let ack = TCPFlags(rawValue: 0x10)
    public static let urg = TCPFlags(rawValue: 0x20)
    public static let ece = TCPFlags(rawValue: 0x40)
    public static let cwr = TCPFlags(rawValue: 0x80)

    /// SYN without ACK: a connection attempt (other flags, e.g. ECE+CWR, allowed).
    @inlinable public var isPureSYN: Bool { contains(.syn) && !contains(.ack) }
    /// SYN with ACK: the server's answer.
    @inlinable public var isSYNACK: Bool { contains(.syn) && contains(.ack) }

    /// tcpdump-like letters, e.g. `SA` or `FPA`, for reports.
    public var letters: String { TCPFlags.letterTable[Int(rawValue)] }

    /// The letters of every flags byte, made once: a flow write reads them without building a string.
    private static let letterTable: [String] = (0...255).map { value in
        let names: [(TCPFlags, Character)] = [
            (.syn, "S"), (.fin, "F"), (.rst, "R"), (.psh, "P"),
            (.ack, "A"), (.urg, "U"), (.ece, "E"), (.cwr, "W"),
        ]
        return String(names.compactMap { TCPFlags(rawValue: UInt8(value)).contains($0.0) ? $0.1 : nil })
    }
}
