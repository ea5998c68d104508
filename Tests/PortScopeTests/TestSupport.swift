import Foundation
import PortScopeIngest
import PortScopeSQLite
import PortScopeStore

/// A fresh directory for one test, removed when the value goes away.
final class TemporaryDirectory {
    let path: String
    init() {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("portscope-tests-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        path = base.path
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
    func file(_ name: String) -> String { path + "/" + name }
}

/// The repository root (tests run from anywhere).
let repositoryRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
}()

/// Analyzes `path` into the database `test.db` in `directory`.
@discardableResult
func analyze(_ path: String, in directory: TemporaryDirectory, options: AnalysisOptions = AnalysisOptions()) throws -> AnalysisResult {
    let store = try CaptureStore(path: directory.file("test.db"))
    return try CaptureAnalysis.run(path: path, store: store, options: options)
}

/// The bytes of a crafted `DecodedPacket` that carries no payload.
var noBytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: nil, count: 0) }

extension CaptureStore {
    /// The rows of a query as values in select-list order: tests compare whole rows with literals.
    func rows(_ sql: String, _ bindings: [Statement.Value] = []) throws -> [[Statement.Value]] {
        var named: [String: Statement.Value] = [:]
        for (i, value) in bindings.enumerated() { named["?\(i + 1)"] = value }
        return try query(sql, named).map(\.values)
    }
}

/// Reference implementations from PyPI that tests check PortScope against, installed when
/// missing if pip can; a test that needs one is skipped with a message where it cannot be.
enum PythonReference {
    static let communityID = available(module: "communityid", package: "communityid")
    static let zat = available(module: "zat.zeek_log_reader", package: "zat")
    static let ja4plus = available(module: "ja4plus.cli", package: "ja4plus")

    static func available(module: String, package: String) -> Bool {
        let probe = { (try? runProgram("/usr/bin/env", ["python3", "-c", "import \(module)"]))?.status == 0 }
        if probe() { return true }
        for extra in [[], ["--break-system-packages"]] {
            _ = try? runProgram("/usr/bin/env", ["python3", "-m", "pip", "install", "-q"] + extra + [package])
            if probe() { return true }
        }
        return false
    }
}
