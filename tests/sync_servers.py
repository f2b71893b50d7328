"""Real local HTTP servers for the sync tests and bench: scripted responses per path on 127.0.0.1.

    with ScriptedServer() as server:
        server.route("/feed.csv", Reply(200, body=b"sku,price\\nA,1\\n"))
        server.route("/flaky", Reply(500), Reply(200, body=b"ok"))   # first 500, then 200 (last repeats)
        server.url("/feed.csv")

Each request is recorded (path, headers, monotonic time) so tests can check what the client sent.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    status: int = 200
    body: bytes | str = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0


@dataclass
class Seen:
    path: str
    headers: dict[str, str]
    at: float


class ScriptedServer:
    def __init__(self) -> None:
        self.routes: dict[str, list[Reply]] = {}
        self.dynamic: Callable[[str, dict[str, str]], Reply | None] | None = None
        self.requests: list[Seen] = []
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out as separate writes: no 40 ms delayed-ACK stall

            def do_GET(self) -> None:
                headers = {k.lower(): v for k, v in self.headers.items()}
                with outer.lock:
                    outer.requests.append(Seen(self.path, headers, time.monotonic()))
                reply = outer.reply_for(self.path, headers)
                if reply.delay_s:
                    time.sleep(reply.delay_s)
                body = reply.body.encode() if isinstance(reply.body, str) else reply.body
                try:
                    self.send_response(reply.status)
                    for k, v in reply.headers.items():
                        self.send_header(k, v)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    if body and reply.status != 304:
                        self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def reply_for(self, path: str, headers: dict[str, str]) -> Reply:
        if self.dynamic is not None:
            found = self.dynamic(path, headers)
            if found is not None:
                return found
        with self.lock:
            script = self.routes.get(path) or self.routes.get(path.split("?", 1)[0])
            if not script:
                return Reply(404, body=b"not found")
            return script.pop(0) if len(script) > 1 else script[0]

    def route(self, path: str, *replies: Reply) -> None:
        with self.lock:
            self.routes[path] = list(replies)

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def hits(self, path: str) -> list[Seen]:
        with self.lock:
            return [r for r in self.requests if r.path == path or r.path.split("?", 1)[0] == path]

    def __enter__(self) -> ScriptedServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()
