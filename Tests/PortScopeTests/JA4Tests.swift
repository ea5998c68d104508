import Foundation
import PortScopeDecode
import PortScopeFlows
import PortScopeStore
import Testing

/// A ClientHello record built from its parts: cipher suites, and extensions as (type, body) in
/// the order sent.
func clientHello(version: UInt16 = 0x0303, ciphers: [UInt16], extensions: [(UInt16, [UInt8])]) -> [UInt8] {
    let list = extensions.flatMap { be16(Int($0.0)) + be16($0.1.count) + $0.1 }
    let body = be16(Int(version)) + [UInt8](repeating: 7, count: 32) + [0] + be16(ciphers.count * 2) + ciphers.flatMap { be16(Int($0)) }
        + [1, 0] + be16(list.count) + list
    return [0x16, 3, 1] + be16(body.count + 4) + [1, 0] + be16(body.count) + body
}

/// Extension bodies: server_name, ALPN, a list of 16-bit values after a length of one byte
/// (supported_versions) or two (signature_algorithms, supported_groups).
enum HelloPart {
    static func serverName(_ name: String) -> [UInt8] {
        let n = ascii(name)
        return be16(n.count + 3) + [0] + be16(n.count) + n
    }
    static func alpn(_ names: [[UInt8]]) -> [UInt8] {
        let list = names.flatMap { [UInt8($0.count)] + $0 }
        return be16(list.count) + list
    }
    static func values8(_ v: [UInt16]) -> [UInt8] { [UInt8(v.count * 2)] + v.flatMap { be16(Int($0)) } }
    static func values16(_ v: [UInt16]) -> [UInt8] { be16(v.count * 2) + v.flatMap { be16(Int($0)) } }
}

/// The JA4 the flow tracker gives the ClientHello `hello` sent in `segments` (cut at those
/// offsets) of one TCP flow.
func trackedJA4(_ hello: [UInt8], cutAt cuts: [Int] = [], sequences: [UInt32]? = nil) -> (ja4: String?, name: String?) {
    var tracker = FlowTracker()
    let bounds = [0] + cuts + [hello.count]
    for i in 0..<(bounds.count - 1) {
        let segment = Array(hello[bounds[i]..<bounds[i + 1]])
        let sequence = sequences?[i] ?? UInt32(1000 + bounds[i])
        var p = packet(.tcp, "10.0.0.1 50000", "10.0.0.2 443", flags: [.psh, .ack], seq: sequence)
        p.payloadLength = segment.count
        p.payloadWireLength = segment.count  // captured whole, as the decoder reports it
        segment.withUnsafeBytes { tracker.add(p, bytes: $0, wireLength: UInt32(segment.count), time: Int64(i)) }
    }
    let app = tracker.table.withFlows { $0[0].app }
    return (app.ja4.map { tracker.names.text($0) }, app.name.map { tracker.names.text($0) })
}

@Suite struct JA4Tests {
    /// FoxIO's worked example (technical_details/JA4.md): 15 ciphers and 16 extensions as a
    /// browser sends them, with GREASE values (which JA4 ignores) added in front of each list.
    static let foxioCiphers: [UInt16] = [0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014,
                                         0x009c, 0x009d, 0x002f, 0x0035]
    static let foxioSignatures: [UInt16] = [0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601]
    static func foxioHello(signatures: [UInt16] = foxioSignatures, alpn: [[UInt8]] = [ascii("h2"), ascii("http/1.1")],
                           serverName: String? = "example.test") -> [UInt8] {
        let order: [UInt16] = [0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017, 0x002d, 0x000d, 0x0005, 0x0023, 0x0012, 0x002b,
                               0xff01, 0x000b, 0x000a, 0x0015]
        var extensions: [(UInt16, [UInt8])] = [(0x3a3a, [])]  // GREASE
        for type in order {
            switch type {
            case 0x0000: if let serverName { extensions.append((type, HelloPart.serverName(serverName))) }
            case 0x0010: extensions.append((type, HelloPart.alpn(alpn)))
            case 0x000d: extensions.append((type, HelloPart.values16([0x1a1a] + signatures)))  // GREASE first
            case 0x002b: extensions.append((type, HelloPart.values8([0x7a7a, 0x0304, 0x0303])))
            case 0x0033: extensions.append((type, be16(36) + be16(0x001d) + be16(32) + [UInt8](repeating: 9, count: 32)))
            default: extensions.append((type, []))
            }
        }
        return clientHello(ciphers: [0x0a0a] + foxioCiphers, extensions: extensions)
    }

