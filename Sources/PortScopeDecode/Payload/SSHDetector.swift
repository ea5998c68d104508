/// SSH identification string, RFC 4253 §4.2: `SSH-protoversion-softwareversion`. Both sides
/// send one; the server usually first.
enum SSHDetector {
    static func detect(_ p: UnsafeRawBufferPointer) -> PayloadDetection? {
        guard p.matches("SSH-"), p.matches("2.0-", at: 4) || p.matches("1.99-", at: 4) || p.matches("1.5-", at: 4) else {
            return nil
        }
        return PayloadDetection(.ssh, .high, .serverIfFirst)
    }
}
