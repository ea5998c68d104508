#!/usr/bin/env python3
"""Writes the captures in samples/ (deterministic: same bytes every run).

Each packet is built field by field below (Ethernet, 802.1Q, IPv4/IPv6, TCP/UDP with real
checksums), so what a sample holds is read here; samples/README.md says what each shows.
Usage: scripts/make-samples.py [OUTDIR]   (default: samples/)
"""
import os
import struct
import sys

out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "samples")
T0 = 1_700_000_000  # 2023-11-14T22:13:20Z

MAC_C, MAC_S = bytes.fromhex("020000000001"), bytes.fromhex("020000000002")


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ip4(a):
    return bytes(int(x) for x in a.split("."))


def ip6(a):
    import ipaddress
    return ipaddress.IPv6Address(a).packed


def eth(payload, ethertype, tags=()):
    """Ethernet II; `tags` are (tpid, vlan id) outermost first."""
    hdr = MAC_S + MAC_C
    for tpid, vid in tags:
        hdr += struct.pack("!HH", tpid, vid)
    return hdr + struct.pack("!H", ethertype) + payload


def ipv4(src, dst, proto, payload, ident=1):
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, 0x4000, 64, proto, 0, ip4(src), ip4(dst))
    return hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:] + payload


def ipv6(src, dst, proto, payload):
    return struct.pack("!IHBB16s16s", 0x60000000, len(payload), proto, 64, ip6(src), ip6(dst)) + payload


def pseudo(src, dst, proto, length, v6):
    if v6:
        return ip6(src) + ip6(dst) + struct.pack("!IxxxB", length, proto)
    return ip4(src) + ip4(dst) + struct.pack("!xBH", proto, length)


def tcp(src, dst, sport, dport, seq, ack, flags, data=b"", v6=False):
    hdr = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0)
    c = csum(pseudo(src, dst, 6, len(hdr) + len(data), v6) + hdr + data)
    return hdr[:16] + struct.pack("!H", c) + hdr[18:] + data


def udp(src, dst, sport, dport, data, v6=False):
    hdr = struct.pack("!HHHH", sport, dport, 8 + len(data), 0)
    c = csum(pseudo(src, dst, 17, len(hdr) + len(data), v6) + hdr + data) or 0xFFFF
    return hdr[:6] + struct.pack("!H", c) + data


SYN, ACK, PSH, FIN = 0x02, 0x10, 0x08, 0x01


def tcp_session(c, s, cport, sport, request, response, tags=(), v6=False, server_first=False):
    """A whole TCP connection: handshake, one request and response (the server's greeting
    first, then the client's answer, when `server_first`), FIN both ways."""
    ip = (lambda a, b, p: ipv6(a, b, 6, p)) if v6 else (lambda a, b, p: ipv4(a, b, 6, p))
    et = 0x86DD if v6 else 0x0800
    ci, si = 1000, 5000
    seq = [
        (c, s, cport, sport, ci, 0, SYN, b""),
        (s, c, sport, cport, si, ci + 1, SYN | ACK, b""),
        (c, s, cport, sport, ci + 1, si + 1, ACK, b""),
        (c, s, cport, sport, ci + 1, si + 1, PSH | ACK, request),
        (s, c, sport, cport, si + 1, ci + 1 + len(request), PSH | ACK, response),
    ]
    if server_first:
        seq[3:5] = [
            (s, c, sport, cport, si + 1, ci + 1, PSH | ACK, response),
            (c, s, cport, sport, ci + 1, si + 1 + len(response), PSH | ACK, request),
        ]
    seq += [
        (c, s, cport, sport, ci + 1 + len(request), si + 1 + len(response), FIN | ACK, b""),
        (s, c, sport, cport, si + 1 + len(response), ci + 2 + len(request), FIN | ACK, b""),
        (c, s, cport, sport, ci + 2 + len(request), si + 2 + len(response), ACK, b""),
    ]
    return [eth(ip(a, b, tcp(a, b, pa, pb, sq, ak, fl, d, v6)), et, tags) for a, b, pa, pb, sq, ak, fl, d in seq]


