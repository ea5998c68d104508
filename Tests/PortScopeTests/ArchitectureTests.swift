import Foundation
import Testing

/// The module graph Package.swift declares is the graph the code uses, and reports read rows by
/// column name. (SwiftPM builds a module that imports an undeclared sibling when the sibling
/// happens to be built first, so the build alone does not hold this.)
struct ArchitectureTests {
    /// Each target of Package.swift: its source directory and the targets and products it depends on.
    static let targets: [(name: String, directory: String, dependencies: Set<String>)] = {
        let manifest = try! String(contentsOfFile: repositoryRoot + "/Package.swift", encoding: .utf8)
        var result: [(String, String, Set<String>)] = []
        let kinds = [(".target(", "Sources/"), (".executableTarget(", "Sources/"), (".testTarget(", "Tests/")]
        for (kind, base) in kinds {
            var rest = Substring(manifest)
            while let start = rest.range(of: kind) {
                // The call's text, up to its closing parenthesis.
                var depth = 0, end = start.upperBound
                for index in rest[start.lowerBound...].indices {
                    if rest[index] == "(" { depth += 1 }
                    if rest[index] == ")" { depth -= 1; if depth == 0 { end = index; break } }
                }
                let call = rest[start.upperBound..<end]
                let quoted = call.split(separator: "\"", omittingEmptySubsequences: false).enumerated()
                    .filter { $0.offset % 2 == 1 }.map { String($0.element) }
                let name = quoted[0]
                let path = call.range(of: "path: \"").map { range in String(call[range.upperBound...].prefix { $0 != "\"" }) }
                var dependencies = Set<String>()
                if let list = call.range(of: "dependencies: [") {
                    let inner = call[list.upperBound...].prefix { $0 != "]" }
                    for (i, part) in inner.split(separator: "\"", omittingEmptySubsequences: false).enumerated() where i % 2 == 1 {
                        dependencies.insert(String(part))
                    }
                }
                result.append((name, path ?? base + name, dependencies))
                rest = rest[end...]
            }
        }
        return result
    }()

    /// Every module a target's sources import, other than the toolchain's own.
    static func imports(under directory: String) -> Set<String> {
        let toolchain: Set = ["Foundation", "Glibc", "Darwin", "Testing", "Synchronization", "Dispatch", "XCTest"]
        var modules = Set<String>()
        let root = repositoryRoot + "/" + directory
        for case let file as String in FileManager.default.enumerator(atPath: root) ?? .init() where file.hasSuffix(".swift") {
            let text = (try? String(contentsOfFile: root + "/" + file, encoding: .utf8)) ?? ""
            for line in text.split(separator: "\n") {
                let words = line.split(separator: " ")
                guard let i = words.firstIndex(of: "import"), words[..<i].allSatisfy({ $0.hasPrefix("@") }), i + 1 < words.count
                else { continue }
                modules.insert(String(words[i + 1]))
            }
        }
        return modules.subtracting(toolchain)
    }

    @Test func everyImportedModuleIsDeclared() {
        #expect(Self.targets.count >= 14, "Package.swift was not read: \(Self.targets.map(\.name))")
        for target in Self.targets {
            let undeclared = Self.imports(under: target.directory).subtracting(target.dependencies)
            #expect(undeclared.isEmpty, "\(target.name) imports \(undeclared.sorted()) without declaring them")
        }
    }

    /// Data flows one way: the decoder stands on the standard library alone, and nothing below
    /// the reports reaches up into them or into the command line.
    @Test func modulesDependDownwardOnly() {
        let dependencies = Dictionary(Self.targets.map { ($0.name, $0.dependencies) }, uniquingKeysWith: { $0.union($1) })
        #expect(dependencies["PortScopeDecode"] == [])
        let upper: Set = ["PortScopeReport", "PortScopeCLI", "PortScopeIngest"]
        for lower in ["PortScopeDecode", "PortScopeCapture", "PortScopeFlows", "PortScopeSQLite", "PortScopeStore", "PortScopeAnalysis"] {
            #expect(dependencies[lower]?.isDisjoint(with: upper) == true, "\(lower) depends on \(dependencies[lower] ?? [])")
        }
        #expect(dependencies["PortScopeStore"]?.contains("CSQLite") == false, "the store talks to SQLite through PortScopeSQLite")
    }

    /// No code that builds reports or findings reads a row by position (`row[7]`).
    @Test func rowsAreReadByName() throws {
        let positional = try Regex(#"\b(row|r|rows\.first!?|cells|values)\[\d+\]"#)
        for directory in ["Sources/PortScopeReport", "Sources/PortScopeAnalysis", "Sources/PortScopeStore", "Sources/PortScopeCLI"] {
            let root = repositoryRoot + "/" + directory
            for case let file as String in FileManager.default.enumerator(atPath: root) ?? .init() where file.hasSuffix(".swift") {
                let text = try String(contentsOfFile: root + "/" + file, encoding: .utf8)
                #expect(text.firstMatch(of: positional) == nil, "\(directory)/\(file) reads a row by position")
            }
        }
    }
}
