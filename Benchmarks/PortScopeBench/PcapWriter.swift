import PortScopeDecode
#if canImport(Glibc)
import Glibc
#endif

/// Lays frames out as Ethernet (optionally 802.1Q) + IPv4/IPv6 + TCP/UDP/ICMP and writes them
/// as classic pcap records, cut to the snaplen. Checksums stay zero (PortScope does not check
/// them); payload bytes are zero.
struct PcapWriter {
    let file: UnsafeMutablePointer<FILE>
    let snaplen: Int
    private var out: [UInt8] = []
    private var frame = [UInt8](repeating: 0, count: 1600)
    private var failed = false

    init(file: UnsafeMutablePointer<FILE>, snaplen: Int) {
        self.file = file
        self.snaplen = snaplen
        out.reserveCapacity(1 << 20)
    }

    /// The file header: magic, version 2.4, snaplen, Ethernet.
    mutating func header() {
        put32(0xA1B2_C3D4); put16(2); put16(4); put32(0); put32(0); put32(UInt32(snaplen)); put32(1)
    }

    mutating func record(_ f: Frame, micros: Int64) {
        let length = layout(f)
        let kept = min(length, snaplen)
        put32(UInt32(micros / 1_000_000)); put32(UInt32(micros % 1_000_000))
        put32(UInt32(kept)); put32(UInt32(length))
        out.append(contentsOf: frame[0..<kept])
        if out.count >= 1 << 20 { _ = flush() }
    }

    /// Writes what is buffered; false when the file could not take it.
    mutating func flush() -> Bool {
        if !out.isEmpty {
            failed = failed || out.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) } != out.count
            out.removeAll(keepingCapacity: true)
        }
        return !failed
    }

    /// Fills `frame`; returns the frame's length on the wire.
    private mutating func layout(_ f: Frame) -> Int {
        let source = f.fromClient ? f.client : f.server, destination = f.fromClient ? f.server : f.client
        let sourcePort = f.fromClient ? f.clientPort : f.serverPort
        let destinationPort = f.fromClient ? f.serverPort : f.clientPort
        let v4 = source.isIPv4
        var n = 0
        func byte(_ v: UInt8) { frame[n] = v; n += 1 }
        func be16(_ v: Int) { byte(UInt8(v >> 8 & 0xFF)); byte(UInt8(v & 0xFF)) }
        func be32(_ v: UInt32) { be16(Int(v >> 16)); be16(Int(v & 0xFFFF)) }
        func be64(_ v: UInt64) { be32(UInt32(v >> 32)); be32(UInt32(truncatingIfNeeded: v)) }
        for b: UInt8 in [2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1] { byte(b) }  // destination, source MAC
        if f.vlan { be16(0x8100); be16(100) }
        be16(v4 ? 0x0800 : 0x86DD)
        let proto: UInt8 = f.proto == .icmp && !v4 ? 58 : f.proto.rawValue
        let transport = (f.proto == .tcp ? 20 : 8) + f.payload
        if v4 {
            byte(0x45); byte(0); be16(20 + transport); be16(1); be16(0x4000); byte(64); byte(proto); be16(0)
            be32(source.ipv4Value); be32(destination.ipv4Value)
        } else {
            be32(0x6000_0000); be16(transport); byte(proto); byte(64)
            be64(source.high); be64(source.low); be64(destination.high); be64(destination.low)
        }
        switch f.proto {
        case .tcp:
            be16(Int(sourcePort)); be16(Int(destinationPort)); be32(1000); be32(f.flags.contains(.ack) ? 5000 : 0)
            byte(0x50); byte(f.flags.rawValue); be16(0xFFFF); be16(0); be16(0)
        case .udp:
            be16(Int(sourcePort)); be16(Int(destinationPort)); be16(transport); be16(0)
        default:
            byte(v4 ? (f.fromClient ? 8 : 0) : (f.fromClient ? 128 : 129)); byte(0); be16(0); be16(1); be16(1)
        }
        // Clear what a longer header of an earlier frame left where this payload starts.
        for i in n..<min(n + f.payload, 96) { frame[i] = 0 }
        return n + f.payload
    }

    private mutating func put16(_ v: UInt16) { out.append(UInt8(v & 0xFF)); out.append(UInt8(v >> 8)) }
    private mutating func put32(_ v: UInt32) { put16(UInt16(v & 0xFFFF)); put16(UInt16(v >> 16)) }
}
