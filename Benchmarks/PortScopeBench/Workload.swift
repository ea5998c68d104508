import PortScopeDecode
import TestCaptures
#if canImport(Glibc)
import Glibc
#endif

/// A deterministic synthetic capture shaped like the reference workload (`../shared/bench`):
/// thousands of conversations interleaved, IPv4 and IPv6, 5% VLAN-tagged, TCP sessions with
/// handshake, data and FIN or RST, refused connections, DNS, NTP, QUIC, mDNS and pings. The
/// same seed and size always give the same bytes. Written as classic pcap, microseconds.
struct Workload {
    /// Stop after this many packets.
    var packets: Int
    /// Bytes kept of each frame (96 for a header capture, 65535 for full frames).
    var snaplen: Int
    var seed: UInt64 = 0x5EED

    /// Writes the capture to `path`; returns the packets and flows written.
    func write(to path: String) throws(WorkloadError) -> (packets: Int, flows: Int) {
        guard let file = fopen(path, "wb") else { throw WorkloadError(path: path) }
        defer { fclose(file) }
        var writer = CaptureFileWriter(snaplen: UInt32(snaplen))
        var frame: [UInt8] = []
        frame.reserveCapacity(1600)
        var mix = ConversationMix(seed: seed)
        // Conversations in progress, picked at random for each packet: flows interleave as on
        // a busy link, and the flow table holds thousands at once.
        var active = (0..<4096).map { _ in mix.next() }
        var flows = active.count
        var written = 0
        var micros: Int64 = 1_700_000_000 * 1_000_000
        while written < packets {
            let slot = Int(mix.random.next() % UInt64(active.count))
            micros += Int64(mix.random.next() % 200)
            if let next = active[slot].nextFrame(&mix.random) {
                frame.removeAll(keepingCapacity: true)
                next.append(to: &frame)
                writer.record(seconds: UInt32(micros / 1_000_000), fraction: UInt32(micros % 1_000_000), frame.prefix(snaplen),
                              original: UInt32(frame.count))
                if writer.bytes.count >= 1 << 20, !writer.drain(to: file) { throw WorkloadError(path: path) }
                written += 1
            } else {
                active[slot] = mix.next()
                flows += 1
            }
        }
        guard writer.drain(to: file) else { throw WorkloadError(path: path) }
        return (written, flows)
    }
}

struct WorkloadError: Error, CustomStringConvertible {
    var path: String
    var description: String { "\(path): cannot write the workload: \(String(cString: strerror(errno)))" }
}

/// SplitMix64: small, fast and the same on every machine.
struct SplitMix64 {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    mutating func chance(_ percent: Int) -> Bool { below(100) < percent }
}

/// Draws new conversations: who talks to whom, on which port, and what kind.
struct ConversationMix {
    var random: SplitMix64
    /// Servers keep their port, so services have fan-in as in real traffic.
    private static let servicePorts: [(port: UInt16, weight: Int)] = [
        (443, 46), (80, 14), (22, 3), (25, 2), (993, 2), (8080, 5), (3306, 1), (5432, 1), (0, 26),
    ]

    init(seed: UInt64) { random = SplitMix64(state: seed) }

    mutating func next() -> Conversation {
        let v6 = random.chance(20)
        let client = address(local: true, v6: v6, pool: 6000)
        let roll = random.below(100)
        var c = Conversation(client: client, server: client, clientPort: ephemeralPort(), serverPort: 0,
                             kind: .session, vlan: random.chance(5))
        switch roll {
        case 0..<62:
            let server = random.below(40_000)
            c.server = address(local: false, v6: v6, pool: 40_000, index: server)
            c.serverPort = port(ofServer: server)
            c.kind = random.chance(4) ? .refused : .session
            c.length = 6 + random.below(random.chance(5) ? 200 : 16)
        case 62..<78:
            c.server = address(local: true, v6: v6, pool: 4, index: random.below(4))
            c.serverPort = 53
            c.kind = .request
            c.length = random.chance(97) ? 2 : 1
        case 78..<88:
            c.server = address(local: false, v6: v6, pool: 3000)
            c.serverPort = 443
            c.kind = .request
            c.length = 4 + random.below(24)
        case 88..<91:
            c.server = address(local: false, v6: false, pool: 16)
            c.client = address(local: true, v6: false, pool: 6000)
            c.serverPort = 123
            c.kind = .request
            c.length = 2
        case 91..<94:
            c.server = v6 ? IPAddress("ff02::fb")! : IPAddress("224.0.0.251")!
            c.clientPort = 5353
            c.serverPort = 5353
            c.kind = .request
            c.length = 1
        default:
            c.server = address(local: random.chance(50), v6: v6, pool: 20_000)
            c.kind = .ping
            c.length = 2 * (1 + random.below(4))
        }
        return c
    }

