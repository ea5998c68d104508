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

    public init(received: UInt64, droppedByKernel: UInt64, droppedByInterface: UInt64) {
        self.received = received
        self.droppedByKernel = droppedByKernel
        self.droppedByInterface = droppedByInterface
    }
}

/// An interface opened for capture through libpcap (`pcap_create`, `pcap_activate`), in
/// immediate mode with nanosecond timestamps where the system has them. Its `PcapHandle` closes
/// it on deinit. Reading never blocks: `wait`, then `next()` until it has nothing ready.
public struct LiveCapture: ~Copyable {
    private let handle: PcapHandle
    public let interface: String
    /// The interface's link type, as the decoder knows it.
    public let linkType: LinkType
    private let subsecondScale: Int64
    private let selectable: Int32

    /// Opens and activates `options.interface` and sets its filter.
    /// - Throws: `CaptureError.interface` saying what went wrong and how to fix it (permission,
    ///   no such interface, interface down), or `.badFilter`.
    public init(_ options: LiveCaptureOptions) throws(CaptureError) {
        let name = options.interface
        let handle = try PcapHandle(creating: name)
        let pcap = handle.pointer
        pcap_set_snaplen(pcap, options.snaplen)
        pcap_set_promisc(pcap, options.promiscuous ? 1 : 0)
        pcap_set_immediate_mode(pcap, 1)
        pcap_set_buffer_size(pcap, options.bufferSize)
        let wantsNano = pcap_set_tstamp_precision(pcap, PCAP_TSTAMP_PRECISION_NANO) == 0
        let status = PcapStatus(rawValue: pcap_activate(pcap))
        if status.isError {
            throw .interface(name: name, reason: LiveCapture.explain(status, detail: handle.lastError, interface: name))
        }
        if let expression = options.filter {
            let program = try handle.compile(expression)
            guard pcap_setfilter(pcap, program.code) == 0 else {
                throw .interface(name: name, reason: "cannot set the filter: " + handle.lastError)
            }
        }
        var errbuf = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE))
        guard pcap_setnonblock(pcap, 1, &errbuf) == 0 else {
            throw .interface(name: name, reason: String(cString: errbuf))
        }
        let nanosecondTimestamps = wantsNano && pcap_get_tstamp_precision(pcap) == PCAP_TSTAMP_PRECISION_NANO
        subsecondScale = nanosecondTimestamps ? 1 : 1000
        selectable = pcap_get_selectable_fd(pcap)
        linkType = LinkType(dlt: pcap_datalink(pcap))
        interface = name
        self.handle = handle
    }

    /// What went wrong on activation, and how to fix it.
    static func explain(_ status: PcapStatus, detail: String, interface: String) -> String {
        switch status {
        case .noSuchDevice:
            "no such interface (see 'portscope interfaces')"
        case .permissionDenied, .promiscuousPermissionDenied:
            "no permission to capture; run as root, or grant the capabilities once with "
                + "'sudo setcap cap_net_raw,cap_net_admin=eip \(executablePath())'"
        case .interfaceNotUp:
            "interface is down; bring it up first (ip link set \(interface) up)"
        default:
            detail.isEmpty ? status.description : detail
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

    /// The next packet ready now, without blocking; nil when none is. Its bytes are valid until
    /// the next call.
    public func next() throws(CaptureError) -> PacketRecord? {
        var header: UnsafeMutablePointer<pcap_pkthdr>?
        var data: UnsafePointer<UInt8>?
        let status = PcapStatus(rawValue: pcap_next_ex(handle.pointer, &header, &data))
        if status == .ok || status == .breakLoop { return nil }
        guard status == .packet, let header, let data else {
            throw .interface(name: interface, reason: "capture failed: " + handle.lastError)
        }
        let h = header.pointee
        let time = Int64(h.ts.tv_sec) * 1_000_000_000 + Int64(h.ts.tv_usec) * subsecondScale
        return PacketRecord(bytes: UnsafeRawBufferPointer(start: data, count: Int(h.caplen)),
                            originalLength: h.len, timestamp: time, linkType: linkType, interface: 0)
    }

    /// libpcap's counters so far (`pcap_stats`).
    /// - Throws: `CaptureError.interface` when libpcap cannot give them: counters it does not
    ///   have are never shown as zero drops.
    public func statistics() throws(CaptureError) -> LiveCaptureStatistics {
        var stats = pcap_stat()
        guard pcap_stats(handle.pointer, &stats) == 0 else {
            throw .interface(name: interface, reason: "cannot read libpcap's counters: " + handle.lastError)
        }
        return LiveCaptureStatistics(received: UInt64(stats.ps_recv), droppedByKernel: UInt64(stats.ps_drop),
                                     droppedByInterface: UInt64(stats.ps_ifdrop))
    }
}
