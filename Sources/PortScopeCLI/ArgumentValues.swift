import ArgumentParser
import PortScopeDecode
import PortScopeReport

extension OutputFormat: ExpressibleByArgument {}
extension ServiceSort: ExpressibleByArgument {}
extension FlowSort: ExpressibleByArgument {}
extension ExportFormat: ExpressibleByArgument {}

extension IPProtocol: ExpressibleByArgument {
    public init?(argument: String) {
        guard let proto = IPProtocol(name: argument), proto.hasPorts else { return nil }
        self = proto
    }
}
