import PortScopeCapture
import PortScopeDecode
import PortScopeIngest
#if canImport(Glibc)
import Glibc
#endif

/// What one fuzz input goes through. Every path a hostile byte can take: the pipeline's own
/// per-packet loop (`PacketPipeline.read`: the decoder on every link type, the payload detectors,
/// the flow tracker), fed one packet or the pcap and pcapng readers' records.
enum FuzzTarget: String, CaseIterable {
    /// The input is one packet; its first byte picks the link type.
    case decode
    /// The input is a pcap file (its magic forced to one of the four pcap magics).
    case pcap
    /// The input is a pcapng file (its first block type forced to a section header).
    case pcapng

    func run(_ data: UnsafeRawBufferPointer) {
        switch self {
        case .decode: Self.decode(data)
        case .pcap:
            // A pcap magic already there stays (seeds keep their byte order); anything else gets one.
            let found = data.count >= 4 ? data.loadUnaligned(as: UInt32.self) : 0
            Self.readCapture(data, magic: Self.pcapMagics.contains(found) ? found : Self.pcapMagics[Int(data.first ?? 0) & 3])
        case .pcapng: Self.readCapture(data, magic: 0x0A0D_0D0A)
        }
    }

    /// Every link type the decoder reads.
    static let linkTypes: [LinkType] = [
        .null, .ethernet, .ppp, .rawBSD12, .rawBSD14, .pppHDLC, .raw, .ciscoHDLC, .ieee80211, .radiotap, .loop,
        .linuxSLL, .nflog, .ipv4, .ipv6, .linuxSLL2,
    ]

    private static func decode(_ data: UnsafeRawBufferPointer) {
        guard let first = data.first else { return }
        let bytes = UnsafeRawBufferPointer(rebasing: data.dropFirst())
        var packet = OnePacket(record: PacketRecord(bytes: bytes, originalLength: UInt32(bytes.count), timestamp: 0,
                                                    linkType: linkTypes[Int(first) % linkTypes.count], interface: 0))
        var pipeline = PacketPipeline(filter: nil, options: options(expectedFlows: 16))
        _ = try? pipeline.read(&packet)
        for transport in [IPProtocol.tcp, .udp] {
            _ = PayloadDetector.detect(bytes, PayloadContext(transport: transport, sourcePort: 53, destinationPort: 5353))
        }
    }

    /// The four classic pcap magics as they lie in the file (little-endian read): µs and ns, both byte orders.
    static let pcapMagics: [UInt32] = [0xA1B2_C3D4, 0xD4C3_B2A1, 0xA1B2_3C4D, 0x4D3C_B2A1]

    /// One scratch file in memory (/dev/shm) for the whole run, rewritten for each input, so the
    /// reader takes its real path: open, chunked reads, the hashing thread.
    static let scratch: String = {
        var template = Array("/dev/shm/portscope-fuzz-XXXXXX".utf8CString)
        close(mkstemp(&template))
        atexit { unlink(FuzzTarget.scratch) }
        return String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }()

    /// The input, with its first 4 bytes set to `magic` (a file's bytes in memory order), read as a capture file, every record
    /// decoded and tracked.
    private static func readCapture(_ data: UnsafeRawBufferPointer, magic: UInt32) {
        let fd = open(scratch, O_WRONLY | O_TRUNC)
        guard fd >= 0 else { return }
        var header = magic.littleEndian
        _ = withUnsafeBytes(of: &header) { write(fd, $0.baseAddress, min(4, max(data.count, 4))) }
        if data.count > 4 { _ = write(fd, data.baseAddress! + 4, data.count - 4) }
        close(fd)
        do {
            var file = try CaptureFile(path: scratch)
            var pipeline = PacketPipeline(filter: nil, options: options(expectedFlows: 64))
            _ = try pipeline.read(&file, limit: 100_000)
            _ = try file.finish()
        } catch {
            // A clear error is a right answer for a bad file.
        }
    }
}

/// The pipeline's settings for one input: a small table to start with.
private func options(expectedFlows: Int) -> PipelineOptions {
    var options = PipelineOptions()
    options.expectedFlows = expectedFlows
    return options
}

/// A packet source of one record, for the decode target.
struct OnePacket: PacketSource {
    var record: PacketRecord?
    mutating func next() throws(CaptureError) -> PacketRecord? {
        defer { record = nil }
        return record
    }
}
