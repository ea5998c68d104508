import CBzip2
import CLz4
import CLzma
import CZlib
import CZstd

/// Bytes compressed by the same libraries the reader decodes with, in each format's file form
/// (gzip member, zstd frame, xz stream, bzip2 stream, lz4 frame): how the tests and the
/// benchmark make compressed captures without the command-line tools.
public enum CompressedBytes {
    /// The formats, by the names `CompressionFormat` stores.
    public static let formats = ["gzip", "zstd", "xz", "bzip2", "lz4"]

    /// `bytes` compressed as `format` (one of `formats`).
    public static func compress(_ bytes: [UInt8], as format: String) -> [UInt8] {
        switch format {
        case "gzip": gzip(bytes)
        case "zstd": zstd(bytes)
        case "xz": xz(bytes)
        case "bzip2": bzip2(bytes)
        case "lz4": lz4(bytes)
        default: preconditionFailure("no compression \(format)")
        }
    }

    private static func gzip(_ bytes: [UInt8]) -> [UInt8] {
        var stream = z_stream()
        // 15 window bits + 16: a gzip wrapper; memory level 8, the default.
        precondition(deflateInit2_(&stream, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, zlibVersion(),
                                   Int32(MemoryLayout<z_stream>.size)) == Z_OK)
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(bytes.count))) + 64)
        var input = bytes
        let produced = input.withUnsafeMutableBufferPointer { source in
            output.withUnsafeMutableBufferPointer { destination in
                stream.next_in = source.baseAddress
                stream.avail_in = UInt32(source.count)
                stream.next_out = destination.baseAddress
                stream.avail_out = UInt32(destination.count)
                precondition(deflate(&stream, Z_FINISH) == Z_STREAM_END)
                return destination.count - Int(stream.avail_out)
            }
        }
        return Array(output.prefix(produced))
    }

    private static func zstd(_ bytes: [UInt8]) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: ZSTD_compressBound(bytes.count))
        let n = output.withUnsafeMutableBytes { out in bytes.withUnsafeBytes { ZSTD_compress(out.baseAddress, out.count, $0.baseAddress, $0.count, 3) } }
        precondition(ZSTD_isError(n) == 0)
        return Array(output.prefix(n))
    }

    private static func xz(_ bytes: [UInt8]) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: bytes.count + bytes.count / 2 + 1024)
        var position = 0
        let status = output.withUnsafeMutableBufferPointer { out in
            bytes.withUnsafeBufferPointer { lzma_easy_buffer_encode(6, LZMA_CHECK_CRC64, nil, $0.baseAddress, $0.count, out.baseAddress, &position, out.count) }
        }
        precondition(status == LZMA_OK)
        return Array(output.prefix(position))
    }

    private static func bzip2(_ bytes: [UInt8]) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: bytes.count + bytes.count / 100 + 600)
        var length = UInt32(output.count)
        var input = bytes
        let status = output.withUnsafeMutableBufferPointer { out in
            input.withUnsafeMutableBufferPointer { source in
                out.baseAddress!.withMemoryRebound(to: CChar.self, capacity: out.count) { destination in
                    source.baseAddress!.withMemoryRebound(to: CChar.self, capacity: max(source.count, 1)) {
                        BZ2_bzBuffToBuffCompress(destination, &length, $0, UInt32(source.count), 9, 0, 0)
                    }
                }
            }
        }
        precondition(status == BZ_OK)
        return Array(output.prefix(Int(length)))
    }

    private static func lz4(_ bytes: [UInt8]) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: LZ4F_compressFrameBound(bytes.count, nil))
        let n = output.withUnsafeMutableBytes { out in bytes.withUnsafeBytes { LZ4F_compressFrame(out.baseAddress, out.count, $0.baseAddress, $0.count, nil) } }
        precondition(LZ4F_isError(n) == 0)
        return Array(output.prefix(n))
    }
}
