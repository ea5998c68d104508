// swift-tools-version: 6.0
import PackageDescription

// Data flows one way: capture → decode → flows → store → analysis → report → CLI, with ingest
// (the packet pipeline) joining capture, flows and store. Every module a target imports is
// declared here (ArchitectureTests checks it).
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
        // Compressed captures, decoded as they are read.
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CZstd", providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "CLzma", providers: [.apt(["liblzma-dev"])]),
        .systemLibrary(name: "CBzip2", providers: [.apt(["libbz2-dev"])]),
        .systemLibrary(name: "CLz4", providers: [.apt(["liblz4-dev"])]),

        // Decoding depends on nothing but the standard library.
        .target(name: "PortScopeDecode"),
        // Capture: the pcap/pcapng reader (SHA-256 through libcrypto; gzip, zstd, xz, bzip2 and lz4
        // through their libraries), libpcap's filters and live capture.
        .target(name: "PortScopeCapture",
                dependencies: ["PortScopeDecode", "CPcap", "CCrypto", "CZlib", "CZstd", "CLzma", "CBzip2", "CLz4"]),
        // Flows: the flow table and tracker, payload detection per flow, the server-side decision.
        .target(name: "PortScopeFlows", dependencies: ["PortScopeDecode", "CCrypto"]),
        // The host's own view: its socket tables, listeners and the processes holding them (Linux /proc).
        .target(name: "PortScopeHost", dependencies: ["PortScopeDecode"]),
        // ClickHouse over its HTTP interface (plain sockets): a fleet's store (`export --clickhouse`).
        .target(name: "PortScopeClickHouse", dependencies: ["PortScopeSQLite", "PortScopeStore"]),
        // The SQLite wrapper: connections, statements, transactions, errors.
        .target(name: "PortScopeSQLite", dependencies: ["CSQLite"]),
        // The domain store: schema, migrations, writing captures and decided flows, read queries.
        .target(name: "PortScopeStore", dependencies: ["PortScopeDecode", "PortScopeFlows", "PortScopeSQLite"]),
        // Ingest: the one packet pipeline (capture → decode → flows → store) for files and interfaces.
        .target(name: "PortScopeIngest",
                dependencies: ["PortScopeCapture", "PortScopeDecode", "PortScopeFlows", "PortScopeHost", "PortScopeStore"]),
        // Analysis of stored traffic: the service inventory, the host view, diffs, findings, policy.
        .target(name: "PortScopeAnalysis",
                dependencies: ["PortScopeDecode", "PortScopeFlows", "PortScopeSQLite", "PortScopeStore"]),
        // Reports: each report's columns, its query, and table/JSON/CSV rendering.
        .target(name: "PortScopeReport", dependencies: [
            "PortScopeAnalysis", "PortScopeCapture", "PortScopeDecode", "PortScopeFlows", "PortScopeSQLite", "PortScopeStore",
        ]),
        .target(name: "PortScopeCLI", dependencies: [
            "PortScopeAnalysis", "PortScopeCapture", "PortScopeDecode", "PortScopeFlows", "PortScopeIngest",
            "PortScopeReport", "PortScopeStore", "PortScopeClickHouse",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "portscope", dependencies: ["PortScopeCLI"]),

        // Counts heap allocations on the per-packet path (malloc interposed: its own executable).
        .target(name: "AllocationCounter", path: "Tests/AllocationCounter"),
        .executableTarget(name: "portscope-allocation-check",
                          dependencies: ["AllocationCounter", "PortScopeCapture", "PortScopeIngest"],
                          path: "Tests/AllocationCheck"),

        // Fuzzing (scripts/fuzz): libFuzzer's driver declared weak, so a plain build links and
        // the executable then replays inputs once.
        .target(name: "CFuzzerDriver", path: "Fuzz/CFuzzerDriver"),
        .executableTarget(name: "portscope-fuzz",
                          dependencies: ["CFuzzerDriver", "PortScopeCapture", "PortScopeDecode", "PortScopeIngest", "TestCaptures"],
                          path: "Fuzz/PortScopeFuzz"),

        // The benchmark (scripts/bench): a workload generator, the stages alone, analyze end to
        // end, the C floor and the installed anchors.
        .executableTarget(name: "portscope-bench",
                          dependencies: ["PortScopeCapture", "PortScopeDecode", "PortScopeFlows", "PortScopeIngest", "TestCaptures"],
                          path: "Benchmarks/PortScopeBench"),

        // Writing pcap and pcapng files frame by frame, and compressing them: the one way the
        // tests, the benchmark's workload and the fuzz seeds make captures.
        .target(name: "TestCaptures", dependencies: ["PortScopeDecode", "CZlib", "CZstd", "CLzma", "CBzip2", "CLz4"],
                path: "Tests/TestCaptures"),

        .testTarget(name: "PortScopeTests", dependencies: [
            "PortScopeDecode", "PortScopeCapture", "PortScopeFlows", "PortScopeSQLite", "PortScopeStore", "PortScopeIngest",
            "PortScopeAnalysis", "PortScopeReport", "PortScopeCLI", "PortScopeHost", "PortScopeClickHouse", "TestCaptures",
            "portscope", "portscope-allocation-check", "portscope-fuzz",
        ], exclude: ["Golden", "Conformance", "FuzzRegressions"]),
    ],
    swiftLanguageModes: [.v6]
)
