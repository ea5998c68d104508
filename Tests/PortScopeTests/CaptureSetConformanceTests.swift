import Foundation
import PortScopeIngest
import PortScopeSQLite
import PortScopeStore
import TestCaptures
import Testing

/// Real captures of the corpus, split into rotated files and read `--as-one`, and compressed:
/// the same rows as the whole, plain file.
@Suite(.enabled(if: Corpus.root != nil, "set PORTSCOPE_CORPUS to the shared corpus directory"))
struct CaptureSetConformanceTests {
    /// Classic pcap files tshark reads whole: they split at record boundaries by their headers.
    static let captures = Corpus.files.filter { name in
        let truth = Corpus.oracle[name]
        return truth?["status"] as? String == "ok" && truth?["format"] as? String == "pcap"
            && (truth?["packets"] as? Int ?? 0) >= 6
    }

    @Test func thereAreEnough() { #expect(Self.captures.count >= 40) }

    @Test(arguments: captures)
    func splitAndCompressed(_ name: String) throws {
        let directory = TemporaryDirectory()
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: Corpus.root! + "/" + name)))
        let whole = try rows(of: [Corpus.root! + "/" + name], in: directory, "whole", setName: nil)
        let parts = try Self.split(bytes, into: 3).enumerated().map { i, part in
            let path = directory.file("part-\(i).pcap")
            try Data(part).write(to: URL(fileURLWithPath: path))
            return path
        }
        // Files whose first packets tie keep the order given; packets out of order in the whole
        // file come out merged by time from the set, as mergecap would.
        let outOfOrder = whole[2].contains { $0.first == .text("file.out_of_order") }
        if !outOfOrder {
            #expect(try rows(of: parts, in: directory, "set", setName: "parts") == whole, "\(name): as one")
        }
        let format = CompressedBytes.formats[name.utf8.reduce(0) { $0 + Int($1) } % CompressedBytes.formats.count]
        let compressed = directory.file("c")
        try Data(CompressedBytes.compress(bytes, as: format)).write(to: URL(fileURLWithPath: compressed))
        #expect(try rows(of: [compressed], in: directory, "compressed", setName: nil) == whole, "\(name): \(format)")
    }

    private func rows(of paths: [String], in directory: TemporaryDirectory, _ label: String, setName: String?) throws -> [[[Statement.Value]]] {
        var options = AnalysisOptions()
        options.setName = setName
        let db = directory.file(label + ".db")
        _ = try CaptureAnalysis.run(paths: paths, store: try CaptureStore(path: db), options: options)
        return try storedRows(db)
    }

    /// A classic pcap file's records dealt into `files` consecutive runs, each behind a copy of
    /// the file header (the record length at offset 8 of each 16-byte record header, in the
    /// file's byte order).
    static func split(_ bytes: [UInt8], into files: Int) -> [[UInt8]] {
        let header = Array(bytes[0..<24])
        let swapped = bytes[0] == 0xA1 || bytes[0] == 0xA2 ? false : true  // little-endian magic starts d4/4d
        var records: [ArraySlice<UInt8>] = []
        var at = 24
        while at + 16 <= bytes.count {
            let field = bytes[(at + 8)..<(at + 12)].map(UInt32.init)
            let length = Int(swapped ? field[0] | field[1] << 8 | field[2] << 16 | field[3] << 24
                                     : field[3] | field[2] << 8 | field[1] << 16 | field[0] << 24)
            guard at + 16 + length <= bytes.count else { break }
            records.append(bytes[at..<(at + 16 + length)])
            at += 16 + length
        }
        let each = (records.count + files - 1) / files
        return stride(from: 0, to: records.count, by: each).map { start in
            header + records[start..<min(start + each, records.count)].flatMap { $0 }
        }
    }
}
