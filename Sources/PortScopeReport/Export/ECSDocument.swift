/// A flow as an Elastic Common Schema document (ECS 8): `event.*` as Elastic's network flow
/// events set it, `source`/`destination` the originator and responder, `client`/`server`
/// PortScope's decided sides, `network.community_id`; what ECS has no field for under `portscope.*`.
enum ECSDocument {
    static func line(_ f: ExportedFlow) -> String {
        func object(_ members: [(String, String?)]) -> String {
            "{" + members.compactMap { key, value in value.map { jsonString(key) + ":" + $0 } }.joined(separator: ",") + "}"
        }
        func text(_ v: String?) -> String? { v.map(jsonString) }
        func number(_ v: Int64?) -> String? { v.map(String.init) }
        let origIsClient = f.origIsClient
        let end = f.lastNS
        let transport = f.proto == "icmpv6" ? "ipv6-icmp" : f.proto
        let hasPorts = ["tcp", "udp", "sctp"].contains(f.proto)
        func endpoint(_ addr: String, _ port: Int64, packets: Int64?, bytes: Int64?) -> String {
            object([("ip", text(addr)), ("port", hasPorts ? number(port) : nil), ("packets", number(packets)), ("bytes", number(bytes))])
        }
        let (client, server) = origIsClient
            ? ((f.origPackets, f.origBytes), (f.respPackets, f.respBytes))
            : ((f.respPackets, f.respBytes), (f.origPackets, f.origBytes))
        return object([
            ("@timestamp", text(formatTimestamp(f.firstNS))),
            ("ecs", object([("version", text("8.11.0"))])),
            ("event", object([
                ("kind", text("event")), ("category", "[\"network\"]"), ("type", "[\"connection\"]"),
                ("action", text("network_flow")), ("dataset", text("portscope.flow")), ("module", text("portscope")),
                ("start", text(formatTimestamp(f.firstNS))), ("end", text(formatTimestamp(end))),
                ("duration", number(end - f.firstNS)),
            ])),
            ("source", endpoint(f.origAddr, f.origPort, packets: f.origPackets, bytes: f.origBytes)),
            ("destination", endpoint(f.respAddr, f.respPort, packets: f.respPackets, bytes: f.respBytes)),
            ("client", endpoint(f.clientAddr, f.clientPort, packets: client.0, bytes: client.1)),
            ("server", endpoint(f.serverAddr, f.serverPort, packets: server.0, bytes: server.1)),
            ("network", object([
                ("transport", text(transport)), ("iana_number", text(f.ipProto.map(String.init))),
                ("type", text(f.origAddr.contains(":") ? "ipv6" : "ipv4")), ("direction", text(f.ecsDirection)),
                ("protocol", text(f.appProto.flatMap { $0 == "unknown" ? nil : $0 })),
                ("community_id", text(f.communityID)),
                ("packets", number(f.origPackets + f.respPackets)), ("bytes", number(f.origBytes + f.respBytes)),
            ])),
            ("tls", f.appProto == "tls" ? object([("client", object([("server_name", text(f.appName))]))]) : nil),
            ("url", f.appProto == "http" && f.appName != nil ? object([("domain", text(f.appName))]) : nil),
            ("portscope", object([
                ("flow_id", number(f.flowID)), ("capture_id", number(f.captureID)), ("decided_by", text(f.decidedBy)),
                ("conn_state", text(f.connState)), ("history", text(f.history.isEmpty ? nil : f.history)),
                ("zeek_uid", text(f.uid)),
            ])),
        ]) + "\n"
    }
}

extension ExportedFlow {
    /// ECS `network.direction` from the originator's and responder's side of the local networks.
    var ecsDirection: String {
        switch (origIsLocal, respIsLocal) {
        case (true, true): "internal"
        case (true, false): "outbound"
        case (false, true): "inbound"
        case (false, false): "external"
        }
    }
}
