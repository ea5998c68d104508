import PortScopeDecode
import Testing

/// Decodes `bytes` as link type `linkType`.
func decode(_ bytes: [UInt8], _ linkType: LinkType = .ethernet) -> DecodedPacket {
    bytes.withUnsafeBytes { PacketDecoder.decode($0, linkType: linkType) }
}

/// Hex with spaces and line breaks allowed, as tcpdump -X prints it; text after `|` on a
/// line is a comment.
func hex(_ text: String) -> [UInt8] {
    let digits = text.split(separator: "\n").map { $0.split(separator: "|", maxSplits: 1).first ?? "" }
        .joined().filter(\.isHexDigit)
    var bytes: [UInt8] = []
    var index = digits.startIndex
    while index < digits.endIndex {
        let next = digits.index(index, offsetBy: 2)
        bytes.append(UInt8(digits[index..<next], radix: 16)!)
        index = next
    }
    return bytes
}

// Ethernet + IPv4 + TCP SYN, 192.168.1.10:51000 → 192.168.1.80:80 (samples/http.pcap, frame 1).
let tcpSYN = hex("""
    0200 0000 0002 0200 0000 0001 0800                  | eth: dst, src, type IPv4
    4500 0028 0001 4000 4006 b744 c0a8 010a c0a8 0150   | ipv4: ihl 5, len 40, DF, ttl 64, tcp
    c738 0050 0000 03e8 0000 0000 5002 ffff 0000 0000   | tcp: 51000→80 seq 1000, doff 5, SYN
    """)

struct DecoderTests {
    @Test func ethernetIPv4TCP() {
        let p = decode(tcpSYN)
        #expect(p.issue == nil)
        #expect(p.ipVersion == 4)
        #expect(p.source.description == "192.168.1.10" && p.destination.description == "192.168.1.80")
        #expect(p.ipProtocol == .tcp && p.hasPorts && p.sourcePort == 51000 && p.destinationPort == 80)
        #expect(p.hasTCPFlags && p.tcpFlags.isPureSYN && p.tcpSequence == 1000)
        #expect(p.payloadOffset == 54 && p.payloadLength == 0)
    }

    /// Every cut of the SYN stops at the right layer with the right reason, never traps.
    @Test(arguments: 0...tcpSYN.count)
    func truncationSweep(length: Int) {
        let p = decode(Array(tcpSYN.prefix(length)))
        switch length {
        case 0..<14: #expect(p.issue == DecodeIssue(.truncated, .link))
        case 14..<34: #expect(p.issue == DecodeIssue(.truncated, .ipv4) && p.ipVersion == (length >= 34 ? 4 : 0))
        case 34..<38: #expect(p.issue == DecodeIssue(.truncated, .tcp) && !p.hasPorts && p.ipVersion == 4)
        case 38..<54: #expect(p.issue == DecodeIssue(.truncated, .tcp) && p.hasPorts && p.hasTCPFlags == (length >= 48))
        default: #expect(p.issue == nil && p.hasPorts && p.hasTCPFlags)
        }
    }

    @Test func stackedVLANTagsAndUDP() {
        // eth type 802.1ad, tag 100 → 802.1Q tag 10 → IPv4 UDP 10.0.0.1:5353 → 10.0.0.2:53
        let bytes = hex("""
            0200 0000 0002 0200 0000 0001 88a8  0064 8100  000a 0800
            4500 001c 0000 0000 4011 0000 0a00 0001 0a00 0002
            14e9 0035 0008 0000
            """)
        let p = decode(bytes)
        #expect(p.issue == nil && p.ipProtocol == .udp && p.sourcePort == 5353 && p.destinationPort == 53)
    }

    @Test func ipv6ExtensionHeadersAndAtomicFragment() {
        // IPv6 (next hop-by-hop) → HBH 8 bytes (next fragment) → atomic fragment (next UDP) → UDP 1234→53
        let bytes = hex("""
            6000 0000 0018 0040  2001 0db8 0000 0000 0000 0000 0000 0001  2001 0db8 0000 0000 0000 0000 0000 0002
            2c00 0100 0000 0000   1100 0000 0000 0007   04d2 0035 0008 0000
            """)
        let p = decode(bytes, .raw)
        #expect(p.issue == nil && p.ipVersion == 6 && p.ipProtocol == .udp && p.destinationPort == 53)
        #expect(!p.fragment.isFragment, "an atomic fragment is a whole packet")
        #expect(p.source.description == "2001:db8::1")
    }

