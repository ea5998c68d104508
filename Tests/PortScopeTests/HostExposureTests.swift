import Foundation
import PortScopeDecode
@testable import PortScopeHost
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The socket tables as the kernel prints them: each line's meaning in its comment.
struct SocketTableTests {
    @Test func parsesTheKernelsLines() {
        let tcp = """
              sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
               0: 00000000:1F91 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 0 100 0 0 10 0
               1: 0100007F:1F92 0100007F:C350 01 00000000:00000000 00:00000000 00000000  1000        0 4343 1 0 20 4 30 10 -1
               2: garbage
            """
        // 0.0.0.0:8081 LISTEN by root, inode 4242; 127.0.0.1:8082 ↔ 127.0.0.1:50000 ESTABLISHED by uid 1000.
        let sockets = SocketTable.parse(tcp, proto: .tcp)
        #expect(sockets.count == 2)
        #expect(sockets[0].local == IPAddress("0.0.0.0") && sockets[0].localPort == 8081 && sockets[0].state == .listen
                && sockets[0].inode == 4242 && sockets[0].isListening)
        #expect(sockets[1].local == IPAddress("127.0.0.1") && sockets[1].remotePort == 50000 && sockets[1].uid == 1000 && !sockets[1].isListening)
        // [::]:53 unconnected UDP (state 07): listening; [::ffff:127.0.0.1]:5353 (IPv4-mapped) too;
        // 2001:db8::1 (words 00B80D20 00000000 00000000 01000000 as the kernel prints them).
        let udp6 = """
              sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
              0: 00000000000000000000000000000000:0035 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000   101        0 51 2 0 0
              1: 0000000000000000FFFF00000100007F:14E9 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 52 2 0 0
              2: B80D0120000000000000000001000000:01BB 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 53 2 0 0
            """
        let v6 = SocketTable.parse(udp6, proto: .udp)
        #expect(v6.map(\.local) == [.zero, IPAddress("127.0.0.1")!, IPAddress("2001:db8::1")!], "\(v6.map(\.local))")
        #expect(v6.allSatisfy(\.isListening) && v6.map(\.localPort) == [53, 5353, 443])
        let snapshot = HostSnapshot(sockets: sockets + v6, owners: SocketOwners(proc: "/nonexistent"), addresses: [IPAddress("198.51.100.1")!])
        #expect(snapshot.listeners.map { "\($0.proto.name) \($0.address) \($0.port) \($0.binding.rawValue)" }
                == ["tcp 0.0.0.0 8081 all", "udp :: 53 all", "udp 2001:db8::1 443 address", "udp 127.0.0.1 5353 loopback"])
        // A flow to a host address on 8081 is the listener's; to another host's, nobody's here.
        #expect(snapshot.listener(.tcp, IPAddress("198.51.100.1")!, 8081)?.port == 8081)
        #expect(snapshot.listener(.tcp, IPAddress("198.51.100.9")!, 8081) == nil)
    }

    /// Where there are no socket tables (another OS, no /proc), nothing is guessed: each table
    /// is said to be unreadable, and there are no listeners.
    @Test func saysWhatItCouldNotRead() {
        let none = HostSnapshot.read(proc: "/nonexistent")
        #expect(none.listeners.isEmpty && none.unreadable.count == 4 && none.unreadable.allSatisfy { $0.hasSuffix(": No such file or directory") },
                "\(none.unreadable)")
        #expect(none.owner(.tcp, local: IPAddress("127.0.0.1")!, localPort: 22, remote: IPAddress("127.0.0.1")!, remotePort: 40000) == nil)
    }

    /// This process's own listening socket, found with its pid and command.
    @Test func findsItsOwnListener() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        #expect(listen(fd, 1) == 0)
        var bound = sockaddr_in(), length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &bound) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        let port = UInt16(bigEndian: bound.sin_port)
        let snapshot = HostSnapshot.read()
        let mine = try #require(snapshot.listeners.first { $0.proto == .tcp && $0.port == port })
        #expect(mine.binding == .loopback && mine.owner?.pid == getpid(), "\(mine)")
    }
}

/// Two network namespaces joined by a veth pair: the server's (198.51.100.1) runs listeners the
/// test starts and `live -i any`; the other (198.51.100.2, outside the local networks) uses some
/// of them. Needs root and iproute2 (CI has both).
@Suite(.serialized, .enabled(if: Namespaces.available, "needs root and iproute2's network namespaces"))
struct HostExposureTests {
    /// The listeners, all in one process named `pslisten`: 8081 on every address (used from outside,
    /// including a connection of a few milliseconds), 8082 on loopback (used from inside), 8083 on
    /// every address (never used), 8084/udp on every address (answers datagrams).
    static let listeners = """
        socket, threading, sys, os = map(__import__, ["socket", "threading", "sys", "os"])
        def serve(port, address):
            s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind((address, port)); s.listen(16)
            def loop():
                while True:
                    c, _ = s.accept(); c.recv(100); c.sendall(b"ok"); c.close()
            threading.Thread(target=loop, daemon=True).start()
            return s
        keep = [serve(8081, "0.0.0.0"), serve(8082, "127.0.0.1")]
        idle = socket.socket(); idle.bind(("0.0.0.0", 8083)); idle.listen(1)
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("0.0.0.0", 8084))
        def echo():
            while True:
                data, peer = u.recvfrom(100); u.sendto(data, peer)
        threading.Thread(target=echo, daemon=True).start()
        open(sys.argv[1], "w").write(str(os.getpid()))
        threading.Event().wait()
        """

