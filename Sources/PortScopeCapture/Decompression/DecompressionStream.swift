/// A compression library's decoder for one input, owning the library's state (freed in `deinit`).
/// Concatenated streams (gzip members, zstd and lz4 frames, xz and bzip2 streams) decode as one:
/// after a stream's end, more input starts the next.
protocol DecompressionStream: ~Copyable {
    /// Decodes from `input` into `output` (which has room). `inputEnds`: no input follows this.
    mutating func decode(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer,
                         inputEnds: Bool) throws(DecompressionError) -> DecompressionStep
}

/// What one `decode` call did.
struct DecompressionStep {
    var consumed: Int
    var produced: Int
    /// The stream ended exactly at the input consumed (a later one may follow).
    var streamEnded: Bool
}

/// Why a compressed stream could not be decoded: the library's own words.
struct DecompressionError: Error {
    var reason: String
}
