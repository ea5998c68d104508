import PortScopeDecode

/// What a flow's payload said: `PayloadDetector` run over the first payload packets of each
/// direction (at most `packetsPerDirection` each). The server's own bytes have the last word:
/// a client can send anything to a port (a scanner's HTTP request to an SSH server), what the
/// server answers is what runs there. So a detection from the server's side wins over one from
/// the client's, and examining stops once the server's side gave a high-confidence one (or the
/// packets allowed ran out). Otherwise the surest detection wins. The server it implies, the
/// name and the ALPN list come with the winner.
public struct AppDetection: Sendable {
    public var proto: AppProtocol = .none
    public var confidence: DetectionConfidence = .none
    /// The server the payload implies (a request's receiver, a greeting's sender), if it did.
    public var server: FlowSide?
    /// The side whose payload was examined first.
    public var firstSpeaker: FlowSide?
    /// Whether a payload of at least `judgeableBytes` was examined whole: when nothing was
    /// recognised, the flow's protocol is `unknown` rather than not looked at.
    public var examinedWhole = false
    /// Whether such a payload was examined only as the capture cut it (a snapshot length): when
    /// nothing was recognised in those bytes, the flow's protocol is `cut`, never unknown.
    public var examinedCut = false
    /// Whether the winning detection came from the server's own bytes.
    public private(set) var fromServer = false
    /// TLS SNI or HTTP Host, and the TLS ALPN list, in the tracker's `FlowNames`.
    public var name: NameRef?
    public var alpn: NameRef?
    /// The flow's TLS client fingerprint (`JA4Fingerprinter`), from its whole ClientHello.
    public var ja4: NameRef?
    private var remainingA = AppDetection.packetsPerDirection
    private var remainingB = AppDetection.packetsPerDirection
    /// The side whose ClientHello goes on in its next segment (its bytes so far, and the
    /// sequence number that segment must have, are in the tracker's `ClientHelloAssembly`).
    private(set) var helloSender: FlowSide?

    /// Payload packets examined per direction at most.
    public static let packetsPerDirection: UInt8 = 4
    /// Fewer captured bytes than this say too little to call a payload unrecognised.
    public static let judgeableBytes = 8

    public init() {}

    /// Whether a payload packet from `side` is still to be examined.
    public func wants(_ side: FlowSide) -> Bool {
        !(confidence == .high && fromServer) && (side == .a ? remainingA : remainingB) > 0
    }

    /// Examines one payload from `side` (or a ClientHello joined from its segments);
    /// `knownServer` is the server when the handshake told; `cut` when the capture kept less of
    /// the payload than the packet carried. Returns the detection when it won (the caller keeps
    /// what it names where the flow lacks it).
    mutating func examine(_ payload: UnsafeRawBufferPointer, from side: FlowSide, knownServer: FlowSide?,
                          cut: Bool, context: PayloadContext) -> PayloadDetection? {
        // A joined hello's last segment may come after the packets allowed.
        if side == .a { remainingA -= min(remainingA, 1) } else { remainingB -= min(remainingB, 1) }
        if firstSpeaker == nil { firstSpeaker = side }
        if payload.count >= Self.judgeableBytes { if cut { examinedCut = true } else { examinedWhole = true } }
        let detected = PayloadDetector.detect(payload, context) ?? (proto == .socks ? PayloadDetector.socksMethodReply(payload) : nil)
        guard let found = detected else { return nil }
        return decide(found, from: side, knownServer: knownServer) ? found : nil
    }

    /// Waits for `side`'s next segment to carry on its ClientHello; nil: waits no more.
    mutating func awaitHello(from side: FlowSide?) {
        helloSender = side
    }

    /// Whether `found`, from `side`, wins over what the flow has; if so the flow takes it.
    private mutating func decide(_ found: PayloadDetection, from side: FlowSide, knownServer: FlowSide?) -> Bool {
        let implied = serverSide(found.role, sender: side)
        let byServer = found.confidence >= .medium && (knownServer ?? implied) == side
        let same = found.proto == proto
        let wins: Bool
        if same {
            wins = true  // the same protocol again: surer, or it brings what was missing
        } else if fromServer {
            wins = byServer && found.confidence > confidence
        } else {
            wins = byServer || found.confidence > confidence
        }
        guard wins else { return false }
        if !same {
            // Evidence of the beaten guess goes with it.
            server = nil
            name = nil
            alpn = nil
            ja4 = nil
            proto = found.proto
            confidence = found.confidence
            fromServer = byServer
        } else {
            confidence = max(confidence, found.confidence)
            fromServer = fromServer || byServer
        }
        if server == nil, found.confidence >= .medium { server = implied }
        return true
    }

    /// Keeps the name and ALPN list of `found` (from `payload`) in `names`, where missing.
    mutating func keepNames(of found: PayloadDetection, from payload: UnsafeRawBufferPointer, in names: inout FlowNames) {
        if name == nil, let range = found.name { name = names.append(payload, range, form: .text) }
        if alpn == nil, let range = found.alpn { alpn = names.append(payload, range, form: .alpnList) }
    }

    private func serverSide(_ role: PayloadRole, sender: FlowSide) -> FlowSide? {
        switch role {
        case .client: sender.other
        case .server: sender
        case .serverIfFirst: firstSpeaker
        case .clientIfFirst: firstSpeaker?.other
        case .unknown: nil
        }
    }

    /// The stored protocol name: the protocol; `unknown` when a whole payload was examined and
    /// nothing recognised; `cut` when only payloads the capture cut short were, and nothing was
    /// recognised in what was captured (a cut payload is not an unrecognised one); nil when there
    /// was none to examine.
    public var storedName: String? {
        proto != .none ? proto.name : examinedWhole ? "unknown" : examinedCut ? "cut" : nil
    }
}
