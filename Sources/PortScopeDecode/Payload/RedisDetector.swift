/// Redis RESP (redis.io "protocol spec"): a client sends each command as an array of bulk
/// strings, `*<n>\r\n$<len>\r\n…`.
enum RedisDetector {
    static func detect(_ p: UnsafeRawBufferPointer) -> PayloadDetection? {
        guard p.count >= 8, p.byte(at: 0) == 0x2A else { return nil }
        let count = p.skip(from: 1, limit: 6, while: isDigit)
        guard count > 1, p.matches("\r\n$", at: count) else { return nil }
        let length = p.skip(from: count + 3, limit: 10, while: isDigit)
        guard length > count + 3, p.matches("\r\n", at: length) else { return nil }
        return PayloadDetection(.redis, .high, .client)
    }
}
