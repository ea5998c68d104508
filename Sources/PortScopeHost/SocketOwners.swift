#if canImport(Glibc)
import Glibc
#endif

/// The process holding a socket: its id, command and user.
public struct SocketOwner: Sendable, Equatable {
    public var pid: Int32
    public var command: String
    public var user: String
}

/// Which process holds each socket inode, from the descriptors under `/proc/PID/fd` (a socket's
/// link reads `socket:[inode]`). Another user's descriptors need root (or CAP_SYS_PTRACE): the
/// processes that could not be read are counted, never guessed.
public struct SocketOwners: Sendable {
    public private(set) var byInode: [UInt64: SocketOwner] = [:]
    /// Processes whose descriptors could not be read.
    public private(set) var unreadable = 0

    public init(proc: String = "/proc") {
        guard let directory = opendir(proc) else { return }
        defer { closedir(directory) }
        var users: [UInt32: String] = [:]
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard let pid = Int32(name) else { continue }
            let base = "\(proc)/\(name)"
            guard let fds = opendir(base + "/fd") else {
                if errno == EACCES { unreadable += 1 }
                continue
            }
            defer { closedir(fds) }
            var inodes: [UInt64] = []
            while let fd = readdir(fds) {
                let fdName = withUnsafeBytes(of: fd.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                guard fdName.first?.isNumber == true, let inode = Self.socketInode(link: base + "/fd/" + fdName) else { continue }
                inodes.append(inode)
            }
            guard !inodes.isEmpty else { continue }
            let uid = Self.uid(status: base + "/status") ?? 0
            let user = users[uid] ?? Self.userName(uid)
            users[uid] = user
            let owner = SocketOwner(pid: pid, command: Self.read(base + "/comm")?.trimmingSuffix("\n") ?? "?", user: user)
            // The first process found keeps a socket several share (a forking server's parent lists first).
            for inode in inodes where byInode[inode] == nil { byInode[inode] = owner }
        }
    }

    /// `socket:[12345]` → 12345.
    static func socketInode(link path: String) -> UInt64? {
        var buffer = [CChar](repeating: 0, count: 64)
        let length = readlink(path, &buffer, buffer.count - 1)
        guard length > 9 else { return nil }
        let text = String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard text.hasPrefix("socket:["), text.hasSuffix("]") else { return nil }
        return UInt64(text.dropFirst(8).dropLast())
    }

    /// The real user id on the `Uid:` line of `/proc/PID/status`.
    static func uid(status path: String) -> UInt32? {
        guard let text = read(path) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("Uid:") {
            return line.split(whereSeparator: { $0 == "\t" || $0 == " " }).dropFirst().first.flatMap { UInt32($0) }
        }
        return nil
    }

    /// The user's name, or the number when the system names none.
    static func userName(_ uid: UInt32) -> String {
        guard let entry = getpwuid(uid), let name = entry.pointee.pw_name else { return String(uid) }
        return String(cString: name)
    }

    /// A small file's text (the kernel's pseudo-files report no size: read until the end).
    static func read(_ path: String) -> String? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = [], chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            bytes += chunk.prefix(n)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String { hasSuffix(suffix) ? String(dropLast(suffix.count)) : self }
}
