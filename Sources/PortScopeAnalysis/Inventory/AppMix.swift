/// The application protocols of some flows (`flows.app_proto`), with their flows and bytes.
public struct AppMix: Sendable, Equatable {
    public private(set) var flows: [String: Int64] = [:]
    public private(set) var bytes: [String: Int64] = [:]

    public init() {}

    /// Adds `count` flows of `app` carrying `bytes` (wire bytes, both ways).
    public mutating func add(_ app: String, flows count: Int64, bytes: Int64) {
        flows[app, default: 0] += count
        self.bytes[app, default: 0] = self.bytes[app, default: 0].addingReportingOverflow(bytes).partialValue
    }
    mutating func add(_ other: AppMix) {
        for (app, n) in other.flows { add(app, flows: n, bytes: other.bytes[app] ?? 0) }
    }

    /// The protocol that carries most of the bytes — more than half of them — or `mixed` when
    /// none does (never a tie broken silently); nil when no flow carried payload.
    public var main: String? {
        guard !flows.isEmpty else { return nil }
        if flows.count == 1 { return flows.first!.key }
        let total = bytes.values.reduce(Int64(0)) { $0.addingReportingOverflow($1).partialValue }
        return bytes.first { $0.value > total - $0.value }?.key ?? "mixed"
    }

    /// `tls 20, unknown 2`: flows per protocol, most flows first; nil when no flow carried payload.
    public var description: String? {
        flows.isEmpty ? nil : flows.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            .map { "\($0.key) \($0.value)" }.joined(separator: ", ")
    }
}
