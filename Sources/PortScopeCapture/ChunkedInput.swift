#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file or standard input read in large chunks into one reused buffer. Records are handed
/// out in place; only a record cut by a chunk boundary is moved to the buffer's front before
/// the next read. Every byte read is counted, and hashed (SHA-256; on a second core for a
/// regular file). A compressed input (`CompressionFormat`, by its magic bytes) is read in
/// chunks into a second buffer and decoded into the first: memory stays bounded, and the
/// count and hash are those of the file as given.
struct ChunkedInput: ~Copyable {
    private let path: String
    private let fd: Int32
    private let ownsDescriptor: Bool
    private var buffer: UnsafeMutableRawPointer
    private var capacity: Int
    /// Valid bytes are `buffer[start..<end]`.
    private var start = 0
    private var end = 0
    private var atEOF = false
    private let digest: InputDigest
    /// The compression the input is in (nil: none).
    private(set) var compression: CompressionFormat?
    private var decoder: (any DecompressionStream & ~Copyable)?
    /// Compressed bytes read and not yet decoded: `compressed[compressedStart..<compressedEnd]`.
    private var compressed: UnsafeMutableRawPointer?
    private var compressedStart = 0
    private var compressedEnd = 0
    /// The first bytes were looked at for a compression's magic number.
    private var sniffed = false
    /// The file itself has no more bytes (a compressed input may still have decoded ones).
    private var fileEnded = false
    /// A stream ended at the last byte decoded: the input may end cleanly there.
    private var streamEnded = false
    /// Why decoding stopped before the file's end (the input ends there, as damage does).
    private(set) var damage: String?
    /// Bytes read from the file so far.
    private(set) var bytesRead: UInt64 = 0
    /// File offset of `buffer[start]`.
    private(set) var position: UInt64 = 0

    static let chunkSize = 4 << 20
    /// Compressed bytes read at a time.
    static let compressedChunkSize = 1 << 20
    /// A single record larger than this is taken as damage, not a reason to grow without bound.
    static let maxRecord = 256 << 20

    /// Opens `path`, or standard input for `-`.
    init(path: String) throws(CaptureError) {
        self.path = path
        if path == "-" {
            fd = STDIN_FILENO
            ownsDescriptor = false
        } else {
            let opened = open(path, O_RDONLY | O_CLOEXEC)
            guard opened >= 0 else { throw .io(path: path, reason: String(cString: strerror(errno))) }
            var info = stat()
            if fstat(opened, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR {
                close(opened)
                throw .io(path: path, reason: "is a directory")
            }
            fd = opened
            ownsDescriptor = true
            #if os(Linux)
            _ = posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL)
            #endif
        }
        capacity = ChunkedInput.chunkSize
        buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
        digest = InputDigest(fd: fd)
    }

    deinit {
        digest.abandon()
        buffer.deallocate()
        compressed?.deallocate()
        if ownsDescriptor { close(fd) }
    }

    /// Reads at most `count` bytes of the file itself into `destination`, counting and hashing
    /// them; 0 at its end.
    private mutating func readFile(into destination: UnsafeMutableRawPointer, count: Int) throws(CaptureError) -> Int {
        while true {
            let n = read(fd, destination, count)
            if n < 0 {
                if errno == EINTR { continue }
                throw .io(path: path, reason: String(cString: strerror(errno)))
            }
            bytesRead += UInt64(n)
            if n > 0 { digest.update(UnsafeRawBufferPointer(start: destination, count: n), total: bytesRead) }
            return n
        }
    }

