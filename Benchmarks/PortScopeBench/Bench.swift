import Foundation

/// Times PortScope, its stages, the C floor and the installed anchors on one capture, and
/// prints the table.
struct Bench {
    var runs: Int
    var anchorRuns: Int
    /// The C floor (`../shared/bench/floor_mmap.c` built with `-DFLOWS`), when given.
    var floor: String?
    /// The `portscope` binary: by default the one beside this program.
    var portscope: String = Bench.sibling("portscope")

    init(runs: Int, anchorRuns: Int) {
        self.runs = runs
        self.anchorRuns = anchorRuns
    }

    static func sibling(_ name: String) -> String {
        let me = CommandLine.arguments[0]
        guard let slash = me.lastIndex(of: "/") else { return name }
        return String(me[...slash]) + name
    }

    private struct Row {
        var name: String
        var measurement: Measurement
        var runs: Int
    }

    mutating func run(_ path: String) throws {
        var info = stat()
        guard stat(path, &info) == 0 else { throw UnreadableCapture(path: path, reason: String(cString: strerror(errno))) }
        let bytes = Double(info.st_size)
        let counted = try Phase.read.run(path: path)
        let scratch = String(cString: mkdtemp(strdup("/tmp/portscope-bench-XXXXXX")))
        defer { _ = system("rm -rf '\(scratch)'") }
        emit("\n### \(path): \(counted.packets) packets, \(String(format: "%.0f", bytes / 1e6)) MB\n")

        var rows: [Row] = []
        /// Adds a row for `command`; returns its median seconds.
        @discardableResult
        func time(_ name: String, runs: Int, _ command: @autoclosure () -> [String], before: () -> Void = {}) throws -> Double {
            var all: [Measurement] = []
            for _ in 0..<runs {
                before()
                all.append(try measure(command()))
            }
            rows.append(Row(name: name, measurement: all.summary, runs: runs))
            FileHandle.standardError.write(Data("  \(name): \(String(format: "%.3f", all.summary.seconds)) s\n".utf8))
            return all.summary.seconds
        }
        let bench = CommandLine.arguments[0]
        var throughFlows = 0.0  // the last stage includes all the others
        for phase in Phase.allCases {
            let stages = Phase.allCases.prefix(through: Phase.allCases.firstIndex(of: phase)!).map(\.rawValue)
            throughFlows = try time("portscope stages: " + stages.joined(separator: " + "), runs: runs,
                                    [bench, "phase", phase.rawValue, path])
        }
        let db = "\(scratch)/bench.db"
        let clear = { _ = system("rm -f '\(db)' '\(db)-wal' '\(db)-shm'") }
        let analyze = try time("**portscope analyze** (end to end)", runs: runs, [portscope, "analyze", "--db", db, path],
                               before: clear)
        // The store's floor: SQLite's own INSERT … SELECT of the rows analyze just stored (flows,
        // host_services, time_buckets and the rest) into a fresh database with PortScope's
        // schema, in one transaction (`portscope merge`, schema creation included).
        let stored = "\(scratch)/stored.db", fresh = "\(scratch)/fresh.db"
        _ = system("cp '\(db)' '\(stored)'")
        let copyRows = try time("SQLite INSERT … SELECT of those rows into a fresh database", runs: runs,
                                [portscope, "merge", stored, "--db", fresh],
                                before: { _ = system("rm -f '\(fresh)' '\(fresh)-wal' '\(fresh)-shm'") })
        let copyPeak = rows[rows.count - 1].measurement.peakKiB
        try time("portscope analyze --no-flows", runs: runs, [portscope, "analyze", "--no-flows", "--db", db, path], before: clear)
        let undetected = try time("portscope analyze --no-detect", runs: runs, [portscope, "analyze", "--no-detect", "--db", db, path],
                                  before: clear)
        // Capture sets: two files analyzed in parallel against one after the other (the second a
        // copy differing only in the header's unused sigfigs field, so it is not a duplicate); and
        // a gzip file against gzip's own decompression plus the plain analyze.
        let copy = "\(scratch)/copy.pcap", gz = "\(scratch)/workload.pcap.gz"
        _ = system("cp '\(path)' '\(copy)' && printf '\\001' | dd of='\(copy)' bs=1 seek=12 conv=notrunc status=none")
        let sequential = try time("portscope analyze, 2 files, --jobs 1", runs: runs,
                                  [portscope, "analyze", "--jobs", "1", "--db", db, path, copy], before: clear)
        let parallel = try time("portscope analyze, 2 files, --jobs 2", runs: runs,
                                [portscope, "analyze", "--jobs", "2", "--db", db, path, copy], before: clear)
        _ = system("gzip -1 -c '\(path)' > '\(gz)'")
        let gunzip = try time("gzip -dc (decompression alone)", runs: runs, ["/bin/sh", "-c", "gzip -dc '\(gz)' > /dev/null"])
        let gzipped = try time("portscope analyze FILE.gz", runs: runs, [portscope, "analyze", "--db", db, gz], before: clear)
        let floorTime = try floor.map { floor in try time("C floor: mmap + decode + flow table", runs: runs, [floor, path]) }
        let floorPeak = floorTime == nil ? 0 : rows[rows.count - 1].measurement.peakKiB
        let anchors: [(name: String, command: [String], runs: Int)] = [
            ("nfpcapd", ["nfpcapd", "-r", path, "-w", scratch], anchorRuns),
            ("argus", ["argus", "-r", path, "-w", "\(scratch)/out.argus"], anchorRuns),
            ("tshark -z conv,tcp -z conv,udp", ["tshark", "-r", path, "-q", "-z", "conv,tcp", "-z", "conv,udp"], 1),
        ]
        var anchorSeconds: [String: Double] = [:]
        for anchor in anchors where installed(anchor.command[0]) {
            anchorSeconds[anchor.command[0]] = try time(anchor.name, runs: anchor.runs, anchor.command,
                                                        before: { _ = system("rm -rf '\(scratch)'/nfcapd.* '\(scratch)'/out.argus") })
        }
        // The composite floor: the C floor's reading and flow table plus SQLite's own copy of the rows.
        let composite = floorTime.map { $0 + copyRows }
        if let composite {
            // Its peak is the larger of the two processes'.
            rows.append(Row(name: "*composite floor: C floor + SQLite INSERT … SELECT*",
                            measurement: Measurement(seconds: composite, peakKiB: max(floorPeak, copyPeak)), runs: runs))
        }

        emit("| program | s (median) | runs | packets/s | MB/s | peak RSS MiB | × C floor |")
        emit("|---|---:|---:|---:|---:|---:|---:|")
        for row in rows {
            let s = row.measurement.seconds
            let ratio = floorTime.map { String(format: "%.2f", s / $0) } ?? "–"
            emit("| \(row.name) | \(String(format: "%.3f", s)) | \(row.runs) | \(String(format: "%.2f M", Double(counted.packets) / s / 1e6)) | \(String(format: "%.0f", bytes / s / 1e6)) | \(row.measurement.peakKiB / 1024) | \(ratio) |")
        }
        emit("\nstore (analyze end to end less the stages up to flows): \(String(format: "%.3f", analyze - throughFlows)) s.")
        emit("protocol detection: analyze takes \(String(format: "%.2f", analyze / undetected))× the time of analyze --no-detect.")
        emit("two files in parallel take \(String(format: "%.2f", parallel / sequential))× the time of one after the other (target ≤ 0.60).")
        emit("a gzip file takes \(String(format: "%.2f", gzipped / (gunzip + analyze)))× gzip -dc plus the plain analyze (target ≤ 1.00).")
        if let composite {
            emit("portscope analyze takes \(String(format: "%.2f", analyze / composite))× the composite floor (target ≤ 1.50).")
        }
        for (anchor, target) in [("nfpcapd", "target ≥ 2.00"), ("argus", "target > 1.00")] {
            guard let seconds = anchorSeconds[anchor] else { continue }
            emit("portscope analyze is \(String(format: "%.2f", seconds / analyze))× as fast as \(anchor) (\(target)).")
        }
    }
}

/// Writes `line` to standard output in one write: the tables and the progress lines (standard
/// error) often go to one file, where a buffered `print` had progress lines land inside table rows.
private func emit(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

struct UnreadableCapture: Error, CustomStringConvertible {
    var path: String
    var reason: String
    var description: String { "\(path): \(reason)" }
}