    static func ja4(_ hello: [UInt8]) -> String? { trackedJA4(hello).ja4 }

    @Test func foxiosWorkedExample() {
        #expect(Self.ja4(Self.foxioHello()) == "t13d1516h2_8daaf6152771_e5627efa2ab1")
        // Without signature algorithms the extension list is hashed alone (the spec's 6d807ffa2a79).
        #expect(Self.ja4(Self.foxioHello(signatures: [])) == "t13d1516h2_8daaf6152771_6d807ffa2a79")
        // Without SNI: `i`, one extension fewer; the hashes leave SNI out anyway.
        #expect(Self.ja4(Self.foxioHello(serverName: nil)) == "t13i1515h2_8daaf6152771_e5627efa2ab1")
    }

    /// A published Chrome 143 hello (browserleaks' JA4_r): its sorted lists hash to the JA4 shown.
    @Test func chromeHello() {
        let ciphers: [UInt16] = [0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c,
                                 0x009d, 0x002f, 0x0035]
        let types: [UInt16] = [0x002d, 0x0033, 0x0010, 0xfe0d, 0x0017, 0x44cd, 0x0000, 0x000b, 0x000a, 0x002b, 0xff01, 0x0023,
                               0x0012, 0x0005, 0x000d, 0x001b]
        let extensions: [(UInt16, [UInt8])] = types.map { type in
            switch type {
            case 0x0000: (type, HelloPart.serverName("tls.browserleaks.com"))
            case 0x0010: (type, HelloPart.alpn([ascii("h2"), ascii("http/1.1")]))
            case 0x000d: (type, HelloPart.values16(Self.foxioSignatures))
            case 0x002b: (type, HelloPart.values8([0x0304, 0x0303]))
            default: (type, [])
            }
        }
        #expect(Self.ja4(clientHello(ciphers: ciphers, extensions: extensions)) == "t13d1516h2_8daaf6152771_d8a2da3f94cd")
    }

    /// The first ALPN value's ends, and the spec's examples for ends that are not alphanumeric.
    @Test(arguments: [
        ([ascii("h2")], "h2"), ([ascii("http/1.1")], "h1"), ([ascii("x")], "xx"), ([], "00"), ([[]], "00"),
        ([[0xAB]], "ab"), ([[0xAB, 0xCD]], "ad"), ([[0x30, 0xAB]], "3b"), ([[0x30, 0x31, 0xAB, 0xCD]], "3d"),
        ([[0x30, 0xAB, 0xCD, 0x31]], "01"),
    ] as [([[UInt8]], String)])
    func alpnCharacters(_ alpn: [[UInt8]], _ expected: String) {
        let fingerprint = Self.ja4(Self.foxioHello(alpn: alpn))
        #expect(fingerprint.map { String($0.dropFirst(8).prefix(2)) } == expected, "\(fingerprint ?? "none")")
    }