    static let client = """
        socket, sys = map(__import__, ["socket", "sys"])
        def ask(address, port):
            c = socket.create_connection((address, port), timeout=2); c.sendall(b"hi"); c.recv(10); c.close()
        target = sys.argv[1]
        for port in sys.argv[2:]:
            if port == "udp":
                u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.settimeout(2); u.sendto(b"x", (target, 8084)); u.recv(10)
            elif port == "refused":
                try: socket.create_connection((target, 8089), timeout=2)
                except OSError: pass
            else:
                ask(target, int(port))
        """

    @Test func exposureProcessesAndFindings() throws {
        let dir = TemporaryDirectory(), db = dir.file("x.db"), ready = dir.file("ready")
        let net = try Namespaces()
        defer { net.remove() }
        // The listeners' process is named by its executable: a link to python3 called pslisten.
        let python = try #require(["/usr/bin/python3", "/usr/local/bin/python3"].first { FileManager.default.fileExists(atPath: $0) }
                                  ?? (try? runProgram("/usr/bin/env", ["sh", "-c", "command -v python3"]))?.out.trimmingCharacters(in: .whitespacesAndNewlines))
        let named = dir.file("pslisten")
        try FileManager.default.createSymbolicLink(atPath: named, withDestinationPath: python)
        try Self.listeners.write(toFile: dir.file("listen.py"), atomically: true, encoding: .utf8)
        try Self.client.write(toFile: dir.file("client.py"), atomically: true, encoding: .utf8)
        let server = try RunningProgram("/usr/bin/env", ["ip", "netns", "exec", net.server, named, dir.file("listen.py"), ready])
        defer {
            // `ip netns exec` may run it as a child: the process it wrote down is the one to stop.
            if let pid = (try? String(contentsOfFile: ready, encoding: .utf8)).flatMap({ Int32($0) }) { kill(pid, SIGKILL) }
            server.process.terminate()
            _ = server.finish()
        }
        #expect(eventually { FileManager.default.fileExists(atPath: ready) })

        let live = try RunningProgram("/usr/bin/env", ["ip", "netns", "exec", net.server, portscopeBinary.path, "live", "-i", "any",
                                                       "--db", db, "--flush-every", "300ms",
                                                       "--on-finding", "cat >> \(dir.file("announced.jsonl"))"])
        #expect(eventually { query(db, "SELECT status FROM captures")?.first?.first == .text("running") })
        #expect(eventually { (query(db, "SELECT COUNT(*) FROM listeners")?.first?.first?.int ?? 0) >= 4 })
        // From outside: 8081 three times (each connection lasts milliseconds), UDP 8084, and 8089 where nothing listens.
        let outside = try runProgram("/usr/bin/env", ["ip", "netns", "exec", net.client, python, dir.file("client.py"),
                                                     "198.51.100.1", "8081", "8081", "8081", "udp", "refused"])
        #expect(outside.status == 0, "\(outside.err)")
        // From inside: 8082 on loopback.
        let inside = try runProgram("/usr/bin/env", ["ip", "netns", "exec", net.server, python, dir.file("client.py"), "127.0.0.1", "8082"])
        #expect(inside.status == 0, "\(inside.err)")
        usleep(800_000)
        live.process.interrupt()
        let run = live.finish()
        #expect(run.status == 0, "\(run.err)")

