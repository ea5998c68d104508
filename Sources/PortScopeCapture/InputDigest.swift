import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The SHA-256 of every byte an input hands out. For a regular file the hashing runs on a
/// second core: it reads the same bytes again (from the page cache, through its own
/// descriptor) up to the offset the reader has reached, so the digest covers exactly what was
/// analyzed. Standard input and other streams are hashed inline, chunk by chunk.
final class InputDigest: @unchecked Sendable {
    // Unchecked: `inline` is used by the reading thread only; `digest` and `hashed` by the
    // hashing thread only until `finish` has waited for it; the rest is atomic or immutable.
    private let inline: Bool
    private let digest = SHA256Digest()
    /// Bytes the reader has handed out (parallel mode); the hasher stops there.
    private let reached = Atomic<UInt64>(0)
    /// 1: the reader has finished (`reached` is final); 2: abandoned.
    private let state = Atomic<Int>(0)
    private let hasherDone = DispatchSemaphore(value: 0)
    private var hashed: UInt64 = 0
    private var failure: String?

    /// Hashes `fd` in parallel when it is a regular file (through a duplicate of it).
    init(fd: Int32) {
        var info = stat()
        let copy = fstat(fd, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG ? dup(fd) : -1
        inline = copy < 0
        guard copy >= 0 else { return }
        DispatchQueue.global().async { [self] in
            hash(copy)
            close(copy)
            hasherDone.signal()
        }
    }

    /// Notes bytes just read: hashes them inline, or lets the hasher go up to `total`.
    func update(_ bytes: UnsafeRawBufferPointer, total: UInt64) {
        if inline { digest.update(bytes) } else { reached.store(total, ordering: .releasing) }
    }

    /// The digest of the first `total` bytes (everything read); an error when the file could
    /// not be read again to that point.
    func finish(total: UInt64) -> Result<String, HashFailure> {
        if !inline {
            reached.store(total, ordering: .releasing)
            state.store(1, ordering: .releasing)
            hasherDone.wait()
            if let failure { return .failure(HashFailure(reason: failure)) }
        }
        return .success(digest.hexDigest())
    }

    /// Stops the hasher of an input abandoned before `finish` (an error ended the reading).
    func abandon() {
        guard !inline, state.load(ordering: .acquiring) == 0 else { return }
        state.store(2, ordering: .releasing)
        hasherDone.wait()
    }

    struct HashFailure: Error { var reason: String }

    private func hash(_ fd: Int32) {
        let size = 1 << 20
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let finished = state.load(ordering: .acquiring)
            if finished == 2 { return }
            let limit = reached.load(ordering: .acquiring)
            if hashed == limit {
                if finished == 1 { return }
                usleep(100)  // caught up with the reader
                continue
            }
            let n = pread(fd, buffer, Int(min(UInt64(size), limit - hashed)), off_t(hashed))
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                failure = n == 0 ? "the file shrank while it was read" : String(cString: strerror(errno))
                return
            }
            digest.update(UnsafeRawBufferPointer(start: buffer, count: n))
            hashed += UInt64(n)
        }
    }
}
