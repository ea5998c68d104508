import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Real traffic on 127.0.0.1 for the live-capture tests: sockets bound to ports the kernel picks.
enum Loopback {
    /// A TCP (`stream`) or UDP socket bound to 127.0.0.1 on a free port.
    static func bound(stream: Bool) -> (fd: Int32, port: UInt16) {
        let fd = socket(AF_INET, Int32(stream ? SOCK_STREAM.rawValue : SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { precondition(bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0) }
        }
        return (fd, port(of: fd))
    }

    static func port(of fd: Int32) -> UInt16 {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = getsockname(fd, $0, &length) }
        }
        return UInt16(bigEndian: address.sin_port)
    }

    static func address(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        address.sin_port = port.bigEndian
        return address
    }

    /// A TCP listener on a free port.
    static func listener() -> (fd: Int32, port: UInt16) {
        let (fd, port) = bound(stream: true)
        precondition(listen(fd, 16) == 0)
        return (fd, port)
    }

    /// One whole TCP connection to `listener`: connect, a request, a reply, both sides close.
    /// Returns the client's port.
    static func connection(to listener: (fd: Int32, port: UInt16), request: Int = 100, reply: Int = 300) -> UInt16 {
        let client = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = address(port: listener.port)
        withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { precondition(connect(client, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0) }
        }
        let server = accept(listener.fd, nil, nil)
        precondition(server >= 0)
        let clientPort = port(of: client)
        exchange(from: client, to: server, count: request)
        exchange(from: server, to: client, count: reply)
        shutdown(client, Int32(SHUT_WR))
        var byte: UInt8 = 0
        precondition(read(server, &byte, 1) == 0)  // the client's FIN
        close(server)
        precondition(read(client, &byte, 1) == 0)  // the server's FIN
        close(client)
        return clientPort
    }

    private static func exchange(from: Int32, to: Int32, count: Int) {
        let bytes = [UInt8](repeating: 0x61, count: count)
        precondition(write(from, bytes, count) == count)
        var buffer = [UInt8](repeating: 0, count: count)
        var got = 0
        while got < count {
            let n = buffer.withUnsafeMutableBytes { read(to, $0.baseAddress! + got, count - got) }
            precondition(n > 0)
            got += n
        }
    }

    /// Sends `count` datagrams of `size` bytes from a new socket to `port`; returns the sender's port.
    static func datagrams(_ count: Int, size: Int, to port: UInt16) -> UInt16 {
        let (fd, source) = bound(stream: false)
        var address = address(port: port)
        let payload = [UInt8](repeating: 0x62, count: size)
        for _ in 0..<count {
            let sent = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, payload, size, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            precondition(sent == size)
        }
        close(fd)
        return source
    }
}
