import CBzip2

/// bzip2 through libbz2; streams one after another (as `pbzip2` writes them) restart the decoder.
struct Bzip2Stream: ~Copyable, DecompressionStream {
    private var stream: UnsafeMutablePointer<bz_stream>
    private var ended = false

    init() throws(DecompressionError) {
        stream = .allocate(capacity: 1)
        stream.initialize(to: bz_stream())
        guard BZ2_bzDecompressInit(stream, 0, 0) == BZ_OK else {
            stream.deallocate()
            throw DecompressionError(reason: "libbz2 could not start")
        }
    }

    deinit {
        BZ2_bzDecompressEnd(stream)
        stream.deallocate()
    }

    mutating func decode(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer,
                         inputEnds: Bool) throws(DecompressionError) -> DecompressionStep {
        if ended && input.isEmpty { return DecompressionStep(consumed: 0, produced: 0, streamEnded: true) }
        if ended {
            BZ2_bzDecompressEnd(stream)
            stream.pointee = bz_stream()
            guard BZ2_bzDecompressInit(stream, 0, 0) == BZ_OK else { throw DecompressionError(reason: "libbz2 could not restart") }
            ended = false
        }
        stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: CChar.self))
        stream.pointee.avail_in = UInt32(input.count)
        stream.pointee.next_out = output.baseAddress?.assumingMemoryBound(to: CChar.self)
        stream.pointee.avail_out = UInt32(output.count)
        let status = BZ2_bzDecompress(stream)
        let step = DecompressionStep(consumed: input.count - Int(stream.pointee.avail_in),
                                     produced: output.count - Int(stream.pointee.avail_out), streamEnded: status == BZ_STREAM_END)
        switch status {
        case BZ_STREAM_END: ended = true
        case BZ_OK: break
        case BZ_DATA_ERROR, BZ_DATA_ERROR_MAGIC: throw DecompressionError(reason: "bzip2: compressed data is corrupt")
        default: throw DecompressionError(reason: "bzip2: status \(status)")
        }
        return step
    }
}
