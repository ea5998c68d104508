/// A compression a capture file may be kept in, known by its magic bytes (never its name).
public struct CompressionFormat: RawRepresentable, Hashable, Sendable {
    /// The name stored and shown: `gzip`, `zstd`, `xz`, `bzip2`, `lz4`.
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    /// RFC 1952.
    public static let gzip = CompressionFormat(rawValue: "gzip")
    /// RFC 8878.
    public static let zstd = CompressionFormat(rawValue: "zstd")
    /// The .xz container (tukaani.org/xz/xz-file-format.txt).
    public static let xz = CompressionFormat(rawValue: "xz")
    public static let bzip2 = CompressionFormat(rawValue: "bzip2")
    /// LZ4's frame format (lz4_Frame_format.md), as the `lz4` tool writes.
    public static let lz4 = CompressionFormat(rawValue: "lz4")

    /// The longest magic number: bytes to look at before deciding.
    static let magicLength = 6

    /// The compression whose magic number `start` begins with; nil for anything else (a
    /// capture, or not one). `start` may be shorter than `magicLength`.
    static func recognise(_ start: UnsafeRawBufferPointer) -> CompressionFormat? {
        func begins(_ magic: [UInt8]) -> Bool { start.count >= magic.count && zip(start, magic).allSatisfy { $0 == $1 } }
        if begins([0x1F, 0x8B, 0x08]) { return .gzip }  // and deflate, the only method
        if begins([0x28, 0xB5, 0x2F, 0xFD]) { return .zstd }
        if begins([0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]) { return .xz }
        // "BZh" and a block size digit 1–9.
        if begins([0x42, 0x5A, 0x68]), start.count > 3, (0x31...0x39).contains(start[3]) { return .bzip2 }
        if begins([0x04, 0x22, 0x4D, 0x18]) { return .lz4 }
        return nil
    }

    /// A decoder for this compression.
    func decoder() throws(DecompressionError) -> any DecompressionStream & ~Copyable {
        switch self {
        case .gzip: try GzipStream()
        case .zstd: try ZstdStream()
        case .xz: try XZStream()
        case .bzip2: try Bzip2Stream()
        default: try LZ4Stream()
        }
    }
}
