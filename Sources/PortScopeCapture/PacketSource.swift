/// Where packets come from: a capture file or an interface. The pipeline's one per-packet loop
/// reads any of them (`PacketPipeline.read`).
public protocol PacketSource: ~Copyable {
    /// The next record, whose bytes stay valid until the next call; nil when there is none: the
    /// end of a file, or nothing ready on an interface now.
    mutating func next() throws(CaptureError) -> PacketRecord?
}

extension CaptureFile: PacketSource {}
extension LiveCapture: PacketSource {}