def dns_query(ident, name, qtype=1):
    q = b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\0"
    return struct.pack("!HHHHHH", ident, 0x0100, 1, 0, 0, 0) + q + struct.pack("!HH", qtype, 1)


def dns_answer(ident, name, rdata, qtype=1):
    q = dns_query(ident, name, qtype)
    return struct.pack("!HH", ident, 0x8180) + q[4:6] + struct.pack("!H", 1) + q[8:] + \
        struct.pack("!HHHIH", 0xC00C, qtype, 1, 300, len(rdata)) + rdata


def write_pcap(name, packets, step=0.001):
    with open(os.path.join(out, name), "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        for i, p in enumerate(packets):
            t = T0 + i * step
            f.write(struct.pack("<IIII", int(t), round((t % 1) * 1e6), len(p), len(p)) + p)


def pad4(b):
    return b + b"\0" * (-len(b) % 4)


def block(btype, body):
    return struct.pack("<II", btype, 12 + len(body)) + body + struct.pack("<I", 12 + len(body))


def write_pcapng(name, interfaces, packets):
    """`interfaces`: (linktype, tsresol exponent); `packets`: (interface, bytes)."""
    with open(os.path.join(out, name), "wb") as f:
        f.write(block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1)))
        for linktype, resol in interfaces:
            opts = struct.pack("<HHB3x", 9, 1, resol) + struct.pack("<HH", 0, 0)
            f.write(block(1, struct.pack("<HHI", linktype, 0, 262144) + opts))
        for i, (iface, p) in enumerate(packets):
            units = 10 ** interfaces[iface][1]
            ts = (T0 * units) + i * units // 1000
            f.write(block(6, struct.pack("<IIIII", iface, ts >> 32, ts & 0xFFFFFFFF, len(p), len(p)) + pad4(p)))


def tls_hellos():
    """A TLS 1.2-style ClientHello with SNI example.test, and a ServerHello (no keys follow)."""
    sni = b"example.test"
    ext = struct.pack("!HHHBH", 0, len(sni) + 5, len(sni) + 3, 0, len(sni)) + sni
    hello = b"\x03\x03" + bytes(32) + b"\x00" + struct.pack("!H", 2) + b"\x13\x01" + b"\x01\x00" + struct.pack("!H", len(ext)) + ext
    client_hello = b"\x16\x03\x01" + struct.pack("!H", len(hello) + 4) + b"\x01" + struct.pack("!I", len(hello))[1:] + hello
    sh = b"\x03\x03" + bytes(32) + b"\x00\x13\x01\x00" + struct.pack("!H", 0)
    server_hello = b"\x16\x03\x03" + struct.pack("!H", len(sh) + 4) + b"\x02" + struct.pack("!I", len(sh))[1:] + sh
    return client_hello, server_hello


def office_day(seed):
    """An ordinary office day on 192.168.1.0/24: HTTPS out, the resolver, SSH to the admin host,
    the intranet web server, NTP. `seed` moves the client ports, as another day would."""
    base = 40000 + seed * 1000
    get = b"GET / HTTP/1.1\r\nHost: intranet.test\r\n\r\n"
    ok = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"
    pkts = []
    for i, (client, server) in enumerate([("192.168.1.10", "93.184.216.34"), ("192.168.1.11", "151.101.1.69")]):
        pkts.append(eth(ipv4(client, "192.168.1.1", 17, udp(client, "192.168.1.1", base + 100 + i, 53, dns_query(i, "example.test"))), 0x0800))
        pkts.append(eth(ipv4("192.168.1.1", client, 17, udp("192.168.1.1", client, 53, base + 100 + i, dns_answer(i, "example.test", ip4(server)))), 0x0800))
        pkts += tcp_session(client, server, base + i, 443, *tls_hellos())
    for i, client in enumerate(["192.168.1.10", "192.168.1.11", "192.168.1.12"]):
        pkts += tcp_session(client, "192.168.1.80", base + 10 + i, 80, get, ok)
    for i, admin in enumerate(["192.168.1.20", "192.168.1.21"]):
        pkts += tcp_session(admin, "192.168.1.5", base + 20 + i, 22, b"SSH-2.0-OpenSSH_9.2\r\n", b"SSH-2.0-OpenSSH_9.6\r\n")
    # NTPv4: a client request (mode 3) and the server's answer (mode 4, stratum 3).
    ntp_request, ntp_answer = b"\x23" + bytes(47), b"\x24\x03" + bytes(46)
    pkts.append(eth(ipv4("192.168.1.10", "162.159.200.1", 17, udp("192.168.1.10", "162.159.200.1", 123, 123, ntp_request)), 0x0800))
    pkts.append(eth(ipv4("162.159.200.1", "192.168.1.10", 17, udp("162.159.200.1", "192.168.1.10", 123, 123, ntp_answer)), 0x0800))
    return pkts


