import CPcap
import PortScopeDecode

#if canImport(Glibc)
import Glibc
#endif

/// How to open an interface for capture.
public struct LiveCaptureOptions: Sendable {
    public var interface: String
    /// Bytes kept of each packet: headers, not payloads. Large snapshot lengths make the kernel
    /// copy more and drop sooner (notably on `lo` in immediate mode).
    public var snaplen: Int32 = 256
    public var promiscuous = false
    /// The kernel's capture buffer; bursts beyond it are dropped (and counted as kernel drops).
    public var bufferSize: Int32 = 16 << 20
    /// A tcpdump filter expression, compiled for the interface and run in the kernel.
    public var filter: String?

    public init(interface: String) {
        self.interface = interface
    }
}

/// libpcap's counters for a live capture (`pcap_stats`).
public struct LiveCaptureStatistics: Sendable, Equatable {
    /// Packets that passed the filter (including ones then dropped).
    public var received: UInt64
    /// Packets dropped because the kernel buffer was full.
    public var droppedByKernel: UInt64
    /// Packets the interface or its driver dropped.
    public var droppedByInterface: UInt64
}

/// An interface opened for capture through libpcap (`pcap_create`, `pcap_activate`), in
/// immediate mode with nanosecond timestamps where the system has them. Owns the handle and
/// closes it on deinit. Reading never blocks: `wait` then `readAvailable`.
public struct LiveCapture: ~Copyable {
    private let handle: OpaquePointer
    public let interface: String
    /// The interface's link type, as the decoder knows it.
    public let linkType: LinkType
    private let nanosecondTimestamps: Bool
    private let selectable: Int32

    /// Opens and activates `options.interface` and sets its filter.
    /// - Throws: `CaptureError.interface` saying what went wrong and how to fix it (permission,
    ///   no such interface, interface down), or `.badFilter`.
    public init(_ options: LiveCaptureOptions) throws(CaptureError) {
        let name = options.interface
        var errbuf = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE))
        guard let handle = pcap_create(name, &errbuf) else {
            throw .interface(name: name, reason: String(cString: errbuf))
        }
        func fail(_ reason: String) -> CaptureError {
            pcap_close(handle)
            return .interface(name: name, reason: reason)
        }
        pcap_set_snaplen(handle, options.snaplen)
        pcap_set_promisc(handle, options.promiscuous ? 1 : 0)
        pcap_set_immediate_mode(handle, 1)
        pcap_set_buffer_size(handle, options.bufferSize)
        let wantsNano = pcap_set_tstamp_precision(handle, PCAP_TSTAMP_PRECISION_NANO) == 0
        let status = pcap_activate(handle)
        if status < 0 {
            let detail = String(cString: pcap_geterr(handle))
            throw fail(LiveCapture.explain(status, detail: detail, interface: name))
        }
        if let expression = options.filter {
            var program = bpf_program()
            guard pcap_compile(handle, &program, expression, 1, PCAP_NETMASK_UNKNOWN) == 0 else {
                let reason = String(cString: pcap_geterr(handle))
                pcap_close(handle)
                throw .badFilter(expression: expression, reason: reason)
            }
            defer { pcap_freecode(&program) }
            guard pcap_setfilter(handle, &program) == 0 else {
                throw fail("cannot set the filter: " + String(cString: pcap_geterr(handle)))
            }
        }
        guard pcap_setnonblock(handle, 1, &errbuf) == 0 else {
            throw fail(String(cString: errbuf))
        }
        nanosecondTimestamps = wantsNano && pcap_get_tstamp_precision(handle) == PCAP_TSTAMP_PRECISION_NANO
        selectable = pcap_get_selectable_fd(handle)
        self.handle = handle
        interface = name
        linkType = LinkType(dlt: pcap_datalink(handle))
    }

    deinit { pcap_close(handle) }

    /// What went wrong on activation, and how to fix it.
    static func explain(_ status: Int32, detail: String, interface: String) -> String {
        switch status {
        case PCAP_ERROR_NO_SUCH_DEVICE:
            "no such interface (see 'portscope interfaces')"
        case PCAP_ERROR_PERM_DENIED, PCAP_ERROR_PROMISC_PERM_DENIED:
            "no permission to capture; run as root, or grant the capabilities once with "
                + "'sudo setcap cap_net_raw,cap_net_admin=eip \(executablePath())'"
        case PCAP_ERROR_IFACE_NOT_UP:
            "interface is down; bring it up first (ip link set \(interface) up)"
        default:
            detail.isEmpty ? String(cString: pcap_statustostr(status)) : detail
        }
    }

    private static func executablePath() -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        return n > 0 ? String(cString: buffer) : "portscope"
    }

    /// Waits until packets are ready, a signal arrives, or `milliseconds` pass.
    public func wait(milliseconds: Int32) {
        guard selectable >= 0 else {
            usleep(UInt32(max(1, milliseconds)) * 1000)
            return
        }
        var descriptor = pollfd(fd: selectable, events: Int16(POLLIN), revents: 0)
        _ = poll(&descriptor, 1, milliseconds)
    }

    /// Hands every packet ready now to `body` (at most `limit`), without blocking. Returns how
    /// many. The record's bytes are valid only during the call.
    public func readAvailable(limit: UInt64 = .max,
                              _ body: (PacketRecord) throws(CaptureError) -> Void) throws(CaptureError) -> UInt64 {
        var handled: UInt64 = 0
        var header: UnsafeMutablePointer<pcap_pkthdr>?
        var data: UnsafePointer<UInt8>?
        let subsecondScale: Int64 = nanosecondTimestamps ? 1 : 1000
        while handled < limit {
            let status = pcap_next_ex(handle, &header, &data)
            if status == 0 || status == PCAP_ERROR_BREAK { break }
            guard status == 1, let header, let data else {
                throw .interface(name: interface, reason: "capture failed: " + String(cString: pcap_geterr(handle)))
            }
            let h = header.pointee
            let time = Int64(h.ts.tv_sec) * 1_000_000_000 + Int64(h.ts.tv_usec) * subsecondScale
            try body(PacketRecord(bytes: UnsafeRawBufferPointer(start: data, count: Int(h.caplen)),
                                  originalLength: h.len, timestamp: time, linkType: linkType, interface: 0))
            handled += 1
        }
        return handled
    }

    /// libpcap's counters so far.
    public func statistics() -> LiveCaptureStatistics {
        var stats = pcap_stat()
        guard pcap_stats(handle, &stats) == 0 else {
            return LiveCaptureStatistics(received: 0, droppedByKernel: 0, droppedByInterface: 0)
        }
        return LiveCaptureStatistics(received: UInt64(stats.ps_recv), droppedByKernel: UInt64(stats.ps_drop),
                                     droppedByInterface: UInt64(stats.ps_ifdrop))
    }
}