    /// Puts at most `count` bytes of the input (decoded, when compressed) at `destination`; 0 at
    /// its end, or where the compressed stream is damaged or cut short (`damage` says which).
    private mutating func fill(_ destination: UnsafeMutableRawPointer, count: Int) throws(CaptureError) -> Int {
        if !sniffed {
            // The first bytes say whether the input is compressed; if so, they move to the
            // compressed buffer.
            sniffed = true
            var n = 0
            while n < CompressionFormat.magicLength {
                let more = try readFile(into: destination + n, count: count - n)
                if more == 0 { fileEnded = true; break }
                n += more
            }
            guard let found = CompressionFormat.recognise(UnsafeRawBufferPointer(start: destination, count: n)) else { return n }
            compression = found
            do { decoder = try found.decoder() } catch { throw .io(path: path, reason: error.reason) }
            let staging = UnsafeMutableRawPointer.allocate(byteCount: max(ChunkedInput.compressedChunkSize, n), alignment: 16)
            staging.copyMemory(from: destination, byteCount: n)
            compressed = staging
            compressedEnd = n
            fileEnded = false
        }
        guard decoder != nil, let compressed, let compression else { return try readFile(into: destination, count: count) }
        while damage == nil {
            if compressedStart == compressedEnd && !fileEnded {
                compressedStart = 0
                compressedEnd = try readFile(into: compressed, count: ChunkedInput.compressedChunkSize)
                fileEnded = compressedEnd == 0
            }
            let input = UnsafeRawBufferPointer(start: compressed + compressedStart, count: compressedEnd - compressedStart)
            let step: DecompressionStep
            do {
                step = try decoder!.decode(input, into: UnsafeMutableRawBufferPointer(start: destination, count: count),
                                           inputEnds: fileEnded)
            } catch {
                damage = error.reason
                return 0
            }
            compressedStart += step.consumed
            if step.streamEnded { streamEnded = true } else if step.consumed > 0 || step.produced > 0 { streamEnded = false }
            if step.produced > 0 { return step.produced }
            if compressedStart == compressedEnd && fileEnded {
                if !streamEnded { damage = "the \(compression.rawValue) stream is cut short" }
                return 0
            }
            if step.consumed == 0 && !step.streamEnded && compressedStart < compressedEnd {
                damage = "the \(compression.rawValue) stream makes no progress"
            }
        }
        return 0
    }

    /// Bytes available from the current position without reading more.
    var available: Int { end - start }

    /// Makes `count` bytes available from the current position, reading as needed. Returns
    /// false when the input ends first (what is there stays available).
    mutating func ensure(_ count: Int) throws(CaptureError) -> Bool {
        if count <= end - start { return true }
        guard count <= ChunkedInput.maxRecord else { return false }
        if count > capacity {
            let grown = UnsafeMutableRawPointer.allocate(byteCount: max(count, capacity * 2), alignment: 16)
            grown.copyMemory(from: buffer + start, byteCount: end - start)
            buffer.deallocate()
            buffer = grown
            capacity = max(count, capacity * 2)
            end -= start
            start = 0
        } else if start + count > capacity {
            (buffer).copyMemory(from: buffer + start, byteCount: end - start)
            end -= start
            start = 0
        }
        while end - start < count && !atEOF {
            let n = try fill(buffer + end, count: capacity - end)
            if n == 0 { atEOF = true; break }
            end += n
        }
        return end - start >= count
    }

    /// The bytes at `offset..<offset+count` from the current position; `ensure` proved them there.
    @inline(__always)
    func bytes(at offset: Int = 0, count: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: buffer + start + offset, count: count)
    }

    @inline(__always)
    mutating func consume(_ count: Int) {
        start += count
        position += UInt64(count)
    }

    /// Reads the rest of the input (so the hash and size cover the whole file), then returns
    /// the SHA-256 of every byte read.
    mutating func finish() throws(CaptureError) -> String {
        while !fileEnded {
            // The file's own bytes: what a compressed one still holds need not be decoded.
            start = 0
            end = 0
            fileEnded = try readFile(into: compressed ?? buffer, count: compressed == nil ? capacity : ChunkedInput.compressedChunkSize) == 0
        }
        switch digest.finish(total: bytesRead) {
        case .success(let hex): return hex
        case .failure(let failure): throw .io(path: path, reason: failure.reason)
        }
    }
}
