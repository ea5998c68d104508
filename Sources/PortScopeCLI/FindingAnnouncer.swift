import Foundation
import PortScopeAnalysis
import PortScopeReport
import PortScopeStore

/// `live --on-finding CMD`: after each flush, the capture's findings are worked out on a thread
/// of their own (with their own read connection), and each one not announced before is given to
/// CMD (`sh -c`) as one JSON object on its standard input. Commands run in the background: one
/// that fails or runs longer than `timeout` is reported on standard error (and stopped), and none
/// is ever waited for by the capture. A finding is announced once per capture (by kind, host,
/// protocol and port), however its figures grow.
final class FindingAnnouncer: @unchecked Sendable {
    private let command: String
    private let database: String
    private let options: FindingOptions
    private let timeout: TimeInterval
    private let lock = NSLock()
    private var announced = Set<String>()
    private var checking = false
    private var running: [(process: Process, started: Date, about: String)] = []

    init(command: String, database: String, options: FindingOptions, timeout: TimeInterval = 10) {
        self.command = command
        self.database = database
        self.options = options
        self.timeout = timeout
        // A command that exits before reading its input must not end the capture with SIGPIPE.
        signal(SIGPIPE, SIG_IGN)
    }

    /// After a flush of `capture`: checks its findings in the background, unless a check is still running.
    func flushed(capture: Int64) {
        guard begin() else { return }
        Thread.detachNewThread { [self] in check(capture) }
    }

    /// After the last flush: checks once more, on this thread, then waits for the commands (each at most `timeout`).
    func finish(capture: Int64) {
        while !begin() { Thread.sleep(forTimeInterval: 0.01) }
        check(capture)
        while lock.withLock({ !running.isEmpty }) {
            reap()
            Thread.sleep(forTimeInterval: 0.02)
        }
    }

    private func begin() -> Bool {
        lock.withLock {
            if checking { return false }
            checking = true
            return true
        }
    }

    private func check(_ capture: Int64) {
        defer { lock.withLock { checking = false } }
        reap()
        let findings: [Finding]
        do {
            let store = try CaptureStore(readingFrom: database)
            findings = try Findings.find(store, captures: CaptureSelection(ids: [capture]), options: options)
                .filter { $0.silencedBy == nil }
        } catch {
            printError("on-finding: findings not worked out: \(error)")
            return
        }
        for finding in findings {
            let key = "\(finding.kind.rawValue) \(finding.host) \(finding.proto?.name ?? "") \(finding.port.map(String.init) ?? "")"
            guard lock.withLock({ announced.insert(key).inserted }) else { continue }
            announce(finding, about: key)
        }
    }

    private func announce(_ finding: Finding, about: String) {
        // One JSON object: the report's row, as `unexpected --format json --explain` prints it.
        let json = Reports.unexpected([finding], explain: true).render(.json)
            .split(separator: "\n").dropFirst().first.map { $0.trimmingCharacters(in: .whitespaces) } ?? "{}"
        let process = Process(), input = Pipe()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        process.standardInput = input
        do {
            try process.run()
        } catch {
            printError("on-finding: '\(command)' could not be started: \(error.localizedDescription)")
            return
        }
        let writer = input.fileHandleForWriting
        // A command that does not read its input must not block us: the object fits a pipe's buffer.
        try? writer.write(contentsOf: Data((json + "\n").utf8))
        try? writer.close()
        lock.withLock { running.append((process, Date(), about)) }
    }

    /// Reports the commands that ended in failure, stops those past `timeout`, forgets the rest that ended.
    private func reap() {
        lock.withLock {
            running.removeAll { entry in
                if entry.process.isRunning {
                    guard Date().timeIntervalSince(entry.started) > timeout else { return false }
                    entry.process.terminate()
                    printError("on-finding: '\(command)' ran longer than \(Int(timeout))s for \(entry.about): stopped")
                    return true
                }
                if entry.process.terminationStatus != 0 {
                    printError("on-finding: '\(command)' failed (status \(entry.process.terminationStatus)) for \(entry.about)")
                }
                return true
            }
        }
    }
}