    /// Versions from supported_versions (its highest non-GREASE entry) or the hello's own; a
    /// hello with no extensions and no ciphers hashes to zeros.
    @Test func versionsAndEmptyLists() {
        let tls10 = clientHello(version: 0x0301, ciphers: [0x002f], extensions: [])
        #expect(Self.ja4(tls10) == "t10i010000_" + "\(sha256Prefix("002f"))_000000000000")
        let ssl3 = clientHello(version: 0x0300, ciphers: [], extensions: [(0x000a, HelloPart.values16([0x0017]))])
        #expect(Self.ja4(ssl3) == "ts3i000100_000000000000_\(sha256Prefix("000a"))")
        let graded = clientHello(ciphers: [0x1301], extensions: [(0x002b, HelloPart.values8([0x0302, 0xfafa, 0x0301]))])
        #expect(Self.ja4(graded)?.hasPrefix("t11i0101") == true)
        // SNI and ALPN alone: nothing left for part c.
        let named = clientHello(ciphers: [0x1301], extensions: [(0, HelloPart.serverName("a.test")), (16, HelloPart.alpn([ascii("h2")]))])
        #expect(Self.ja4(named) == "t12d0102h2_\(sha256Prefix("1301"))_000000000000")
    }

    /// A hello over two and three segments gets the JA4 of the whole; a segment that does not
    /// follow (another sequence number) ends the joining: no JA4, no crash.
    @Test func helloOverSegments() {
        let hello = Self.foxioHello()
        #expect(trackedJA4(hello, cutAt: [100]).ja4 == "t13d1516h2_8daaf6152771_e5627efa2ab1")
        #expect(trackedJA4(hello, cutAt: [60, 150]).ja4 == "t13d1516h2_8daaf6152771_e5627efa2ab1")
        let gap = trackedJA4(hello, cutAt: [100], sequences: [1000, 5000])
        #expect(gap.ja4 == nil)
    }

    /// Every cut of a hello: no JA4 from a part (it needs the whole), and nothing traps.
    @Test func truncationSweep() {
        let hello = Self.foxioHello()
        for length in 1..<hello.count {
            let cut = Array(hello[..<length])
            let parsed = cut.withUnsafeBytes { TLSClientHello($0) }
            #expect(parsed == nil, "\(length) bytes")
            #expect(trackedJA4(cut).ja4 == nil, "\(length) bytes")
        }
        #expect(hello.withUnsafeBytes { TLSClientHello($0) } != nil)
    }

    /// Lengths that do not add up are no hello: an extension running past its list, a list past
    /// the hello, an odd cipher list.
    @Test func inconsistentLengths() {
        var hello = clientHello(ciphers: [0x1301], extensions: [(0x000a, HelloPart.values16([0x0017]))])
        let extensionsAt = 5 + 4 + 2 + 32 + 1 + 2 + 2 + 2
        hello[extensionsAt + 5] = 0xFF  // the extension's length: beyond the list
        #expect(hello.withUnsafeBytes { TLSClientHello($0) } == nil)
        var odd = clientHello(ciphers: [0x1301], extensions: [])
        odd[5 + 4 + 2 + 32 + 1 + 1] = 3  // cipher list of 3 bytes
        #expect(odd.withUnsafeBytes { TLSClientHello($0) } == nil)
    }

    @Test func searchForms() {
        #expect(JA4Text.isFingerprintOrPart("t13d1516h2_8daaf6152771_e5627efa2ab1"))
        #expect(JA4Text.isFingerprintOrPart("t13d1516h2") && JA4Text.isFingerprintOrPart("8daaf6152771"))
        for bad in ["", "t13d1516h2_8daaf6152771", "x13d1516h2", "t13d15a6h2", "8DAAF6152771", "8daaf615277", "t13d1516h2__"] {
            #expect(!JA4Text.isFingerprintOrPart(bad), "\(bad)")
        }
    }
}

/// The first 12 hex digits of SHA-256 of `text`, by the system's `sha256sum`.
func sha256Prefix(_ text: String) -> String {
    let dir = TemporaryDirectory(), path = dir.file("text")
    try? text.write(toFile: path, atomically: true, encoding: .utf8)
    let run = try? runProgram("/usr/bin/sha256sum", [path])
    return String(run?.out.prefix(12) ?? "")
}

/// Every corpus TLS flow's JA4 against a reference implementation (PyPI `ja4plus`, which
/// follows FoxIO's): the same fingerprint for every flow either finds a ClientHello in.
@Suite(.enabled(if: Corpus.root != nil, "set PORTSCOPE_CORPUS to the shared corpus directory"),
       .enabled(if: PythonReference.ja4plus, "PyPI ja4plus could not be installed: JA4 is not compared on the corpus"))
