import PortScopeDecode
import PortScopeFlows
import PortScopeStore

/// What `unexpected` looks for, beyond the rules that always run.
public struct FindingOptions: Sendable {
    /// The networks whose hosts are "ours".
    public var local: LocalNetworks
    /// Judge local hosts against this policy.
    public var policy: Policy?
    /// Compare local services with this capture's (its id, and how to name it).
    public var baseline: (id: Int64, name: String)?
    /// Probed targets that make a scan.
    public var scanThreshold: Int
    /// Application protocols allowed on ports (`--ignore ssh@tcp/443`).
    public var allowances: [Policy.Ports] = []
    public var common: CommonServices
    public var registry: ServiceRegistry

    public init(local: LocalNetworks = .privateRanges, policy: Policy? = nil, baseline: (id: Int64, name: String)? = nil,
                scanThreshold: Int = 20, common: CommonServices = .builtIn, registry: ServiceRegistry = .iana) {
        self.local = local
        self.policy = policy
        self.baseline = baseline
        self.scanThreshold = scanThreshold
        self.common = common
        self.registry = registry
    }
}
