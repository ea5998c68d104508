import Foundation
import PortScopeIngest
import PortScopeSQLite
import PortScopeStore
import TestCaptures
import Testing

/// Every stored row of a capture but its ids: what two analyses of the same packets must share.
let storedRows = [
    """
    SELECT proto, client_addr, client_port, server_addr, server_port, decided_by, first_ns, last_ns, packets_c2s,
           bytes_c2s, packets_s2c, bytes_s2c, handshake, end_reason, app_proto, app_name, conn_state, history, engagement
    FROM flows ORDER BY first_ns, proto, client_addr, client_port, server_addr, server_port
    """,
    """
    SELECT proto, server_addr, server_port, client_addr, flows, handshakes, packets_c2s, bytes_c2s, packets_s2c, bytes_s2c,
           first_ns, last_ns FROM host_services ORDER BY 1, 2, 3, 4
    """,
    "SELECT reason, packets FROM capture_anomalies ORDER BY reason",
    "SELECT packets, bytes, captured_bytes, flows, first_ns, last_ns, status, link_types FROM captures",
]

func storedRows(_ db: String) throws -> [[[Statement.Value]]] {
    let store = try CaptureStore(readingFrom: db)
    return try storedRows.map { try store.rows($0) }
}

/// Compressed captures read as the plain file: by magic bytes, streaming, every format, and
/// concatenated streams; the stored identity is the compressed file's; damage stops the capture
/// as partial, with the reason.
@Suite struct CompressedCaptureTests {
    static let plain = try! [UInt8](Data(contentsOf: URL(fileURLWithPath: sample("office-tuesday.pcap"))))

    func analyzed(_ bytes: [UInt8], _ directory: TemporaryDirectory, name: String) throws -> (AnalysisResult, String) {
        let path = directory.file(name), db = directory.file(name + ".db")
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let store = try CaptureStore(path: db)
        return (try CaptureAnalysis.run(path: path, store: store, options: AnalysisOptions()), db)
    }

    @Test(arguments: CompressedBytes.formats)
    func readsAsThePlainFile(_ format: String) throws {
        let directory = TemporaryDirectory()
        let (_, plainDB) = try analyzed(Self.plain, directory, name: "plain.pcap")
        let compressed = CompressedBytes.compress(Self.plain, as: format)
        let (result, db) = try analyzed(compressed, directory, name: "c")
        #expect(result.summary.compression == format)
        let sha256sum = try runProgram("/usr/bin/sha256sum", [directory.file("c")]).out.prefix(64)
        #expect(result.summary.size == UInt64(compressed.count) && result.summary.sha256 == String(sha256sum))
        #expect(try storedRows(db) == storedRows(plainDB))
        // Two streams one after another (gzip members, zstd and lz4 frames, xz and bzip2 streams), split mid-record.
        let half = Self.plain.count / 2 + 7
        let twice = CompressedBytes.compress(Array(Self.plain[..<half]), as: format) + CompressedBytes.compress(Array(Self.plain[half...]), as: format)
        let (_, twiceDB) = try analyzed(twice, directory, name: "twice")
        #expect(try storedRows(twiceDB) == storedRows(plainDB))
    }

    /// Cut anywhere, or with a byte flipped, a compressed capture stores what could be read,
    /// as partial with a reason, or is refused when not even its header could be read.
    @Test(arguments: CompressedBytes.formats)
    func damageStopsThePartialCapture(_ format: String) throws {
        let directory = TemporaryDirectory()
        let whole = try analyzed(Self.plain, directory, name: "plain.pcap").0.summary.packets
        let compressed = CompressedBytes.compress(Self.plain, as: format)
        for cut in stride(from: 1, to: compressed.count, by: max(1, compressed.count / 23)) {
            let result = try? analyzed(Array(compressed[..<cut]), directory, name: "cut\(cut)").0
            guard let result else { continue }  // the capture header itself was cut
            #expect(result.summary.status == "partial", "cut at \(cut)")
            // Cut in its trailer (a checksum, a size), every packet was read.
            #expect(result.summary.packets <= whole && (result.summary.damage ?? "").contains(format), "cut at \(cut): \(result.summary.damage ?? "")")
        }
        var flipped = compressed
        flipped[compressed.count / 2] ^= 0x5A
        if let result = try? analyzed(flipped, directory, name: "flipped").0 {
            #expect(result.summary.status == "partial" || result.summary.damage == nil)
        }
    }

    @Test func standardInputIsReadToo() throws {
        let directory = TemporaryDirectory(), db = directory.file("s.db")
        let compressed = CompressedBytes.compress(Self.plain, as: "zstd")
        let run = try portscope(["analyze", "-", "--db", db], stdin: Data(compressed))
        #expect(run.status == 0, "\(run.err)")
        let (_, plainDB) = try analyzed(Self.plain, directory, name: "plain.pcap")
        #expect(try storedRows(db) == storedRows(plainDB))
        let stored = try CaptureStore(readingFrom: db).rows("SELECT compression, size FROM captures")
        #expect(stored == [[.text("zstd"), .int(Int64(compressed.count))]])
    }
}
