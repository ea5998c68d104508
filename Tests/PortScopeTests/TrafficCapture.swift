import Foundation
import PortScopeDecode
import TestCaptures

/// Made-up traffic, conversation by conversation: Ethernet, IPv4 or IPv6, TCP or UDP or ICMP
/// echo (`EthernetFrame`), written as classic pcap by `CaptureFileWriter`. Sessions and exchanges carry payloads that
/// look like their port's protocol (`AppBytes`), so protocol detection sees ordinary traffic. Checksums are left zero (PortScope does not
/// check them). Each packet is one millisecond after the one before, from 2023-11-14T22:13:20Z.
struct TrafficCapture {
    private var records: [(seconds: UInt32, fraction: UInt32, data: [UInt8], original: UInt32?)] = []
    /// The time of the last record, in microseconds since 1970: set it to jump the clock.
    var micros: Int64 = 1_700_000_000 * 1_000_000

    /// Bytes kept of each frame from now on, as a capture's snapshot length (nil: all).
    var snaplen: Int?

    /// One record, one millisecond after the last, cut to `snaplen`.
    private mutating func record(_ frame: [UInt8]) {
        micros += 1000
        let kept = snaplen.map { Array(frame.prefix($0)) } ?? frame
        records.append((UInt32(micros / 1_000_000), UInt32(micros % 1_000_000), kept, kept.count < frame.count ? UInt32(frame.count) : nil))
    }

    /// A frame written as given: one the traffic helpers cannot make (ARP, a cut header).
    mutating func frame(_ bytes: [UInt8]) { record(bytes) }

