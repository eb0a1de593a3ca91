#!/usr/bin/env python3
# virtdeck - SPDX-License-Identifier: GPL-2.0-or-later
"""Measures tests/lab/delay-proxy.c in front of an echo server (hosts.sh).

    delay-check.py PROXY-BINARY DELAY-MS

Starts an echo server and the proxy on free loopback ports, then prints
    rtt_ms=N        median of 7 one-byte round trips (expected 2 x DELAY-MS)
    burst_ms=N      10 messages sent 20 ms apart: time until the last echo
                    (about 180 + 2 x DELAY-MS when the delay queue pipelines;
                    10 x 2 x DELAY-MS if it serialized)
    bytes_ok=1      1 MiB echoed back byte-identical
"""
import os
import socket
import subprocess
import sys
import threading
import time


def echo_server(lsock):
    def serve(conn):
        with conn:
            while True:
                data = conn.recv(65536)
                if not data:
                    return
                conn.sendall(data)
    while True:
        conn, _ = lsock.accept()
        threading.Thread(target=serve, args=(conn,), daemon=True).start()


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def recv_exact(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise EOFError("connection closed after %d of %d bytes" % (len(buf), n))
        buf += chunk
    return buf


def main():
    binary, delay = sys.argv[1], int(sys.argv[2])
    lsock = socket.socket()
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(16)
    threading.Thread(target=echo_server, args=(lsock,), daemon=True).start()
    port = free_port()
    proxy = subprocess.Popen([binary, "127.0.0.1:%d" % port,
                              "127.0.0.1:%d" % lsock.getsockname()[1], str(delay)])
    try:
        for _ in range(50):
            try:
                sock = socket.create_connection(("127.0.0.1", port), timeout=10)
                break
            except OSError:
                time.sleep(0.1)
        else:
            print("error=proxy does not listen")
            return 1
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        rtts = []
        for _ in range(7):
            t0 = time.monotonic()
            sock.sendall(b"x")
            recv_exact(sock, 1)
            rtts.append((time.monotonic() - t0) * 1000)
        rtts.sort()
        print("rtt_ms=%d" % rtts[3])

        t0 = time.monotonic()
        for i in range(10):
            sock.sendall(b"%02d" % i)
            time.sleep(0.02)
        got = recv_exact(sock, 20)
        print("burst_ms=%d" % ((time.monotonic() - t0) * 1000))
        if got != b"".join(b"%02d" % i for i in range(10)):
            print("error=burst came back as %r" % got)
            return 1

        data = os.urandom(1 << 20)
        threading.Thread(target=sock.sendall, args=(data,), daemon=True).start()
        back = recv_exact(sock, len(data))
        print("bytes_ok=%d" % (back == data))
        sock.close()
    finally:
        proxy.terminate()
        proxy.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
