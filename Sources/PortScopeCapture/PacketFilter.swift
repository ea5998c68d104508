import CPcap
import PortScopeDecode

/// A tcpdump filter expression compiled by libpcap (`pcap_compile`) and run per packet
/// (`pcap_offline_filter`). Compiled once per link type, the first time a packet of that type
/// is seen, since BPF code depends on the link-layer header.
public struct PacketFilter: ~Copyable {
    public let expression: String
    /// The programs compiled so far, freed on deinit.
    private var programs: [(linkType: LinkType, code: UnsafeMutablePointer<bpf_program>)] = []
    /// Snapshot length the programs are compiled for; large, so no packet is judged cut.
    private static let snaplen: Int32 = 262_144

    /// Checks the expression by compiling it for Ethernet.
    /// - Throws: `CaptureError.badFilter` with libpcap's message.
    public init(_ expression: String) throws(CaptureError) {
        self.expression = expression
        _ = try program(for: .ethernet)
    }

    deinit {
        for entry in programs { BPFProgram.free(entry.code) }
    }

    /// Whether the packet passes the filter.
    public mutating func matches(_ record: PacketRecord) throws(CaptureError) -> Bool {
        let program = try program(for: record.linkType)
        var header = pcap_pkthdr()
        header.caplen = UInt32(record.bytes.count)
        header.len = record.originalLength
        guard let base = record.bytes.baseAddress else {
            // caplen 0: libpcap reads no byte, but wants a pointer.
            var none: UInt8 = 0
            return pcap_offline_filter(program, &header, &none) != 0
        }
        return pcap_offline_filter(program, &header, base.assumingMemoryBound(to: UInt8.self)) != 0
    }

    private mutating func program(for linkType: LinkType) throws(CaptureError) -> UnsafeMutablePointer<bpf_program> {
        for entry in programs where entry.linkType == linkType { return entry.code }
        let code: UnsafeMutablePointer<bpf_program>
        do {
            code = try PcapHandle(dead: linkType, snaplen: Self.snaplen).compile(expression).release()
        } catch .badFilter(let expression, let reason) {
            throw .badFilter(expression: expression, reason: "\(reason) (link type \(linkType))")
        }
        programs.append((linkType, code))
        return code
    }
}
