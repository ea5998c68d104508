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
    private var remainingA = AppDetection.packetsPerDirection
    private var remainingB = AppDetection.packetsPerDirection
    /// A ClientHello going on in its sender's next segment: that segment's TCP sequence number,
    /// and where in it the remaining extensions lie.
    private var helloSender: FlowSide?
    private var helloSequence: UInt32 = 0
    private var helloStart: UInt16 = 0
    private var helloEnd: UInt16 = 0

    /// Payload packets examined per direction at most.
    public static let packetsPerDirection: UInt8 = 4
    /// Fewer captured bytes than this say too little to call a payload unrecognised.
    public static let judgeableBytes = 8

    public init() {}

    /// Whether a payload packet from `side` is still to be examined.
    public func wants(_ side: FlowSide) -> Bool {
        !(confidence == .high && fromServer) && (side == .a ? remainingA : remainingB) > 0
    }

    /// Examines one payload from `side`; `knownServer` is the server when the handshake told;
    /// `sequence` is the TCP sequence number when the whole segment was captured; `cut` when the
    /// capture kept less of the payload than the packet carried. Returns the
    /// detection when it brings a name or ALPN list the flow lacks, for the caller to store and
    /// `keep`.
    mutating func examine(_ payload: UnsafeRawBufferPointer, from side: FlowSide, knownServer: FlowSide?,
                          sequence: UInt32?, cut: Bool, context: PayloadContext) -> PayloadDetection? {
        if side == .a { remainingA -= 1 } else { remainingB -= 1 }
        if firstSpeaker == nil { firstSpeaker = side }
        if payload.count >= Self.judgeableBytes { if cut { examinedCut = true } else { examinedWhole = true } }
        let continuesHello = helloSender == side && sequence == helloSequence
        if helloSender == side { helloSender = nil }
        let detected = continuesHello
            ? PayloadDetector.continueClientHello(payload, extensions: Int(helloStart)..<Int(helloEnd))
            : PayloadDetector.detect(payload, context) ?? (proto == .socks ? PayloadDetector.socksMethodReply(payload) : nil)
        guard let found = detected else { return nil }
        if let pending = found.pendingExtensions, let sequence, pending.upperBound - payload.count <= Int(UInt16.max) {
            helloSender = side
            helloSequence = sequence &+ UInt32(truncatingIfNeeded: payload.count)
            helloStart = UInt16(pending.lowerBound - payload.count)
            helloEnd = UInt16(pending.upperBound - payload.count)
        }
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
        guard wins else { return nil }
        if !same {
            // Evidence of the beaten guess goes with it.
            server = nil
            name = nil
            alpn = nil
            proto = found.proto
            confidence = found.confidence
            fromServer = byServer
        } else {
            confidence = max(confidence, found.confidence)
            fromServer = fromServer || byServer
        }
        if server == nil, found.confidence >= .medium { server = implied }
        return (name == nil && found.name != nil) || (alpn == nil && found.alpn != nil) ? found : nil
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
