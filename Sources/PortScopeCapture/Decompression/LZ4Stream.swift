import CLz4

/// LZ4's frame format through liblz4; frames one after another decode as one.
struct LZ4Stream: ~Copyable, DecompressionStream {
    private let context: OpaquePointer

    init() throws(DecompressionError) {
        var context: OpaquePointer?
        // 100: LZ4F_VERSION, the API version this code is written against.
        guard LZ4F_isError(LZ4F_createDecompressionContext(&context, 100)) == 0, let context else {
            throw DecompressionError(reason: "liblz4 could not start")
        }
        self.context = context
    }

    deinit { LZ4F_freeDecompressionContext(context) }

    mutating func decode(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer,
                         inputEnds: Bool) throws(DecompressionError) -> DecompressionStep {
        var consumed = input.count, produced = output.count
        let hint = LZ4F_decompress(context, output.baseAddress, &produced, input.baseAddress, &consumed, nil)
        if LZ4F_isError(hint) != 0 { throw DecompressionError(reason: "lz4: " + String(cString: LZ4F_getErrorName(hint))) }
        // 0: a frame ended and everything it holds was written.
        return DecompressionStep(consumed: consumed, produced: produced, streamEnded: hint == 0)
    }
}
