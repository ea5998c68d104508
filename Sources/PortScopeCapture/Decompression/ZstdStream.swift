import CZstd

/// Zstandard (RFC 8878) through libzstd's streaming decoder, which reads frame after frame.
struct ZstdStream: ~Copyable, DecompressionStream {
    private let context: OpaquePointer

    init() throws(DecompressionError) {
        guard let context = ZSTD_createDCtx() else { throw DecompressionError(reason: "libzstd could not start") }
        self.context = context
    }

    deinit { ZSTD_freeDCtx(context) }

    mutating func decode(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer,
                         inputEnds: Bool) throws(DecompressionError) -> DecompressionStep {
        var source = ZSTD_inBuffer(src: input.baseAddress, size: input.count, pos: 0)
        var destination = ZSTD_outBuffer(dst: output.baseAddress, size: output.count, pos: 0)
        let hint = ZSTD_decompressStream(context, &destination, &source)
        if ZSTD_isError(hint) != 0 { throw DecompressionError(reason: "zstd: " + String(cString: ZSTD_getErrorName(hint))) }
        // 0: a frame ended and everything it holds was written.
        return DecompressionStep(consumed: source.pos, produced: destination.pos, streamEnded: hint == 0)
    }
}
