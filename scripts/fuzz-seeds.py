#!/usr/bin/env python3
"""Seed corpora for scripts/fuzz, from the captures under CORPUS_DIR (../shared/corpus).

Usage: scripts/fuzz-seeds.py CORPUS_DIR OUT_DIR
Writes OUT_DIR/pcap/ (every classic pcap file), OUT_DIR/pcapng/ (every pcapng file) and
OUT_DIR/decode/ (up to 40 packets of each capture, each as one input: a byte naming the link type
in portscope-fuzz's list, then the packet). Damaged files are seeds too: they are the point.
"""
import hashlib, os, struct, sys

# Link types in FuzzTarget.linkTypes' order.
LINK_TYPES = [0, 1, 9, 12, 14, 50, 101, 104, 105, 127, 108, 113, 239, 228, 229, 276]
PCAP_MAGICS = {b"\xd4\xc3\xb2\xa1": "<", b"\xa1\xb2\xc3\xd4": ">", b"\x4d\x3c\xb2\xa1": "<", b"\xa1\xb2\x3c\x4d": ">"}


def packets(data):
    """(link type, packet bytes) of the first records, as far as the file is sound."""
    if data[:4] in PCAP_MAGICS:
        e = PCAP_MAGICS[data[:4]]
        if len(data) < 24:
            return
        link = struct.unpack(e + "I", data[20:24])[0] & 0xFFFF
        off = 24
        while off + 16 <= len(data):
            incl = struct.unpack(e + "I", data[off + 8:off + 12])[0]
            if incl > 262144 or off + 16 + incl > len(data):
                return
            yield link, data[off + 16:off + 16 + incl]
            off += 16 + incl
    elif data[:4] == b"\x0a\x0d\x0d\x0a" and len(data) >= 12:
        e = "<" if data[8:12] == b"\x4d\x3c\x2b\x1a" else ">"
        links, off = [], 0
        while off + 12 <= len(data):
            btype, blen = struct.unpack(e + "II", data[off:off + 8])
            if blen < 12 or off + blen > len(data):
                return
            body = data[off + 8:off + blen - 4]
            if btype == 0x0A0D0D0A:
                links = []
            elif btype == 1 and len(body) >= 2:
                links.append(struct.unpack(e + "H", body[:2])[0])
            elif btype == 6 and len(body) >= 20:
                iface, _, _, caplen, _ = struct.unpack(e + "IIIII", body[:20])
                if iface < len(links):
                    yield links[iface], body[20:20 + caplen]
            off += blen


def main():
    corpus, out = sys.argv[1], sys.argv[2]
    for target in ("pcap", "pcapng", "decode"):
        os.makedirs(os.path.join(out, target), exist_ok=True)
    for root, _, files in os.walk(corpus):
        for name in sorted(files):
            path = os.path.join(root, name)
            data = open(path, "rb").read()
            kind = "pcapng" if data[:4] == b"\x0a\x0d\x0d\x0a" else "pcap" if data[:4] in PCAP_MAGICS else None
            if kind is None:
                continue
            open(os.path.join(out, kind, name), "wb").write(data[:1 << 20])
            for i, (link, packet) in enumerate(packets(data)):
                if i == 40:
                    break
                if link in LINK_TYPES:
                    seed = bytes([LINK_TYPES.index(link)]) + packet
                    open(os.path.join(out, "decode", hashlib.sha1(seed).hexdigest()[:16]), "wb").write(seed)


main()
