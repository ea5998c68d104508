/// Zeek's `history` of a connection: letters in the order their events were first seen, upper
/// case for the originator, lower case for the responder. In fixed storage (at most `capacity`
/// letters; later ones are dropped), so recording allocates nothing.
///
/// Recorded: `s` a SYN without ACK, `h` a SYN-ACK, `a` a pure ACK, `d` a packet with payload, `f`
/// a FIN, `r` a RST, `i` an inconsistent packet (FIN and RST), `q` a multi-flag packet (SYN with
/// FIN or RST). `a`, `d`, `i` and `q` appear at most once per direction; `s`, `h`, `f` and `r`
/// again when their sequence number differs from the last one of that letter that way (a
/// retransmission is not a new event). Not recorded: `c` (checksums are not checked), `g` and `t`
/// (no reassembly), `w` (the window is not read), `x`.
public struct ConnectionHistory: Sendable {
    /// The events, one byte each (the letter's `Letter` index, plus `responderBit`), packed
    /// into the low bytes first.
    private var events: (UInt64, UInt64, UInt64) = (0, 0, 0)
    public private(set) var count: UInt8 = 0
    /// Letters seen per direction (bit per `Letter`), for the once-only ones.
    private var seenOriginator: UInt16 = 0
    private var seenResponder: UInt16 = 0
    /// The low 16 bits of the sequence number of the last `s`, `h`, `f`, `r` each way.
    private var lastSequence: (UInt16, UInt16, UInt16, UInt16, UInt16, UInt16, UInt16, UInt16) = (0, 0, 0, 0, 0, 0, 0, 0)

    public static let capacity = 24
    private static let responderBit: UInt8 = 0x80

    /// The letters, in Zeek's order of meaning.
    public enum Letter: UInt8, CaseIterable, Sendable {
        case syn, synAck, ack, data, fin, reset, inconsistent, multiFlag

        var character: UInt8 {
            switch self {
            case .syn: UInt8(ascii: "S")
            case .synAck: UInt8(ascii: "H")
            case .ack: UInt8(ascii: "A")
            case .data: UInt8(ascii: "D")
            case .fin: UInt8(ascii: "F")
            case .reset: UInt8(ascii: "R")
            case .inconsistent: UInt8(ascii: "I")
            case .multiFlag: UInt8(ascii: "Q")
            }
        }

        /// The letters whose repeats count when their sequence number moves.
        var sequenceSlot: Int? {
            switch self {
            case .syn: 0
            case .synAck: 1
            case .fin: 2
            case .reset: 3
            default: nil
            }
        }
    }

    public init() {}

    /// Records `letter` from the originator or the responder; `sequence` is the packet's TCP
    /// sequence number (0 for UDP).
    public mutating func record(_ letter: Letter, byOriginator: Bool, sequence: UInt32) {
        let bit: UInt16 = 1 << letter.rawValue
        let seen = byOriginator ? seenOriginator : seenResponder
        if let slot = letter.sequenceSlot {
            let index = slot * 2 + (byOriginator ? 0 : 1)
            let low = UInt16(truncatingIfNeeded: sequence)
            if seen & bit != 0 && sequenceAt(index) == low { return }
            setSequence(index, low)
        } else if seen & bit != 0 {
            return
        }
        if byOriginator { seenOriginator |= bit } else { seenResponder |= bit }
        guard Int(count) < Self.capacity else { return }
        let byte = UInt64(letter.rawValue | (byOriginator ? 0 : Self.responderBit))
        let shift = UInt64(count % 8) * 8
        switch count / 8 {
        case 0: events.0 |= byte << shift
        case 1: events.1 |= byte << shift
        default: events.2 |= byte << shift
        }
        count += 1
    }

    private func sequenceAt(_ index: Int) -> UInt16 {
        withUnsafeBytes(of: lastSequence) { $0.load(fromByteOffset: index * 2, as: UInt16.self) }
    }

    private mutating func setSequence(_ index: Int, _ value: UInt16) {
        withUnsafeMutableBytes(of: &lastSequence) { $0.storeBytes(of: value, toByteOffset: index * 2, as: UInt16.self) }
    }

    /// The event at `index`: its letter and whether the originator sent it.
    public func event(_ index: Int) -> (letter: Letter, byOriginator: Bool) {
        let word = index < 8 ? events.0 : index < 16 ? events.1 : events.2
        let byte = UInt8(truncatingIfNeeded: word >> (UInt64(index % 8) * 8))
        return (Letter(rawValue: byte & 0x7F)!, byte & Self.responderBit == 0)
    }

    /// Whether the originator (or the responder) sent `letter`.
    public func contains(_ letter: Letter, byOriginator: Bool) -> Bool {
        (byOriginator ? seenOriginator : seenResponder) & (1 << letter.rawValue) != 0
    }

    /// Zeek's text: `^` first when the direction was flipped, then the letters.
    public func text(flipped: Bool) -> String {
        var text = flipped ? "^" : ""
        for i in 0..<Int(count) {
            let (letter, byOriginator) = event(i)
            text.unicodeScalars.append(Unicode.Scalar(byOriginator ? letter.character : letter.character | 0x20))
        }
        return text
    }
}
