/// Decodes a packet's headers in place: link layer, any stack of tags and labels, IP (with
/// IPv6 extension headers, IP-in-IP and GRE looked through), then the first TCP, UDP or SCTP
/// header, or ICMP. Allocates nothing and copies no packet bytes.
public enum PacketDecoder {
    /// Decodes `bytes`, the captured part of one packet of link type `linkType`.
    @inlinable
    public static func decode(_ bytes: UnsafeRawBufferPointer, linkType: LinkType) -> DecodedPacket {
        var walk = PacketWalk(bytes: bytes)
        walk.run(linkType)
        return walk.packet
    }
}

/// What comes next in the walk; each step reads one header and names the next.
@usableFromInline
enum NextHeader {
    case ethernet
    case etherType(EtherType)
    case pppProtocol
    case mpls
    case ipByVersion
    case ipv4
    case ipv6
    case ipProtocol(IPProtocol)
    case done
}

/// The cursor over one packet. `declaredEnd` is where the innermost IP header says the packet
/// ends; reads are bounded by it and by the captured length, and which of the two stops a read
/// decides between `malformed` and `truncated`.
@usableFromInline
struct PacketWalk {
    @usableFromInline let bytes: UnsafeRawBufferPointer
    @usableFromInline var offset = 0
    @usableFromInline var declaredEnd = Int.max
    @usableFromInline var layer = DecodeLayer.linkType
    @usableFromInline var ipHeaders = 0
    @usableFromInline var packet = DecodedPacket()

    /// A backstop only: every cycle of the walk consumes bytes, so it ends with the packet.
    /// Long IPv6 extension-header chains are legitimate and take one step per header.
    @usableFromInline static let maxSteps = 4096
    /// IP headers nested deeper than this are not followed.
    @usableFromInline static let maxIPHeaders = 8

    @inlinable init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    @inlinable var end: Int { min(declaredEnd, bytes.count) }

    /// Checks that `n` bytes from `offset + at` can be read. Always inlined: called out of line,
    /// the walk (and the packet it carries) was copied for each call.
    @inlinable @inline(__always)
    func need(_ n: Int, at: Int = 0) throws(DecodeError) {
        let last = offset + at + n
        guard last > end else { return }
        throw last > declaredEnd && declaredEnd <= bytes.count ? .malformed : .truncated
    }

    @inlinable
    mutating func run(_ linkType: LinkType) {
        do throws(DecodeError) {
            var next = try link(linkType)
            var steps = 0
            while true {
                steps += 1
                if steps > PacketWalk.maxSteps { throw DecodeError.malformed }
                switch next {
                case .done: return
                case .ethernet: next = try ethernet()
                case .etherType(let type): next = try etherType(type)
                case .pppProtocol: next = try pppProtocol()
                case .mpls: next = try mpls()
                case .ipByVersion: next = try ipByVersion()
                case .ipv4: next = try ipv4()
                case .ipv6: next = try ipv6()
                case .ipProtocol(let proto): next = try ipProtocol(proto)
                }
            }
        } catch {
            packet.issue = DecodeIssue(error, layer)
        }
    }
}
