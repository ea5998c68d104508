/// The one place packet bytes are read. Callers prove the range is inside the buffer first
/// (each header validates its length once); the load itself is unaligned and unchecked.
extension UnsafeRawBufferPointer {
    /// Reads a big-endian (network order) integer at `offset`. The caller has checked
    /// `offset + MemoryLayout<T>.size <= count`.
    @inlinable @inline(__always)
    func load<T: FixedWidthInteger>(bigEndian type: T.Type, at offset: Int) -> T {
        T(bigEndian: loadUnaligned(fromByteOffset: offset, as: T.self))
    }

    /// Reads one byte at `offset`; the caller has checked `offset < count`.
    @inlinable @inline(__always)
    func byte(at offset: Int) -> UInt8 {
        loadUnaligned(fromByteOffset: offset, as: UInt8.self)
    }
}