def office():
    """Monday: an ordinary day, and an app server using MySQL on the admin host.
    Tuesday: the same day, without MySQL, plus what `unexpected` should find."""
    # MySQL: the server's greeting (protocol 10, version 8.0.36), then the client's login.
    greeting = b"\x0a8.0.36\x00" + struct.pack("<I", 8) + b"abcdefgh\x00" + struct.pack("<HBHHB", 0xA205, 0x21, 2, 0, 0) \
        + bytes(10) + b"ijklmnopqrst\x00"
    greeting = struct.pack("<I", len(greeting))[:3] + b"\x00" + greeting
    login = struct.pack("<II", 0x000A8205, 1 << 24) + b"\x21" + bytes(23) + b"app\x00\x00"  # user app, no password
    login = struct.pack("<I", len(login))[:3] + b"\x01" + login
    monday = office_day(0) + tcp_session("192.168.1.30", "192.168.1.5", 45000, 3306, login, greeting, server_first=True)
    write_pcap("office-monday.pcap", monday)
    tuesday = office_day(1)
    # A local host SYN-scans ports 1-100 of the intranet server (22 and 80 answer).
    for port in range(1, 101):
        seq = [("192.168.1.66", "192.168.1.80", 61000, port, 7000, 0, SYN)]
        seq += [("192.168.1.80", "192.168.1.66", port, 61000, 9000, 7001, SYN | ACK), ("192.168.1.66", "192.168.1.80", 61000, port, 7001, 0, 0x04)] \
            if port in (22, 80) else [("192.168.1.80", "192.168.1.66", port, 61000, 0, 7001, 0x04 | ACK)]
        tuesday += [eth(ipv4(a, b, 6, tcp(a, b, pa, pb, sq, ak, fl)), 0x0800) for a, b, pa, pb, sq, ak, fl in seq]
    # Three clients use a service on a dynamic port of 192.168.1.77.
    for i, client in enumerate(["192.168.1.10", "192.168.1.11", "192.168.1.12"]):
        tuesday += tcp_session(client, "192.168.1.77", 46000 + i, 51515, b"hello", bytes(400))
    # An outside host reaches SMB from source port 53, hoping a filter takes it for DNS: an SMB2
    # NEGOTIATE request and its response, each after its 4-byte session header.
    def smb2(response):
        header = b"\xfeSMB" + struct.pack("<HHIHHII", 64, 0, 0, 0, 1, 1 if response else 0, 0) + bytes(40)
        if response:  # dialect 3.0.2, no security blob
            body = struct.pack("<HHHH16sIIIIQQHHI", 65, 1, 0x0302, 0, bytes(16), 0, 65536, 65536, 65536, 0, 0, 128, 0, 0) + b"\0"
        else:  # one dialect offered: 3.0.2
            body = struct.pack("<HHHHI16sQH", 36, 1, 1, 0, 0, bytes(16), 0, 0x0302)
        return struct.pack("!I", len(header) + len(body)) + header + body
    tuesday += tcp_session("203.0.113.9", "192.168.1.80", 53, 445, smb2(False), smb2(True))
    # A laptop reaches an outside host on 443, but speaks SSH there: a tunnel out.
    tuesday += tcp_session("192.168.1.12", "198.51.100.7", 48000, 443, b"SSH-2.0-OpenSSH_9.2\r\n",
                           b"SSH-2.0-OpenSSH_9.6\r\n", server_first=True)
    # The admin host now also serves HTTP on 8080.
    tuesday += tcp_session("192.168.1.20", "192.168.1.5", 47000, 8080, b"GET / HTTP/1.1\r\n\r\n", b"HTTP/1.1 200 OK\r\n\r\n")
    write_pcap("office-tuesday.pcap", tuesday)


