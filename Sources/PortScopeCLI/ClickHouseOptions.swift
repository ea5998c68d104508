import ArgumentParser
import Foundation
import PortScopeClickHouse

/// Where `export` and `live` send to ClickHouse: the server, its database, the sensor.
struct ClickHouseOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Send to ClickHouse's HTTP interface: captures, flows, host services and time buckets "
            + "(user and password in the URL or CLICKHOUSE_USER/CLICKHOUSE_PASSWORD; never printed).", valueName: "http://host:8123"))
    var clickhouse: String?

    @Option(name: .customLong("database"), help: ArgumentHelp("With --clickhouse: the ClickHouse database (created if missing).", valueName: "name"))
    var database = "portscope"

    @Option(name: .long, help: ArgumentHelp("With --clickhouse: send every capture as this sensor (default: the host that made it).",
                                            valueName: "name"))
    var sensor: String?

    func validate() throws {
        if let clickhouse, ClickHouseServer(url: clickhouse) == nil {
            throw ValidationError("--clickhouse: '\(ClickHouseServer.redacted(clickhouse))' is not an http://host[:port] URL")
        }
        if database.isEmpty || !database.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) {
            throw ValidationError("--database: letters, digits and _ only")
        }
    }

    /// The export these options describe; nil without --clickhouse.
    var export: ClickHouseExport? {
        guard let clickhouse, let server = ClickHouseServer(url: clickhouse, environment: ProcessInfo.processInfo.environment) else {
            return nil
        }
        return ClickHouseExport(server: server, database: database, sensor: sensor)
    }
}
