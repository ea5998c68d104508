#if canImport(Glibc)
import Glibc
#endif

/// What went wrong talking to a server over HTTP.
public enum HTTPError: Error, CustomStringConvertible, Sendable {
    case connect(host: String, port: UInt16, reason: String)
    case io(reason: String)
    /// The server answered with an error status; its body says why.
    case status(code: Int, body: String)
    case malformed

    public var description: String {
        switch self {
        case .connect(let host, let port, let reason): "cannot connect to \(host):\(port): \(reason)"
        case .io(let reason): "connection failed: \(reason)"
        case .status(let code, let body): "HTTP \(code): \(body.split(separator: "\n").first ?? "")"
        case .malformed: "malformed HTTP response"
        }
    }
}

/// One HTTP/1.1 request on a connection of its own (`Connection: close`): the thin call layer
/// under `ClickHouseServer`, on plain sockets.
enum HTTPRequest {
    /// POSTs `body` to `path` on `host`:`port` with `headers`; the response body of a 2xx answer.
    static func post(host: String, port: UInt16, path: String, headers: [(String, String)], body: [UInt8]) throws(HTTPError) -> String {
        let fd = try connect(host: host, port: port)
        defer { close(fd) }
        var head = "POST \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nConnection: close\r\nContent-Length: \(body.count)\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        head += "\r\n"
        try send(fd, Array(head.utf8))
        try send(fd, body)
        var response: [UInt8] = [], chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 { throw .io(reason: String(cString: strerror(errno))) }
            if n == 0 { break }
            response += chunk.prefix(n)
        }
        guard let end = index(of: [13, 10, 13, 10], in: response[...]) else { throw .malformed }
        let responseHead = String(decoding: response[..<end], as: UTF8.self)
        let parts = (responseHead.split(separator: "\r\n").first ?? "").split(separator: " ")
        guard parts.count >= 2, let code = Int(parts[1]) else { throw .malformed }
        var content = response[(end + 4)...]
        if responseHead.lowercased().contains("transfer-encoding: chunked") { content = dechunk(content) }
        let text = String(decoding: content, as: UTF8.self)
        guard (200..<300).contains(code) else { throw .status(code: code, body: text) }
        return text
    }

    /// Where `pattern` first starts in `bytes`.
    private static func index(of pattern: [UInt8], in bytes: ArraySlice<UInt8>) -> Int? {
        guard bytes.count >= pattern.count else { return nil }
        var i = bytes.startIndex
        while i <= bytes.endIndex - pattern.count {
            if bytes[i..<(i + pattern.count)].elementsEqual(pattern) { return i }
            i += 1
        }
        return nil
    }

    /// A chunked body (`size\r\ndata\r\n…0\r\n\r\n`) joined.
    private static func dechunk(_ body: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var rest = body, out: [UInt8] = []
        while let line = index(of: [13, 10], in: rest),
              let size = Int(String(decoding: rest[rest.startIndex..<line], as: UTF8.self), radix: 16), size > 0 {
            let start = line + 2, end = min(start + size, rest.endIndex)
            out += rest[start..<end]
            rest = rest[min(end + 2, rest.endIndex)...]
        }
        return out[...]
    }

    private static func connect(host: String, port: UInt16) throws(HTTPError) -> Int32 {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            throw .connect(host: host, port: port, reason: String(cString: gai_strerror(status)))
        }
        defer { freeaddrinfo(list) }
        var reason = "no address"
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let current = entry {
            let fd = socket(current.pointee.ai_family, current.pointee.ai_socktype, current.pointee.ai_protocol)
            if fd >= 0 {
                // A server that stops answering fails the request after a minute instead of hanging it.
                var timeout = timeval(tv_sec: 60, tv_usec: 0)
                setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                if Glibc.connect(fd, current.pointee.ai_addr, current.pointee.ai_addrlen) == 0 { return fd }
                reason = String(cString: strerror(errno))
                close(fd)
            }
            entry = current.pointee.ai_next
        }
        throw .connect(host: host, port: port, reason: reason)
    }

    private static func send(_ fd: Int32, _ bytes: [UInt8]) throws(HTTPError) {
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { throw .io(reason: String(cString: strerror(errno))) }
            sent += n
        }
    }
}
