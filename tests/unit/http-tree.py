#!/usr/bin/env python3
# Test HTTP server for tests/unit/test-fetch: serves DIR on 127.0.0.1 (a free
# port, printed on stdout), and two broken paths:
#   /trunc/NAME  Content-Length 100000, 1000 bytes sent, connection closed
#   /slow/NAME   Content-Length 10 MiB, 64 KiB sent, then 60 s of silence
# SPDX-License-Identifier: GPL-2.0-or-later
import functools
import http.server
import sys
import time


class Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def broken(self, length, send, pause):
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(length))
        self.end_headers()
        self.wfile.write(b"x" * send)
        self.wfile.flush()
        if pause:
            time.sleep(pause)
        self.close_connection = True

    def do_GET(self):
        if self.path.startswith("/trunc/"):
            return self.broken(100000, 1000, 0)
        if self.path.startswith("/slow/"):
            return self.broken(10 << 20, 64 << 10, 60)
        return super().do_GET()


def main():
    handler = functools.partial(Handler, directory=sys.argv[1])
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    srv.daemon_threads = True
    print(srv.server_address[1], flush=True)
    srv.serve_forever()


main()
