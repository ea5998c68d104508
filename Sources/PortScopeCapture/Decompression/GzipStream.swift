import CZlib

/// gzip (RFC 1952) through zlib's inflate; members one after another, as `gzip -d` reads them.
struct GzipStream: ~Copyable, DecompressionStream {
    private var stream: UnsafeMutablePointer<z_stream>
    private var ended = false

    init() throws(DecompressionError) {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        // 15 window bits + 16: a gzip wrapper (inflateInit2 is a macro; this is what it calls).
        guard inflateInit2_(stream, 15 + 16, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            stream.deallocate()
            throw DecompressionError(reason: "zlib could not start")
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deallocate()
    }

    mutating func decode(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer,
                         inputEnds: Bool) throws(DecompressionError) -> DecompressionStep {
        if ended && input.isEmpty { return DecompressionStep(consumed: 0, produced: 0, streamEnded: true) }
        if ended {
            guard inflateReset(stream) == Z_OK else { throw DecompressionError(reason: "zlib could not restart") }
            ended = false
        }
        stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: UInt8.self))
        stream.pointee.avail_in = UInt32(input.count)
        stream.pointee.next_out = output.baseAddress?.assumingMemoryBound(to: UInt8.self)
        stream.pointee.avail_out = UInt32(output.count)
        let status = inflate(stream, Z_NO_FLUSH)
        let step = DecompressionStep(consumed: input.count - Int(stream.pointee.avail_in),
                                     produced: output.count - Int(stream.pointee.avail_out), streamEnded: status == Z_STREAM_END)
        switch status {
        case Z_STREAM_END: ended = true
        case Z_OK, Z_BUF_ERROR: break  // Z_BUF_ERROR: no progress possible until more input
        default:
            let message = stream.pointee.msg.map { String(cString: $0) } ?? "status \(status)"
            throw DecompressionError(reason: "gzip: \(message)")
        }
        return step
    }
}
