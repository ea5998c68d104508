import CPcap
import PortScopeDecode

/// A libpcap handle (`pcap_t`): owns it and closes it on deinit. The one owner of libpcap handles,
/// for live capture (`pcap_create`) and for compiling filters (`pcap_open_dead`).
struct PcapHandle: ~Copyable {
    let pointer: OpaquePointer

    /// A handle for capturing on `interface`, not yet activated.
    init(creating interface: String) throws(CaptureError) {
        var errbuf = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE))
        guard let pointer = pcap_create(interface, &errbuf) else {
            throw .interface(name: interface, reason: String(cString: errbuf))
        }
        self.pointer = pointer
    }

    /// A handle that captures nothing, for compiling filters for `linkType`.
    init(dead linkType: LinkType, snaplen: Int32) throws(CaptureError) {
        guard let pointer = pcap_open_dead(linkType.dlt, snaplen) else {
            throw .interface(name: "libpcap", reason: "could not open a handle for link type \(linkType)")
        }
        self.pointer = pointer
    }

    deinit { pcap_close(pointer) }

    /// The handle's last error message (`pcap_geterr`).
    var lastError: String { String(cString: pcap_geterr(pointer)) }

    /// Compiles `expression` (tcpdump syntax) for this handle's link type.
    func compile(_ expression: String) throws(CaptureError) -> BPFProgram {
        let code = UnsafeMutablePointer<bpf_program>.allocate(capacity: 1)
        code.initialize(to: bpf_program())
        guard pcap_compile(pointer, code, expression, 1, PCAP_NETMASK_UNKNOWN) == 0 else {
            code.deallocate()
            throw .badFilter(expression: expression, reason: lastError)
        }
        return BPFProgram(code: code)
    }
}

/// A compiled BPF program: owns its code and frees it on deinit, or hands it to an owner that
/// keeps several (`PacketFilter`) with `release()`.
struct BPFProgram: ~Copyable {
    let code: UnsafeMutablePointer<bpf_program>

    deinit { Self.free(code) }

    /// The code, now the caller's to `free`.
    consuming func release() -> UnsafeMutablePointer<bpf_program> {
        let code = self.code
        discard self
        return code
    }

    static func free(_ code: UnsafeMutablePointer<bpf_program>) {
        pcap_freecode(code)
        code.deallocate()
    }
}