struct JA4ConformanceTests {
    struct Endpoints: Hashable { var client: String, clientPort: Int64, server: String, serverPort: Int64 }

    @Test func corpusFingerprintsMatchTheReference() throws {
        let store = try CaptureStore(readingFrom: Corpus.database)
        let captures = try store.query("""
            SELECT DISTINCT c.id, c.source FROM captures c JOIN flows f ON f.capture_id = c.id WHERE f.app_proto = 'tls'
            """)
        var compared = 0
        for capture in captures {
            var ours: [Endpoints: String?] = [:]
            for row in try store.query("""
                SELECT client_addr, client_port, server_addr, server_port, ja4 FROM flows
                WHERE capture_id = ?1 AND app_proto = 'tls'
                """, ["?1": .int(capture["id"].int)]) {
                let ja4: String? = if case .text(let t) = row["ja4"] { t } else { nil }
                ours[Endpoints(client: row["client_addr"].text, clientPort: row["client_port"].int, server: row["server_addr"].text,
                               serverPort: row["server_port"].int)] = ja4
            }
            let run = try runProgram("/usr/bin/env", ["python3", "-c", "import sys; from ja4plus.cli import main; sys.exit(main())",
                                                      "--format", "json", "--types", "ja4", "analyze", capture["source"].text])
            var reference: [Endpoints: String] = [:]
            for line in run.out.split(separator: "\n") {
                guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                      object["type"] as? String == "ja4", let fingerprint = object["fingerprint"] as? String,
                      let client = object["src_ip"] as? String, let clientPort = object["src_port"] as? Int,
                      let server = object["dst_ip"] as? String, let serverPort = object["dst_port"] as? Int else { continue }
                let key = Endpoints(client: client, clientPort: Int64(clientPort), server: server, serverPort: Int64(serverPort))
                if reference[key] == nil { reference[key] = fingerprint }
            }
            for key in Set(ours.keys).union(reference.keys) {
                let mine = ours[key] ?? nil
                #expect(mine == reference[key], "\(capture["source"].text) \(key)")
                if mine != nil { compared += 1 }
            }
        }
        #expect(compared >= 30, "only \(compared) ClientHellos compared")
    }
}

/// `flows --ja4` finds a TLS flow by its fingerprint or any part of it; JSON carries `ja4`; a
/// value that is no JA4 is a one-line usage error.
@Test func flowsByJA4() throws {
    let directory = TemporaryDirectory(), db = directory.file("j.db")
    #expect(try portscope(["analyze", sample("tls.pcap"), sample("dns.pcap"), "--db", db, "--quiet"]).status == 0)
    let fingerprint = "t12d010100_0f2cb44170f4_000000000000"  // the sample's hello: TLS 1.2, SNI, one cipher, one extension
    for query in [fingerprint, "t12d010100", "0f2cb44170f4", "000000000000"] {
        let run = try portscope(["flows", "--ja4", query, "--format", "csv", "--db", db])
        let lines = run.out.split(separator: "\n")
        #expect(run.status == 0 && lines.count == 2 && lines[1].contains(",\(fingerprint),"), "\(query): \(run.out)\(run.err)")
    }
    #expect(try portscope(["flows", "--ja4", "t13d1516h2", "--format", "csv", "--db", db]).out.split(separator: "\n").count == 1)
    let json = try portscope(["flows", "--port", "443", "--format", "json", "--db", db]).out
    #expect(json.contains("\"ja4\": \"\(fingerprint)\""))
    let dns = try portscope(["flows", "--port", "53", "--format", "json", "--db", db]).out
    #expect(dns.contains("\"ja4\": null"))
    let bad = try portscope(["flows", "--ja4", "t13d", "--db", db])
    #expect(bad.status != 0 && bad.err.hasPrefix("Error: --ja4: 't13d' is not a JA4 fingerprint"), "\(bad.err)")
}
