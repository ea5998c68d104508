#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file or standard input read in large chunks into one reused buffer. Records are handed
/// out in place; only a record cut by a chunk boundary is moved to the buffer's front before
/// the next read. Every byte read is counted, and hashed (SHA-256; on a second core for a
/// regular file).
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
    /// Bytes read from the file so far.
    private(set) var bytesRead: UInt64 = 0
    /// File offset of `buffer[start]`.
    private(set) var position: UInt64 = 0

    static let chunkSize = 4 << 20
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
        if ownsDescriptor { close(fd) }
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
            let n = read(fd, buffer + end, capacity - end)
            if n < 0 {
                if errno == EINTR { continue }
                throw .io(path: path, reason: String(cString: strerror(errno)))
            }
            if n == 0 { atEOF = true; break }
            end += n
            bytesRead += UInt64(n)
            digest.update(UnsafeRawBufferPointer(start: buffer + end - n, count: n), total: bytesRead)
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
        while !atEOF {
            start = 0
            end = 0
            _ = try ensure(capacity)
        }
        switch digest.finish(total: bytesRead) {
        case .success(let hex): return hex
        case .failure(let failure): throw .io(path: path, reason: failure.reason)
        }
    }
}
