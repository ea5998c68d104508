import PortScopeAnalysis
import PortScopeDecode
import PortScopeSQLite
import PortScopeStore

/// One stored flow as the exports write it: originator and responder as Zeek has them (the
/// first packet's sender, or its peer when that packet was a SYN-ACK: history starts with `^`),
/// beside PortScope's own client and server. The one mapping from `flows` columns that the Zeek
/// and ECS writers share.
struct ExportedFlow {
    var captureID: Int64
    var flowID: Int64
    var proto: String
    var origAddr: String, origPort: Int64, respAddr: String, respPort: Int64
    var clientAddr: String, clientPort: Int64, serverAddr: String, serverPort: Int64
    /// Whether the originator is PortScope's client.
    var origIsClient: Bool
    var decidedBy: String
    var firstNS: Int64, lastNS: Int64
    var origPackets: Int64, respPackets: Int64
    /// Wire (frame) bytes, IP bytes and payload bytes each way; the last two are null for flows
    /// stored before schema v9.
    var origBytes: Int64, respBytes: Int64
    var origIPBytes: Int64?, respIPBytes: Int64?
    var origPayload: Int64?, respPayload: Int64?
    var appProto: String?, appName: String?
    var connState: String, history: String
    var communityID: String?
    /// Whether the originator and the responder are in the local networks (Zeek's `local_orig`
    /// and `local_resp`).
    var origIsLocal: Bool, respIsLocal: Bool
    /// The IP header's protocol number (Zeek's `ip_proto`).
    var ipProto: Int64?

    /// The select list `init(row:)` reads.
    static let selectList = """
        f.id AS flow_id, f.capture_id, f.proto, f.client_addr, f.client_port, f.server_addr, f.server_port, f.decided_by,
        f.first_ns, f.last_ns, f.packets_c2s, f.packets_s2c, f.bytes_c2s, f.bytes_s2c, f.ip_bytes_c2s, f.ip_bytes_s2c,
        f.payload_bytes_c2s, f.payload_bytes_s2c, f.app_proto, f.app_name, f.conn_state, f.history, f.opened_by,
        f.icmp_type, f.icmp_code, f.community_id
        """

    init(row: QueryRow, local: LocalNetworks) {
        func optional(_ name: String) -> Int64? { if case .int(let v) = row[name] { v } else { nil } }
        func text(_ name: String) -> String? { if case .text(let v) = row[name] { v } else { nil } }
        captureID = row["capture_id"].int
        flowID = row["flow_id"].int
        proto = row["proto"].text
        (clientAddr, clientPort) = (row["client_addr"].text, row["client_port"].int)
        (serverAddr, serverPort) = (row["server_addr"].text, row["server_port"].int)
        history = text("history") ?? ""
        connState = text("conn_state") ?? "OTH"
        origIsClient = (row["opened_by"].text == "client") != history.hasPrefix("^")
        decidedBy = row["decided_by"].text
        (firstNS, lastNS) = (row["first_ns"].int, row["last_ns"].int)
        let c2s = (row["packets_c2s"].int, row["bytes_c2s"].int, optional("ip_bytes_c2s"), optional("payload_bytes_c2s"))
        let s2c = (row["packets_s2c"].int, row["bytes_s2c"].int, optional("ip_bytes_s2c"), optional("payload_bytes_s2c"))
        let (o, r) = origIsClient ? (c2s, s2c) : (s2c, c2s)
        (origPackets, origBytes, origIPBytes, origPayload) = o
        (respPackets, respBytes, respIPBytes, respPayload) = r
        if origIsClient {
            (origAddr, origPort, respAddr, respPort) = (clientAddr, clientPort, serverAddr, serverPort)
        } else {
            (origAddr, origPort, respAddr, respPort) = (serverAddr, serverPort, clientAddr, clientPort)
        }
        // ICMP's "ports" are its type and code, as Zeek logs them.
        if proto == "icmp" || proto == "icmpv6", let type = optional("icmp_type"), let code = optional("icmp_code") {
            (origPort, respPort) = (type, code)
        }
        appProto = text("app_proto")
        appName = text("app_name")
        communityID = text("community_id")
        origIsLocal = IPAddress(origAddr).map(local.contains) ?? false
        respIsLocal = IPAddress(respAddr).map(local.contains) ?? false
        ipProto = IPProtocol(name: proto).map { Int64($0.rawValue) }
    }

    /// Zeek's `proto`: `tcp`, `udp`, `icmp` (ICMPv6 too), else `unknown_transport`.
    var zeekProto: String {
        switch proto {
        case "tcp", "udp": proto
        case "icmp", "icmpv6": "icmp"
        default: "unknown_transport"
        }
    }

    /// Zeek's `service`: the protocol detected, by the name Zeek's analyzer gives it; nil when
    /// none was recognised.
    var zeekService: String? {
        guard let appProto, appProto != "unknown" else { return nil }
        return Self.zeekNames[appProto] ?? appProto
    }
    private static let zeekNames = ["tls": "ssl", "http2": "http", "mdns": "dns", "dcerpc": "dce_rpc", "kerberos": "krb",
                                    "gtpu": "gtpv1"]

    /// Seconds from the first packet to the last.
    var durationSeconds: Double { Double(lastNS - firstNS) / 1e9 }

    /// Zeek's `uid`: `C` and 17 base-62 digits, here derived from the capture and flow ids, so an
    /// export made again names each flow the same.
    var uid: String {
        var state = UInt64(bitPattern: captureID) &* 0x9E37_79B9_7F4A_7C15 ^ UInt64(bitPattern: flowID)
        func next() -> UInt64 {
            state = state &+ 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        let digits = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
        var out = "C"
        var word = next()
        for i in 0..<17 {
            if i == 9 { word = next() }
            out.append(digits[Int(word % 62)])
            word /= 62
        }
        return out
    }

    /// Seconds since the epoch with microseconds, as Zeek writes `time` and `interval`.
    static func seconds(_ nanoseconds: Int64) -> String {
        let micros = nanoseconds >= 0 ? nanoseconds / 1000 : (nanoseconds - 999) / 1000
        let (whole, fraction) = (micros / 1_000_000, abs(micros % 1_000_000))
        let digits = String(fraction)
        return (micros < 0 && whole == 0 ? "-" : "") + "\(whole)." + String(repeating: "0", count: 6 - digits.count) + digits
    }
}