def main():
    os.makedirs(out, exist_ok=True)
    get = b"GET / HTTP/1.1\r\nHost: example.test\r\n\r\n"
    ok = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"
    write_pcap("http.pcap",
               tcp_session("192.168.1.10", "192.168.1.80", 51000, 80, get, ok) +
               tcp_session("192.168.1.11", "192.168.1.80", 51001, 80, get, ok))

    dns = []
    for i, (client, port) in enumerate([("192.168.1.10", 40001), ("192.168.1.11", 40002), ("192.168.1.12", 40003)]):
        dns.append(eth(ipv4(client, "192.168.1.53", 17, udp(client, "192.168.1.53", port, 53, dns_query(i, "example.test"))), 0x0800))
        dns.append(eth(ipv4("192.168.1.53", client, 17, udp("192.168.1.53", client, 53, port, dns_answer(i, "example.test", ip4("192.0.2.1")))), 0x0800))
    q6 = dns_query(9, "example.test", 28)
    dns.append(eth(ipv6("fd00::10", "fd00::53", 17, udp("fd00::10", "fd00::53", 40004, 53, q6, True)), 0x86DD))
    dns.append(eth(ipv6("fd00::53", "fd00::10", 17, udp("fd00::53", "fd00::10", 53, 40004,
                                                        dns_answer(9, "example.test", ip6("2001:db8::1"), 28), True)), 0x86DD))
    write_pcap("dns.pcap", dns)

    client_hello, server_hello = tls_hellos()
    write_pcap("tls.pcap", tcp_session("2001:db8:1::10", "2001:db8:1::443", 52000, 443, client_hello, server_hello, v6=True))

    # Plain UDP on an unregistered port, no handshake: three clients reach one server port
    # (fan-in decides the server), plus a datagram between two high ports (ephemeral rule).
    udp_pkts = []
    for i, client in enumerate(["10.0.0.1", "10.0.0.2", "10.0.0.3"]):
        for n in range(2):
            udp_pkts.append(eth(ipv4(client, "10.0.0.100", 17, udp(client, "10.0.0.100", 41000 + i, 7001, b"ping %d" % n)), 0x0800))
            udp_pkts.append(eth(ipv4("10.0.0.100", client, 17, udp("10.0.0.100", client, 7001, 41000 + i, b"pong %d" % n)), 0x0800))
    udp_pkts.append(eth(ipv4("10.0.0.5", "10.0.0.6", 17, udp("10.0.0.5", "10.0.0.6", 50000, 9000, b"metrics")), 0x0800))
    write_pcap("udp.pcap", udp_pkts)

    # VLAN: SSH on 802.1Q VLAN 10, and the same service again behind QinQ (802.1ad 100 + 802.1Q 10).
    banner_c, banner_s = b"SSH-2.0-OpenSSH_9.2\r\n", b"SSH-2.0-OpenSSH_9.6\r\n"
    write_pcap("vlan.pcap",
               tcp_session("172.16.0.10", "172.16.0.22", 53000, 22, banner_c, banner_s, tags=((0x8100, 10),)) +
               tcp_session("172.16.0.11", "172.16.0.22", 53001, 22, banner_c, banner_s, tags=((0x88A8, 100), (0x8100, 10))))

    # pcapng with two interfaces: Ethernet (microseconds) and raw IP (nanoseconds).
    web = tcp_session("192.168.2.10", "192.168.2.20", 54000, 8080, get, ok)
    raw = [ipv4("192.168.3.10", "192.168.3.53", 17, udp("192.168.3.10", "192.168.3.53", 45000, 53, dns_query(7, "example.test"))),
           ipv4("192.168.3.53", "192.168.3.10", 17, udp("192.168.3.53", "192.168.3.10", 53, 45000, dns_answer(7, "example.test", ip4("192.0.2.7"))))]
    write_pcapng("two-interfaces.pcapng", [(1, 6), (101, 9)], [(0, p) for p in web] + [(1, p) for p in raw])
    office()
    print("samples written to", out)


main()