    /// Server `index`'s port: a common service, or for a quarter of them a fixed unusual one.
    private func port(ofServer index: Int) -> UInt16 {
        var pick = (index &* 2_654_435_761) % 100
        for (port, weight) in Self.servicePorts {
            if pick < weight { return port != 0 ? port : UInt16(1024 + (index &* 7919) % 40_000) }
            pick -= weight
        }
        return 443
    }

    private mutating func ephemeralPort() -> UInt16 { UInt16(32768 + random.below(28_232)) }

    /// Local hosts in 10.1.0.0/16 or fd00::/64; remote ones spread over public-looking space.
    private mutating func address(local: Bool, v6: Bool, pool: Int, index: Int? = nil) -> IPAddress {
        let n = UInt32(index ?? random.below(pool))
        switch (local, v6) {
        case (true, false): return IPAddress(ipv4: 0x0A01_0000 | ((n + 1) & 0xFFFF))
        case (false, false): return IPAddress(ipv4: 0x2000_0000 &+ n &* 2_654_435_761 & 0x7FFF_FFFF | 0x0100_0000)
        case (true, true): return IPAddress(high: 0xFD00_0000_0000_0000, low: UInt64(n) + 1)
        case (false, true): return IPAddress(high: 0x2001_0DB8_0000_0000 | UInt64(n >> 16), low: UInt64(n) &* 0x9E37_79B9 + 1)
        }
    }
}

/// One conversation of the workload, emitted one frame at a time.
struct Conversation {
    enum Kind { case session, refused, request, ping }
    var client: IPAddress
    var server: IPAddress
    var clientPort: UInt16
    var serverPort: UInt16
    var kind: Kind
    var vlan: Bool
    /// Frames in all (sessions: at least 6, handshake and close included).
    var length = 2
    var step = 0

    /// The next frame, or nil when the conversation is over.
    mutating func nextFrame(_ random: inout SplitMix64) -> Frame? {
        guard step < length else { return nil }
        defer { step += 1 }
        var f = Frame(vlan: vlan, client: client, server: server, clientPort: clientPort, serverPort: serverPort)
        switch kind {
        case .refused:
            guard step < 2 else { return nil }
            f.fromClient = step == 0
            f.proto = .tcp
            f.flags = step == 0 ? .syn : [.rst, .ack]
        case .session:
            f.proto = .tcp
            switch step {
            case 0: f.flags = .syn
            case 1: f.flags = [.syn, .ack]; f.fromClient = false
            case 2: f.flags = .ack
            case length - 3: f.flags = [.fin, .ack]
            case length - 2: f.flags = [.fin, .ack]; f.fromClient = false
            case length - 1: f.flags = .ack
            default:
                f.fromClient = step % 3 == 0
                f.flags = [.psh, .ack]
                f.payload = f.fromClient ? 40 + random.below(500) : 200 + random.below(1260)
            }
        case .request:
            f.proto = .udp
            f.fromClient = step % 2 == 0
            f.payload = serverPort == 443 ? 100 + random.below(1150) : f.fromClient ? 30 + random.below(40) : 60 + random.below(300)
        case .ping:
            f.proto = .icmp
            f.fromClient = step % 2 == 0
            f.payload = 56
        }
        return f
    }
}

/// What one frame of a conversation carries.
struct Frame {
    var vlan: Bool
    var client: IPAddress
    var server: IPAddress
    var clientPort: UInt16
    var serverPort: UInt16
    var fromClient = true
    var proto = IPProtocol.tcp
    var flags: TCPFlags = []
    var payload = 0
}

extension Frame {
    /// Lays the frame out (`EthernetFrame`): TCP sequence 1000, acknowledgment 5000 when ACK is set.
    func append(to out: inout [UInt8]) {
        let (source, destination) = fromClient ? (client, server) : (server, client)
        let (sourcePort, destinationPort) = fromClient ? (clientPort, serverPort) : (serverPort, clientPort)
        let transport: FrameTransport = switch proto {
        case .tcp: .tcp(sourcePort: sourcePort, destinationPort: destinationPort, sequence: 1000,
                        acknowledgment: flags.contains(.ack) ? 5000 : 0, flags: flags)
        case .udp: .udp(sourcePort: sourcePort, destinationPort: destinationPort)
        default: .echo(reply: !fromClient)
        }
        EthernetFrame.append(to: &out, from: source, to: destination, vlan: vlan, transport, payload: .zeros(payload))
    }
}
