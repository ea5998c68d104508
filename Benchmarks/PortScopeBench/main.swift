// portscope-bench: the benchmark PortScope owns. `scripts/bench` builds it and runs it.
//   portscope-bench generate OUT.pcap [--packets N] [--snaplen N]   a deterministic workload
//   portscope-bench phase read|decode|flows FILE                    one stage alone (timed by `run`)
//   portscope-bench run [--runs N] [--anchor-runs N] [--floor PROG] FILE…
// `run` times, for each capture, the stages alone and `portscope analyze` end to end (median of
// --runs), the C floor and the installed anchors (nfpcapd, argus, tshark), each in its own
// process so that its peak memory is its own, and prints one Markdown table per capture.
import Foundation

var arguments = Array(CommandLine.arguments.dropFirst())

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("portscope-bench: \(message)\n".utf8))
    exit(2)
}

/// Removes `--name VALUE` from the arguments and returns VALUE.
@MainActor func option(_ name: String) -> String? {
    guard let i = arguments.firstIndex(of: name) else { return nil }
    guard i + 1 < arguments.count else { fail("\(name) needs a value") }
    defer { arguments.removeSubrange(i...i + 1) }
    return arguments[i + 1]
}

@MainActor func number(_ name: String, default value: Int) -> Int {
    guard let text = option(name) else { return value }
    guard let n = Int(text), n > 0 else { fail("\(name) must be a positive number, not '\(text)'") }
    return n
}

let command = arguments.isEmpty ? "" : arguments.removeFirst()
switch command {
case "generate":
    let workload = Workload(packets: number("--packets", default: 3_025_883), snaplen: number("--snaplen", default: 96))
    guard arguments.count == 1 else { fail("usage: portscope-bench generate OUT.pcap [--packets N] [--snaplen N]") }
    do {
        let written = try workload.write(to: arguments[0])
        print("\(arguments[0]): \(written.packets) packets, \(written.flows) conversations, snaplen \(workload.snaplen)")
    } catch {
        fail(error.description)
    }
case "phase":
    guard arguments.count == 2, let phase = Phase(rawValue: arguments[0]) else {
        fail("usage: portscope-bench phase read|decode|flows FILE")
    }
    do {
        let counted = try phase.run(path: arguments[1])
        print("packets \(counted.packets) flows \(counted.flows) checksum \(counted.checksum)")
    } catch {
        fail(error.description)
    }
case "run":
    var bench = Bench(runs: number("--runs", default: 5), anchorRuns: number("--anchor-runs", default: 3))
    bench.floor = option("--floor")
    bench.portscope = option("--portscope") ?? bench.portscope
    guard !arguments.isEmpty else { fail("usage: portscope-bench run [--runs N] [--anchor-runs N] [--floor PROG] FILE…") }
    for path in arguments {
        do { try bench.run(path) } catch { fail("\(error)") }
    }
default:
    fail("usage: portscope-bench generate|phase|run …")
}
