#if canImport(Glibc)
import Glibc
#endif

/// Gives up root for `user` (its uid, gid and supplementary groups), as tcpdump's `-Z` does:
/// called once the capture is open, so the rest of the run — parsing hostile packets, writing
/// the database — holds no privilege. Checks that root cannot be regained.
public func dropPrivileges(to user: String) throws(CaptureError) {
    guard geteuid() == 0 else { throw .privileges(user: user, reason: "only root can switch users") }
    errno = 0
    guard let entry = getpwnam(user) else {
        throw .privileges(user: user, reason: errno == 0 ? "no such user" : String(cString: strerror(errno)))
    }
    let uid = entry.pointee.pw_uid, gid = entry.pointee.pw_gid
    guard initgroups(user, gid) == 0, setgid(gid) == 0, setuid(uid) == 0 else {
        throw .privileges(user: user, reason: String(cString: strerror(errno)))
    }
    if uid != 0 && setuid(0) == 0 {
        throw .privileges(user: user, reason: "root privileges could be regained")
    }
}
