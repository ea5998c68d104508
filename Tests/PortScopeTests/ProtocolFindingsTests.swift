import PortScopeAnalysis
import PortScopeDecode
import PortScopeReport
import Testing

/// `protocol_mismatch`: each case is one conversation on top of an ordinary office day, and
/// must give exactly one such finding, about the server port.
struct ProtocolMismatchTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var add: @Sendable (inout TrafficCapture) -> Void
        var host: String
        var port: UInt16
        var severity: Severity
        var reason: String
        var testDescription: String { name }
    }

    static let ssh = (request: ascii("SSH-2.0-OpenSSH_9.2\r\n"), response: ascii("SSH-2.0-OpenSSH_9.6\r\n"))
    static let http = (request: ascii("GET / HTTP/1.1\r\nHost: a.test\r\n\r\n"), response: ascii("HTTP/1.1 200 OK\r\n\r\n"))

    static let cases: [Case] = [
        Case(name: "SSH on 443", add: { $0.session("192.168.1.12", 48000, "198.51.100.7", 443, payloads: ssh) },
             host: "198.51.100.7", port: 443, severity: .high,
             reason: "198.51.100.7 serves ssh on tcp/443 (https) to 1 client, where tls is expected"),
        Case(name: "HTTP on 8081", add: { $0.session("192.168.1.12", 48001, "192.168.1.40", 8081, payloads: http) },
             host: "192.168.1.40", port: 8081, severity: .medium,
             reason: "192.168.1.40 serves http on tcp/8081 (sunproxyadmin) to 1 client, off its registered tcp/80, tcp/280, "
                + "tcp/591, tcp/593, tcp/3128, tcp/5985, tcp/8000, tcp/8008, tcp/8080"),
        Case(name: "DNS on 5300",
             add: {
                 $0.udp("192.168.1.12", 48002, "203.0.113.53", 5300, data: AppBytes.dnsQuery(flags: 0x0100))
                 $0.udp("203.0.113.53", 5300, "192.168.1.12", 48002, data: AppBytes.dnsQuery(flags: 0x8180))
             },
             host: "203.0.113.53", port: 5300, severity: .medium,
             reason: "203.0.113.53 serves dns on udp/5300 (hacl-hb) to 1 client, off its registered udp/53"),
        Case(name: "not TLS on 443",
             add: { $0.session("192.168.1.12", 48004, "198.51.100.8", 443, payloads: (ascii("hello, not a handshake"), zeros(40))) },
             host: "198.51.100.8", port: 443, severity: .medium,
             reason: "198.51.100.8 serves unrecognised payload on tcp/443 (https) to 1 client, where tls is expected"),
        Case(name: "not DNS on 53",
             add: { $0.udp("192.168.1.12", 48005, "198.51.100.53", 53, data: ascii("tunnelled bytes, not a DNS message")) },
             host: "198.51.100.53", port: 53, severity: .medium,
             reason: "198.51.100.53 serves unrecognised payload on udp/53 (domain) to 1 client, where dns is expected"),
        Case(name: "a client's well-known source port hides nothing",
             add: { $0.session("192.168.1.12", 443, "198.51.100.9", 31337, payloads: ssh) },
             host: "198.51.100.9", port: 31337, severity: .medium,
             reason: "198.51.100.9 serves ssh on tcp/31337 (eldim) to 1 client, off its registered tcp/22, tcp/830"),
    ]

    static func day(with c: Case) -> TrafficCapture {
        var t = TrafficCapture()
        officeDay(&t)
        c.add(&t)
        return t
    }

    @Test(arguments: cases)
    func flagged(_ c: Case) throws {
        let found = try findings([Self.day(with: c)]).filter { $0.kind == .protocolMismatch }
        #expect(found.map { "\($0.severity) \($0.host) \($0.port!)" } == ["\(c.severity) \(c.host) \(c.port)"])
        // One finding per host and port: an uncommon port under the mismatch is named after it.
        let reason = found.first?.reason ?? ""
        #expect(reason.components(separatedBy: "; also ").first == c.reason)
        #expect(reason.components(separatedBy: "; also ").dropFirst().allSatisfy { $0.hasPrefix("uncommon_port: ") }, "\(reason)")
    }

    /// A scanner sends an HTTP request to an SSH server, which answers with its banner: the
    /// server's bytes say what runs there, so no mismatch, and the flow is SSH.
    @Test func theServersBytesHaveTheLastWord() throws {
        var t = TrafficCapture()
        officeDay(&t)
        t.session("203.0.113.50", 48020, "192.168.1.5", 22, payloads: (Self.http.request, Self.ssh.response))
        let dir = TemporaryDirectory()
        let store = try database([t], in: dir)
        #expect(try Findings.find(store, captures: .all, options: FindingOptions()).filter { $0.kind == .protocolMismatch }.isEmpty)
        #expect(try store.rows("SELECT app_proto FROM flows WHERE client_addr = '203.0.113.50'") == [[.text("ssh")]])
    }

    /// A port nobody registered claims nothing: SSH there is not a mismatch (a service on it is
    /// `uncommon_port`'s to report).
    @Test func aProtocolOnAnUnregisteredPortIsNoMismatch() throws {
        var t = TrafficCapture()
        officeDay(&t)
        t.session("192.168.1.12", 48010, "192.168.1.41", 2200, payloads: Self.ssh)
        let found = try findings([t])
        #expect(found.filter { $0.kind == .protocolMismatch }.isEmpty)
        #expect(found.map { "\($0.kind.rawValue) \($0.port!)" } == ["uncommon_port 2200"])
        // It says what runs there.
        #expect(found.first?.reason == "192.168.1.41 serves ssh on tcp/2200 (unregistered) to 1 client, not a commonly used service port")
    }

    /// Cut by a snapshot length (live's 96 or 256 bytes), a payload nothing recognises in what
    /// was captured is `cut`, not unrecognised: no mismatch. The same payloads whole are one.
    @Test func aPayloadCutShortIsNotUnrecognised() throws {
        func day(snaplen: Int?) -> TrafficCapture {
            var t = TrafficCapture()
            officeDay(&t)
            t.snaplen = snaplen
            let junk = (0..<400).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
            t.session("192.168.1.12", 48020, "192.168.1.80", 3389, payloads: (junk, junk))
            return t
        }
        #expect(try findings([day(snaplen: 96)]).isEmpty)
        let whole = try findings([day(snaplen: nil)])
        #expect(whole.map { "\($0.kind.rawValue) \($0.port!)" } == ["protocol_mismatch 3389"])
        let dir = TemporaryDirectory()
        let store = try database([day(snaplen: 96)], in: dir)
        #expect(try store.rows("SELECT app_proto FROM flows WHERE server_port = 3389") == [[.text("cut")]])
    }

    /// A WebRTC call: ICE's STUN checks run on the media ports themselves, so the media flows
    /// are STUN's, and their ports are explained, as passive FTP is: no uncommon_port.
    @Test func aWebRTCCallIsNoUncommonPort() throws {
        var t = TrafficCapture()
        officeDay(&t)
        let magic: [UInt8] = [0x21, 0x12, 0xA4, 0x42], transaction = [UInt8](repeating: 7, count: 12)
        let request: [UInt8] = [0x00, 0x01, 0x00, 0x00] + magic + transaction
        let response: [UInt8] = [0x01, 0x01, 0x00, 0x0C] + magic + transaction + [0x00, 0x20, 0x00, 0x08, 0x00, 0x01, 0xE1, 0x12, 0x8D, 0xB2, 0xA5, 0x48]
        for (client, port) in [("192.168.1.10", 50000), ("192.168.1.11", 50002)] {
            t.udp(client, port, "52.114.1.1", 50020, data: request)
            t.udp("52.114.1.1", 50020, client, port, data: response)
            for i in 0..<20 {
                let rtp: [UInt8] = [0x80, 0x6F, 0, UInt8(i), 0, 0, 0, UInt8(i)] + [UInt8](repeating: UInt8(i), count: 160)
                t.udp(client, port, "52.114.1.1", 50020, data: rtp)
                t.udp("52.114.1.1", 50020, client, port, data: rtp)
            }
        }
        let found = try findings([t])
        #expect(found.isEmpty, "\(found.map(\.reason))")
    }

    @Test func ignoreAndPolicyAllowAProtocolOnAPort() throws {
        let day = Self.day(with: Self.cases[0])
        var options = FindingOptions()
        options.allowances = [try #require(Policy.Ports("ssh@tcp/443", app: true))]
        #expect(try findings([day], options: options).filter { $0.kind == .protocolMismatch }.isEmpty)
        options.allowances = [try #require(Policy.Ports("http@tcp/443", app: true))]
        #expect(try findings([day], options: options).filter { $0.kind == .protocolMismatch }.count == 1)
        options.allowances = []
        options.policy = try Policy(parsing: "198.51.100.0/24 serve ssh@tcp/443\n", file: "p")
        #expect(try findings([day], options: options).filter { $0.kind == .protocolMismatch }.isEmpty)
        options.policy = try Policy(parsing: "198.51.100.0/24 serve tcp/443\n", file: "p")
        #expect(try findings([day], options: options).filter { $0.kind == .protocolMismatch }.count == 1)
    }

    @Test(arguments: ["ssh@tcp/443", "*@udp/4500", "unknown@tcp/443", "http@tcp/8000-8999"])
    func allowanceSyntax(_ text: String) {
        #expect(Policy.Ports(text, app: true)?.description == text)
    }

    @Test(arguments: ["ssh", "ssh@", "nosuch@tcp/443", "ssh@icmp/1", "none@tcp/443", "ssh@tcp/9-1"])
    func badAllowances(_ text: String) {
        #expect(Policy.Ports(text, app: true).map { $0.app != nil } != true)
    }
}
