import PortScopeDecode
import PortScopeFlows
import Testing

/// `conn_state`, `history` and the engagement (established, probe) of TCP and UDP flows, case
/// by case against Zeek's definitions (base/protocols/conn/main.zeek and its TCP analyzer's
/// endpoint states; the RST cases are those of Zeek's own conn_state-RST-behavior test).
struct ConnectionStateTests {
    struct Case: CustomTestStringConvertible, Sendable {
        /// Packets, space-separated: an upper-case letter from the first sender (10.0.0.1:40000 →
        /// 10.0.0.2:80), lower-case from the other end. `S` SYN, `H` SYN-ACK, `A` ACK, `D` ACK with
        /// 100 payload bytes, `F` FIN-ACK, `R` RST, `K` RST-ACK, `U` a UDP datagram of 40 bytes;
        /// a digit after a letter repeats it with the same sequence number.
        var packets: String
        var state: ConnState
        var history: String
        var engagement: Engagement
        var testDescription: String { "\(packets) → \(state.rawValue) \(history)" }
    }

    static let cases: [Case] = [
        Case(packets: "S", state: .s0, history: "S", engagement: .probe),
        Case(packets: "S4", state: .s0, history: "S", engagement: .attempt),  // retransmitted SYNs
        Case(packets: "S h A", state: .s1, history: "ShA", engagement: .established),
        Case(packets: "S h5", state: .s1, history: "Sh", engagement: .openProbe),  // retransmitted SYN-ACKs
        Case(packets: "S h A D d F f A", state: .sf, history: "ShADdFf", engagement: .established),
        Case(packets: "S k", state: .rej, history: "Sr", engagement: .probe),  // a closed port
        Case(packets: "S h A D d F", state: .s2, history: "ShADdF", engagement: .established),
        Case(packets: "S h A D d f", state: .s3, history: "ShADdf", engagement: .established),
        Case(packets: "S h A D R", state: .rsto, history: "ShADR", engagement: .established),
        Case(packets: "S h R", state: .rsto, history: "ShR", engagement: .openProbe),  // a half-open SYN scan's open port
        Case(packets: "S h A D r", state: .rstr, history: "ShADr", engagement: .established),
        Case(packets: "S R", state: .rstos0, history: "SR", engagement: .probe),
        Case(packets: "S a R", state: .rstos0, history: "SaR", engagement: .probe),
        Case(packets: "S a F R", state: .oth, history: "SaFR", engagement: .probe),  // the ACK of a SYN is no answer
        Case(packets: "R", state: .oth, history: "R", engagement: .probe),
        Case(packets: "H R", state: .rstrh, history: "^hr", engagement: .probe),  // a SYN-ACK first: the other end originated
        Case(packets: "S F", state: .sh, history: "SF", engagement: .probe),
        Case(packets: "H F", state: .shr, history: "^hf", engagement: .probe),
        Case(packets: "D d D d", state: .oth, history: "Dd", engagement: .established),  // picked up in its middle
        Case(packets: "U u", state: .sf, history: "Dd", engagement: .established),
        Case(packets: "U", state: .s0, history: "D", engagement: .probe),
        Case(packets: "U4", state: .s0, history: "D", engagement: .established),  // a one-way stream has a listener
    ]

    static func flow(_ packets: String) -> FlowRecord {
        var tracker = FlowTracker()
        var time: Int64 = 0
        for token in packets.split(separator: " ") {
            let letter = token.first!, repeats = Int(token.dropFirst()) ?? 1
            let fromFirst = letter.isUppercase
            let (from, to) = fromFirst ? ("10.0.0.1 40000", "10.0.0.2 80") : ("10.0.0.2 80", "10.0.0.1 40000")
            let flags: TCPFlags? = switch letter.uppercased() {
            case "S": .syn
            case "H": [.syn, .ack]
            case "A", "D": .ack
            case "F": [.fin, .ack]
            case "R": .rst
            case "K": [.rst, .ack]
            default: nil
            }
            var p = packet(flags == nil ? .udp : .tcp, from, to, flags: flags, seq: fromFirst ? 1000 : 5000)
            p.payloadWireLength = letter.uppercased() == "D" ? 100 : letter.uppercased() == "U" ? 40 : 0
            for _ in 0..<repeats {
                tracker.add(p, bytes: noBytes, wireLength: 60, time: time)
                time += 1_000_000
            }
        }
        return tracker.table.withFlows { $0[0] }
    }

    @Test(arguments: cases)
    func zeekState(_ c: Case) {
        let flow = Self.flow(c.packets)
        #expect(flow.connState == c.state)
        #expect(flow.connection.history.text(flipped: flow.connection.flipped) == c.history)
        #expect(flow.engagement == c.engagement)
    }

    /// Every Zeek state has a case.
    @Test func everyStateIsCovered() {
        #expect(Set(Self.cases.map(\.state)) == Set(ConnState.allCases))
    }

    /// Letters repeat only when their sequence number moves, and the history has a bound.
    @Test func historyRepeatsAndBound() {
        var history = ConnectionHistory()
        for sequence: UInt32 in [1, 1, 2, 2, 3] { history.record(.syn, byOriginator: true, sequence: sequence) }
        history.record(.ack, byOriginator: true, sequence: 9)
        history.record(.ack, byOriginator: true, sequence: 10)
        #expect(history.text(flipped: false) == "SSSA")
        for sequence in 0..<100 { history.record(.fin, byOriginator: false, sequence: UInt32(sequence)) }
        #expect(history.count == UInt8(ConnectionHistory.capacity))
    }
}