    static func big16(_ v: Int) -> [UInt8] { [UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
    static func big32(_ v: UInt32) -> [UInt8] { [24, 16, 8, 0].map { UInt8(v >> $0 & 0xFF) } }

    /// A TCP segment (20-byte header) carrying `data`, or else `payload` zero bytes.
    mutating func tcp(_ from: String, _ sport: Int, _ to: String, _ dport: Int, _ flags: TCPFlags,
                      seq: UInt32 = 1000, ack: UInt32 = 0, payload: Int = 0, data: [UInt8]? = nil) {
        record(EthernetFrame.make(from: IPAddress(from)!, to: IPAddress(to)!,
                                  .tcp(sourcePort: UInt16(sport), destinationPort: UInt16(dport), sequence: seq, acknowledgment: ack, flags: flags),
                                  payload: data.map { .bytes($0) } ?? .zeros(payload)))
    }

    /// A UDP datagram carrying `data`, or else `payload` bytes (`AppBytes.datagram`).
    /// `linkBroadcast` sends it to the Ethernet broadcast address (a directed broadcast).
    mutating func udp(_ from: String, _ sport: Int, _ to: String, _ dport: Int, payload: Int = 32, data: [UInt8]? = nil,
                      linkBroadcast: Bool = false) {
        let bytes = data ?? AppBytes.datagram(sport: sport, dport: dport, size: payload)
        record(EthernetFrame.make(from: IPAddress(from)!, to: IPAddress(to)!, linkBroadcast: linkBroadcast,
                                  .udp(sourcePort: UInt16(sport), destinationPort: UInt16(dport)), payload: .bytes(bytes)))
    }

    /// An ICMP echo request (type 8), or reply (type 0), identifier 1, with 32 bytes of zeros.
    mutating func ping(_ from: String, _ to: String, reply: Bool = false) {
        record(EthernetFrame.make(from: IPAddress(from)!, to: IPAddress(to)!, .echo(reply: reply), payload: .zeros(32)))
    }

    /// A UDP probe answered by an ICMP port unreachable from the target (ICMPv6 type 1 code 4
    /// between IPv6 addresses, else ICMP type 3 code 3), quoting the probe.
    mutating func udpRefused(_ client: String, _ cport: Int, _ server: String, _ sport: Int) {
        let probe = EthernetFrame.make(from: IPAddress(client)!, to: IPAddress(server)!,
                                       .udp(sourcePort: UInt16(cport), destinationPort: UInt16(sport)), payload: .zeros(8))
        record(probe)
        let v4 = IPAddress(client)!.isIPv4
        record(EthernetFrame.make(from: IPAddress(server)!, to: IPAddress(client)!,
                                  .icmp(type: v4 ? 3 : 1, code: v4 ? 3 : 4), payload: .bytes(EthernetFrame.quote(of: probe))))
    }

    /// A whole TCP connection: handshake, `exchanges` request/response pairs, FIN both ways.
    /// Payloads are `AppBytes` for the server port, or `payloads` when given.
    mutating func session(_ client: String, _ cport: Int, _ server: String, _ sport: Int,
                          exchanges: Int = 1, request: Int = 100, response: Int = 1000,
                          payloads: (request: [UInt8], response: [UInt8])? = nil) {
        let requestBytes = payloads?.request ?? AppBytes.request("tcp", port: sport, size: request)
        let responseBytes = payloads?.response ?? AppBytes.response("tcp", port: sport, size: response)
        var c: UInt32 = 1000, s: UInt32 = 5000
        tcp(client, cport, server, sport, [.syn], seq: c)
        tcp(server, sport, client, cport, [.syn, .ack], seq: s, ack: c + 1)
        c += 1; s += 1
        tcp(client, cport, server, sport, [.ack], seq: c, ack: s)
        for _ in 0..<exchanges {
            tcp(client, cport, server, sport, [.psh, .ack], seq: c, ack: s, data: requestBytes)
            c += UInt32(requestBytes.count)
            tcp(server, sport, client, cport, [.psh, .ack], seq: s, ack: c, data: responseBytes)
            s += UInt32(responseBytes.count)
        }
        tcp(client, cport, server, sport, [.fin, .ack], seq: c, ack: s)
        tcp(server, sport, client, cport, [.fin, .ack], seq: s, ack: c + 1)
        tcp(client, cport, server, sport, [.ack], seq: c + 1, ack: s + 1)
    }

    /// How a probed port answers a SYN.
    enum Answer { case reset, synAck, nothing }

    /// A half-open probe: a SYN, the port's answer, and the prober's RST after a SYN-ACK.
    mutating func synProbe(_ scanner: String, _ sport: Int, _ target: String, _ dport: Int, answer: Answer) {
        tcp(scanner, sport, target, dport, [.syn], seq: 7000)
        switch answer {
        case .reset: tcp(target, dport, scanner, sport, [.rst, .ack], seq: 0, ack: 7001)
        case .synAck:
            tcp(target, dport, scanner, sport, [.syn, .ack], seq: 9000, ack: 7001)
            tcp(scanner, sport, target, dport, [.rst], seq: 7001)
        case .nothing: break
        }
    }

    /// A UDP request and, when `answered`, its reply.
    mutating func udpExchange(_ client: String, _ cport: Int, _ server: String, _ sport: Int,
                              answered: Bool = true, request: Int = 40, response: Int = 120) {
        udp(client, cport, server, sport, data: AppBytes.request("udp", port: sport, size: request))
        if answered { udp(server, sport, client, cport, data: AppBytes.response("udp", port: sport, size: response)) }
    }

    func write(to path: String) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    /// The capture as a pcap file.
    var bytes: [UInt8] { CaptureFileWriter.capture(records: records) }

    /// The records dealt out to `files` pcap files in turn (record i to file i mod `files`): files
    /// whose times overlap throughout, as two taps of one link would write them.
    func interleaved(into files: Int) -> [[UInt8]] {
        (0..<files).map { n in CaptureFileWriter.capture(records: records.enumerated().filter { $0.offset % files == n }.map(\.element)) }
    }

    /// The records cut into `files` pcap files of (nearly) as many records each, in order: as
    /// `tcpdump -C` or `editcap -c` would rotate them.
    func rotated(into files: Int) -> [[UInt8]] {
        let each = (records.count + files - 1) / files
        return stride(from: 0, to: records.count, by: each).map { CaptureFileWriter.capture(records: Array(records[$0..<min($0 + each, records.count)])) }
    }
}
