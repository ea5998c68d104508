/// The application protocols of some flows (`flows.app_proto`), with their flow counts.
public struct AppMix: Sendable, Equatable {
    public private(set) var flows: [String: Int64] = [:]

    public init() {}

    public mutating func add(_ app: String, _ count: Int64) { flows[app, default: 0] += count }
    mutating func add(_ other: AppMix) { for (app, n) in other.flows { add(app, n) } }

    private var ranked: [(key: String, value: Int64)] {
        flows.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
    }
    /// The protocol of most flows; nil when no flow carried payload.
    public var main: String? { ranked.first?.key }
    /// `tls 20, unknown 2`: most flows first; nil when no flow carried payload.
    public var description: String? { flows.isEmpty ? nil : ranked.map { "\($0.key) \($0.value)" }.joined(separator: ", ") }
}
