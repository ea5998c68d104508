// swift-tools-version: 6.0
import PackageDescription

// Data flows one way: capture → decode → flows → store → report → CLI.
// PortScopeDecode depends on nothing but the standard library.
let package = Package(
    name: "PortScope",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "portscope", targets: ["portscope"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(name: "CPcap", path: "CPcap", pkgConfig: "libpcap",
                       providers: [.apt(["libpcap-dev"])]),
        .systemLibrary(name: "CSQLite", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CCrypto", providers: [.apt(["libssl-dev"])]),

        .target(name: "PortScopeDecode"),
        .target(name: "PortScopeCapture", dependencies: ["PortScopeDecode", "CPcap", "CCrypto"]),
        .target(name: "PortScopeFlows", dependencies: ["PortScopeDecode"]),
        .target(name: "PortScopeStore", dependencies: ["PortScopeFlows", "CSQLite"]),
        .target(name: "PortScopeReport", dependencies: ["PortScopeStore"]),
        .target(name: "PortScopeAnalysis",
                dependencies: ["PortScopeCapture", "PortScopeDecode", "PortScopeFlows", "PortScopeStore"]),
        .target(name: "PortScopeCLI", dependencies: [
            "PortScopeAnalysis", "PortScopeCapture", "PortScopeReport",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "portscope", dependencies: ["PortScopeCLI"]),

        // Counts heap allocations on the per-packet path (malloc interposed: its own executable).
        .target(name: "AllocationCounter", path: "Tests/AllocationCounter"),
        .executableTarget(name: "portscope-allocation-check",
                          dependencies: ["AllocationCounter", "PortScopeCapture", "PortScopeDecode", "PortScopeFlows"],
                          path: "Tests/AllocationCheck"),

        // Fuzzing (scripts/fuzz): libFuzzer's driver declared weak, so a plain build links and
        // the executable then replays inputs once.
        .target(name: "CFuzzerDriver", path: "Fuzz/CFuzzerDriver"),
        .executableTarget(name: "portscope-fuzz",
                          dependencies: ["CFuzzerDriver", "PortScopeCapture", "PortScopeDecode", "PortScopeFlows"],
                          path: "Fuzz/PortScopeFuzz"),

        // The benchmark (scripts/bench): a workload generator, the stages alone, analyze end to
        // end, the C floor and the installed anchors.
        .executableTarget(name: "portscope-bench",
                          dependencies: ["PortScopeCapture", "PortScopeDecode", "PortScopeFlows"],
                          path: "Benchmarks/PortScopeBench"),

        .testTarget(name: "PortScopeTests", dependencies: [
            "PortScopeDecode", "PortScopeCapture", "PortScopeFlows", "PortScopeStore",
            "PortScopeReport", "PortScopeAnalysis", "PortScopeCLI", "portscope", "portscope-allocation-check", "portscope-fuzz",
        ], exclude: ["Golden", "Conformance", "FuzzRegressions"]),
    ],
    swiftLanguageModes: [.v6]
)
