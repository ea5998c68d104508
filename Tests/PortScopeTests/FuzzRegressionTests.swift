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
}
