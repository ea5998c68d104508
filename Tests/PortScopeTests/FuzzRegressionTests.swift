import Foundation
import Testing

/// Every input under `FuzzRegressions/TARGET` replayed once through `portscope-fuzz TARGET` (the
/// plain build: no libFuzzer, so it runs each file given): each is read to the end, no trap.
struct FuzzRegressionTests {
    static let fuzzer = portscopeBinary.deletingLastPathComponent().appendingPathComponent("portscope-fuzz").path
    static let root = repositoryRoot + "/Tests/PortScopeTests/FuzzRegressions"

    @Test(arguments: ["decode", "pcap", "pcapng"])
    func replay(_ target: String) throws {
        let inputs = try FileManager.default.contentsOfDirectory(atPath: Self.root + "/" + target).sorted().map { Self.root + "/\(target)/" + $0 }
        #expect(inputs.count >= 4)
        let run = try runProgram(Self.fuzzer, [target] + inputs)
        #expect(run.status == 0, "\(run.err)")
        #expect(run.out.split(separator: "\n").count == inputs.count && !run.out.contains("cannot"), "\(run.out)")
    }

    /// `portscope-fuzz seeds` writes seeds of every target with the tests' capture writer; each
    /// replays, and the capture seeds are read whole by the reader.
    @Test func generatedSeedsReplay() throws {
        let dir = TemporaryDirectory()
        #expect(try runProgram(Self.fuzzer, ["seeds", dir.path]).status == 0)
        for target in ["decode", "pcap", "pcapng"] {
            let inputs = try FileManager.default.contentsOfDirectory(atPath: dir.path + "/" + target).sorted().map { dir.path + "/\(target)/" + $0 }
            #expect(inputs.count >= 2, "\(target)")
            let run = try runProgram(Self.fuzzer, [target] + inputs)
            #expect(run.status == 0 && run.out.split(separator: "\n").count == inputs.count, "\(run.out) \(run.err)")
            for capture in inputs where target != "decode" {
                let (packets, stats) = try readAll(capture)
                #expect(packets.count == 12 && stats.damage == nil, "\(capture)")
            }
        }
    }
}
