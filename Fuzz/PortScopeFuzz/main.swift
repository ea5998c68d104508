// portscope-fuzz TARGET [libFuzzer options] [CORPUS_DIR…]: runs libFuzzer on one target
// (`decode`, `pcap`, `pcapng`; see FuzzTarget). Built by scripts/fuzz with -sanitize=fuzzer,address;
// `portscope-fuzz TARGET FILE…` with a plain build replays inputs once (the regression tests do);
// `portscope-fuzz seeds DIR` writes seeds of every target (FuzzSeeds).
import CFuzzerDriver
import Foundation
#if canImport(Glibc)
import Glibc
#endif

var arguments = CommandLine.arguments
if arguments.count == 3 && arguments[1] == "seeds" {
    do { try FuzzSeeds.write(to: arguments[2]) } catch { print("seeds: \(error)"); exit(1) }
    exit(0)
}
guard arguments.count >= 2, let target = FuzzTarget(rawValue: arguments[1]) else {
    print("usage: portscope-fuzz \(FuzzTarget.allCases.map(\.rawValue).joined(separator: "|")) [libFuzzer options] [inputs…] | seeds DIR")
    exit(2)
}
nonisolated(unsafe) var selected = target

/// libFuzzer's callback: a C function, so it reads the target from a global. Also exported
/// under the name libFuzzer's own `main` object refers to, which the fuzzer runtime links in.
@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    selected.run(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}

if portscope_fuzzer_linked() != 0 {
    arguments.remove(at: 1)
    var argc = Int32(arguments.count)
    var cArguments = arguments.map { strdup($0) } + [nil]
    let status = cArguments.withUnsafeMutableBufferPointer { buffer -> Int32 in
        var argv = buffer.baseAddress
        return LLVMFuzzerRunDriver(&argc, &argv, testOneInput)
    }
    exit(status)
}
// Without libFuzzer: run each file given once.
for path in arguments.dropFirst(2) {
    guard let bytes = FileManager.default.contents(atPath: path) else { print("\(path): cannot open"); exit(1) }
    bytes.withUnsafeBytes { target.run($0) }
    print("\(path): ok")
}