    @Test func ipv4NonFirstFragmentHasNoPorts() {
        // IPv4 UDP, fragment offset 185 (1480 bytes), MF clear, id 0x1234
        let bytes = hex("4500 0020 1234 00b9 4011 0000 0a00 0001 0a00 0002  0102 0304 0506 0708 0910 1112")
        let p = decode(bytes, .ipv4)
        #expect(p.issue == nil && !p.hasPorts)
        #expect(p.fragment.isNonFirst && p.fragment.offset == 1480 && p.fragment.identification == 0x1234)
    }

    @Test func ipv4FirstFragmentIsNotMalformed() {
        // IPv4 UDP, MF set, offset 0, total length 36: 8 bytes of a 3000-byte datagram after the
        // UDP header, whose length covers the whole datagram (it exceeds this fragment: normal).
        let bytes = hex("4500 0024 1234 2000 4011 0000 0a00 0001 0a00 0002  04d2 0035 0bb8 0000  0102 0304 0506 0708")
        let p = decode(bytes, .ipv4)
        #expect(p.issue == nil && p.hasPorts && p.sourcePort == 1234 && p.destinationPort == 53)
        // The fragment carries the datagram's first 8 payload bytes of 2992: a payload cut short.
        #expect(p.fragment.moreFragments && p.payloadLength == 8 && p.payloadWireLength == 3000 - 8)
        // Unfragmented, the same length is a lie.
        var whole = bytes
        whole[6] = 0
        #expect(decode(whole, .ipv4).issue == DecodeIssue(.malformed, .udp))
    }

    @Test func greTunnelIsLookedThrough() {
        // outer IPv4 proto 47 → GRE (no flags, type IPv4) → inner IPv4 TCP 1.1.1.1:40000 → 2.2.2.2:22
        let bytes = hex("""
            4500 0048 0000 0000 402f 0000 c000 0201 c000 0202
            0000 0800
            4500 0034 0000 0000 4006 0000 0101 0101 0202 0202
            9c40 0016 0000 0001 0000 0000 5002 ffff 0000 0000
            """)
        let p = decode(bytes, .ipv4)
        #expect(p.issue == nil && p.tunnelDepth == 1 && p.source.description == "1.1.1.1" && p.destinationPort == 22)
    }

    @Test func icmpErrorQuoteDoesNotCount() {
        // ICMP destination unreachable (3/3) quoting IPv4 UDP 10.0.0.2:5000 → 10.0.0.1:53
        let bytes = hex("""
            4500 0038 0000 0000 4001 0000 0a00 0001 0a00 0002
            0303 0000 0000 0000
            4500 001c 0000 0000 4011 0000 0a00 0002 0a00 0001 1388 0035 0008 0000
            """)
        let p = decode(bytes, .ipv4)
        #expect(p.ipProtocol == .icmp && p.icmpType == 3 && p.icmpCode == 3 && !p.hasPorts)
        // The quote names the refused flow, apart from the packet's own fields.
        #expect(p.quoted == QuotedPacket(source: IPAddress("10.0.0.2")!, destination: IPAddress("10.0.0.1")!, proto: .udp,
                                         sourcePort: 5000, destinationPort: 53))
        // Cut anywhere before the quoted ports end, there is no quote, and no trap.
        for cut in 0..<(bytes.count - 4) {
            let q = decode(Array(bytes.prefix(cut)), .ipv4)
            #expect(q.quoted == nil, "cut at \(cut)")
        }
        // Other ICMP messages quote nothing PortScope reads (an echo request's data is no header).
        var echo = bytes
        echo[20] = 8
        #expect(decode(echo, .ipv4).quoted == nil)
    }

    @Test func linuxCookedV2AndBSDNull() {
        // SLL2: protocol IPv4, reserved, ifindex 1, ARPHRD_ETHER, outgoing, addr len 6, address
        let sll2 = hex("0800 0000 0000 0001 0001 04 06 0200 0000 0001 0000") + Array(tcpSYN[14...])
        #expect(decode(sll2, .linuxSLL2).destinationPort == 80)
        // NULL: AF_INET (2) in little-endian host order
        let null = hex("0200 0000") + Array(tcpSYN[14...])
        #expect(decode(null, .null).destinationPort == 80)
        // LOOP: AF_INET6 (24, OpenBSD) in network order, then IPv6 TCP
        let loop = hex("0000 0018  6000 0000 0014 0640") + [UInt8](repeating: 0, count: 15) + [1] + [UInt8](repeating: 0, count: 15) + [2]
            + hex("c738 0050 0000 03e8 0000 0000 5002 ffff 0000 0000")
        #expect(decode(loop, .loop).destination.description == "::2")
    }

    @Test func mplsAndPPPoE() {
        // eth → MPLS label 16 (bottom of stack) → IPv4 TCP SYN
        let mpls = Array(tcpSYN[0..<12]) + hex("8847 0001 01ff") + Array(tcpSYN[14...])
        #expect(decode(mpls).destinationPort == 80)
        // eth → PPPoE session (ver/type 0x11, code 0, session 1, length 42) → PPP IPv4 → TCP SYN
        let pppoe = Array(tcpSYN[0..<12]) + hex("8864 1100 0001 002a 0021") + Array(tcpSYN[14...])
        #expect(decode(pppoe).destinationPort == 80)
    }

    @Test func unsupportedAndMalformed() {
        // ARP ethertype
        #expect(decode(Array(tcpSYN[0..<12]) + hex("0806") + [UInt8](repeating: 0, count: 28)).issue == DecodeIssue(.unsupported, .etherType))
        // unknown link type
        #expect(decode(tcpSYN, LinkType(rawValue: 9999)).issue == DecodeIssue(.unsupported, .linkType))
        // IPv4 header length 4 words (< 5)
        var bad = tcpSYN
        bad[14] = 0x44
        #expect(decode(bad).issue == DecodeIssue(.malformed, .ipv4))
        // TCP data offset 4 (< 5): ports kept, header malformed
        var offset = tcpSYN
        offset[46] = 0x40
        let p = decode(offset)
        #expect(p.issue == DecodeIssue(.malformed, .tcp) && p.hasPorts)
        // IP total length cuts the TCP header after the ports: malformed, not truncated
        var short = tcpSYN
        short[17] = 24
        let q = decode(short)
        #expect(q.issue == DecodeIssue(.malformed, .tcp) && q.hasPorts && !q.hasTCPFlags)
    }
}