        let rows = try #require(try JSONSerialization.jsonObject(with: Data(try portscope(["exposure", "--db", db, "--format", "json"]).out.utf8))
                                    as? [[String: Any]])
        func row(_ port: Int, _ proto: String = "tcp") -> [String: Any]? { rows.first { $0["port"] as? Int == port && $0["proto"] as? String == proto } }
        let pid = try #require(row(8081)?["pid"] as? Int)
        for (port, proto, bound, state, local, external) in [(8081, "tcp", "all", "used", 0, 1), (8082, "tcp", "loopback", "used", 1, 0),
                                                              (8083, "tcp", "all", "unused", 0, 0), (8084, "udp", "all", "used", 0, 1)] {
            let line = try #require(row(port, proto), "\(port): \(rows)")
            #expect(line["bound"] as? String == bound && line["state"] as? String == state, "\(line)")
            #expect(line["process"] as? String == "pslisten" && line["pid"] as? Int == pid && line["user"] as? String == "root", "\(line)")
            #expect(line["clients_local"] as? Int == local && line["clients_external"] as? Int == external, "\(line)")
        }
        #expect(row(8081)?["flows"] as? Int == 3)
        #expect(row(8089)?["state"] as? String == "no_listener" && row(8089)?["clients_external"] as? Int == 1, "\(rows)")
        #expect(Set(rows.first.map { $0.keys } ?? [:].keys) == ["capture_id", "proto", "address", "port", "bound", "process", "pid", "user",
                                                                 "clients_local", "clients_external", "flows", "bytes", "state"])

        // Every connection to 8081, milliseconds long, is named with the listener's process.
        let flows = try #require(try JSONSerialization.jsonObject(with: Data(try portscope([
            "flows", "--db", db, "--server-port", "8081", "--format", "json"]).out.utf8)) as? [[String: Any]])
        #expect(flows.count == 3 && flows.allSatisfy { $0["local_process"] as? String == "pslisten" && $0["local_pid"] as? Int == pid }, "\(flows)")

        // The findings: 8083 is a port to close, 8081 and 8084 are reached from outside.
        let findings = try #require(try JSONSerialization.jsonObject(with: Data(try portscope([
            "unexpected", "--db", db, "--format", "json"]).out.utf8)) as? [[String: Any]])
        let kinds = Set(findings.compactMap { f in (f["kind"] as? String).map { "\($0) \(f["port"] as? Int ?? 0)" } })
        #expect(kinds.isSuperset(of: ["unused_listener 8083", "external_exposure 8081", "external_exposure 8084"]), "\(kinds)")
        #expect(!kinds.contains("unused_listener 8082") && !kinds.contains("unused_listener 8081"))
        #expect((findings.first { $0["kind"] as? String == "unused_listener" }?["reason"] as? String)?.hasPrefix("pslisten (pid \(pid), root) listens on tcp/8083") == true)
        // A policy allowing 8081 from outside leaves only 8084 exposed.
        try "198.51.100.1 serve tcp/8081\n".write(toFile: dir.file("p.txt"), atomically: true, encoding: .utf8)
        // --on-finding: each finding once, as the JSON object unexpected prints, however many flushes showed it.
        let announced = try String(contentsOfFile: dir.file("announced.jsonl"), encoding: .utf8).split(separator: "\n")
        let objects = try announced.map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        let said = objects.map { "\($0["kind"] as? String ?? "") \($0["port"] as? Int ?? 0)" }
        #expect(Set(said) == kinds && said.count == kinds.count, "\(said)")
        #expect(objects.allSatisfy { $0["rule"] is String && $0["reason"] is String })
        let allowed = try portscope(["unexpected", "--db", db, "--policy", dir.file("p.txt"), "--format", "json"]).out
        #expect(!allowed.contains("\"kind\": \"external_exposure\", \"host\": \"198.51.100.1\", \"proto\": \"tcp\", \"port\": 8081"))
        #expect(allowed.contains("\"kind\": \"external_exposure\", \"host\": \"198.51.100.1\", \"proto\": \"udp\", \"port\": 8084"), "\(allowed)")
        #expect(findings.contains { $0["kind"] as? String == "external_exposure" && $0["host"] as? String == "198.51.100.1" && $0["port"] as? Int == 8081 })
    }
}

/// A server and a client network namespace joined by a veth pair, removed by `remove()`.
struct Namespaces {
    let server: String, client: String

    static let available: Bool = {
        guard geteuid() == 0, let probe = try? Namespaces() else { return false }
        probe.remove()
        return true
    }()

    init() throws {
        let tag = String(getpid() % 100_000)
        server = "pss\(tag)"
        client = "psc\(tag)"
        let steps: [[String]] = [
            ["netns", "add", server], ["netns", "add", client],
            ["link", "add", "pse\(tag)", "type", "veth", "peer", "name", "psi\(tag)"],
            ["link", "set", "pse\(tag)", "netns", server], ["link", "set", "psi\(tag)", "netns", client],
            ["-n", server, "addr", "add", "198.51.100.1/24", "dev", "pse\(tag)"], ["-n", client, "addr", "add", "198.51.100.2/24", "dev", "psi\(tag)"],
            ["-n", server, "link", "set", "pse\(tag)", "up"], ["-n", client, "link", "set", "psi\(tag)", "up"],
            ["-n", server, "link", "set", "lo", "up"], ["-n", client, "link", "set", "lo", "up"],
        ]
        for step in steps {
            let run = try runProgram("/usr/bin/env", ["ip"] + step)
            guard run.status == 0 else {
                remove()
                throw NamespaceError(step: step.joined(separator: " "), message: run.err)
            }
        }
    }

    func remove() {
        _ = try? runProgram("/usr/bin/env", ["ip", "netns", "del", server])
        _ = try? runProgram("/usr/bin/env", ["ip", "netns", "del", client])
    }

    struct NamespaceError: Error { var step: String; var message: String }
}
