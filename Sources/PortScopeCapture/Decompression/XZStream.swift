import CLzma

/// xz through liblzma, concatenated streams included (as `xz -d` reads them).
struct XZStream: ~Copyable, DecompressionStream {
    private var stream: UnsafeMutablePointer<lzma_stream>

    init() throws(DecompressionError) {
        stream = .allocate(capacity: 1)
        stream.initialize(to: lzma_stream())  // LZMA_STREAM_INIT: all zero
        // 0x08: LZMA_CONCATENATED (a macro Swift does not import): read streams one after another.
        guard lzma_stream_decoder(stream, UInt64.max, 0x08) == LZMA_OK else {
            stream.deallocate()
            throw DecompressionError(reason: "liblzma could not start")
        }
    }

    deinit {
        lzma_end(stream)
        stream.deallocate()
    }

    mutating func decode(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer,
                         inputEnds: Bool) throws(DecompressionError) -> DecompressionStep {
        stream.pointee.next_in = input.baseAddress?.assumingMemoryBound(to: UInt8.self)
        stream.pointee.avail_in = input.count
        stream.pointee.next_out = output.baseAddress?.assumingMemoryBound(to: UInt8.self)
        stream.pointee.avail_out = output.count
        // With concatenated streams, only LZMA_FINISH at the input's end reports the end.
        let status = lzma_code(stream, inputEnds ? LZMA_FINISH : LZMA_RUN)
        let step = DecompressionStep(consumed: input.count - stream.pointee.avail_in,
                                     produced: output.count - stream.pointee.avail_out, streamEnded: status == LZMA_STREAM_END)
        switch status {
        case LZMA_OK, LZMA_STREAM_END, LZMA_BUF_ERROR: return step
        case LZMA_DATA_ERROR: throw DecompressionError(reason: "xz: compressed data is corrupt")
        case LZMA_FORMAT_ERROR: throw DecompressionError(reason: "xz: not an xz stream")
        case LZMA_MEM_ERROR, LZMA_MEMLIMIT_ERROR: throw DecompressionError(reason: "xz: out of memory")
        default: throw DecompressionError(reason: "xz: status \(status.rawValue)")
        }
    }
}