struct IPAddressTests {
    @Test(arguments: [
        ("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
        ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),
        ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),
        ("::", "::"),
        ("::1", "::1"),
        ("fe80::", "fe80::"),
        ("2001:DB8::AB", "2001:db8::ab"),
        ("192.0.2.1", "192.0.2.1"),
        ("0.0.0.0", "0.0.0.0"),
        ("255.255.255.255", "255.255.255.255"),
        ("1:0:0:2:0:0:0:3", "1:0:0:2::3"),
        ("0:0:1:0:0:0:0:0", "0:0:1::"),
        ("1:0:1:0:1:0:1:0", "1:0:1:0:1:0:1:0"),
        ("FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
    ])
    func rfc5952(input: String, expected: String) throws {
        #expect(try #require(IPAddress(input)).description == expected)
    }

    @Test(arguments: ["", "1.2.3", "1.2.3.256", "1::2::3", "12345::", "g::1", "1:2:3:4:5:6:7:8:9"])
    func rejects(_ text: String) {
        #expect(IPAddress(text) == nil)
    }
}

/// Every proper prefix of each fixture stops with `truncated` at some layer and never traps;
/// the whole packet decodes without an issue.
struct TruncationSweepTests {
    static let fixtures: [(String, [UInt8], LinkType)] = [
        ("IPv6 extension headers + UDP", hex("""
            6000 0000 0018 0040  2001 0db8 0000 0000 0000 0000 0000 0001  2001 0db8 0000 0000 0000 0000 0000 0002
            2c00 0100 0000 0000   1100 0000 0000 0007   04d2 0035 0008 0000
            """), .raw),
        ("QinQ + UDP", hex("0200 0000 0002 0200 0000 0001 88a8 0064 8100 000a 0800 4500 001c 0000 0000 4011 0000 0a00 0001 0a00 0002 14e9 0035 0008 0000"), .ethernet),
        ("GRE + inner TCP", hex("""
            4500 0048 0000 0000 402f 0000 c000 0201 c000 0202  0000 0800
            4500 0034 0000 0000 4006 0000 0101 0101 0202 0202  9c40 0016 0000 0001 0000 0000 5002 ffff 0000 0000
            """), .ipv4),
        ("PPPoE + TCP", Array(tcpSYN[0..<12]) + hex("8864 1100 0001 002a 0021") + Array(tcpSYN[14...]), .ethernet),
        ("SLL2 + TCP", hex("0800 0000 0000 0001 0001 04 06 0200 0000 0001 0000") + Array(tcpSYN[14...]), .linuxSLL2),
    ]

    @Test(arguments: fixtures.map(\.0))
    func sweep(_ name: String) throws {
        let (_, bytes, linkType) = try #require(Self.fixtures.first { $0.0 == name })
        #expect(decode(bytes, linkType).issue == nil)
        for length in 0..<bytes.count {
            let p = decode(Array(bytes.prefix(length)), linkType)
            #expect(p.issue?.error == .truncated, "\(name) cut at \(length): \(String(describing: p.issue))")
        }
    }
}
