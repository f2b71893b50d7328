"""A real local LLM server for tests: OpenAI-compatible chat completions (and Gemini's generateContent) on
127.0.0.1, answering from a script.

Why a real HTTP server and not a mock: the providers' whole job is HTTP — timeouts, status codes, retries,
request bodies. With this stub the real `openai` / `google-genai` clients talk to a real socket, and the
tests read back exactly what was sent (e.g. where tenant data sits in the prompt).

Script entries (consumed in order; when the script is empty the server answers 503):
    Reply.json(obj)            a completion whose content is json.dumps(obj)
    Reply.text("...")          raw content (e.g. invalid JSON)
    Reply.status(429)          an HTTP error with an OpenAI-style error body
    Reply.slow(seconds, then)  wait, then answer `then`
    Reply.echo()               content = the prompt messages as JSON (for inspection)
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest


@dataclass
class Reply:
    kind: str
    body: Any = None
    status_code: int = 200
    delay: float = 0.0
    then: Reply | None = None
    prompt_tokens: int = 120
    completion_tokens: int = 30

    @staticmethod
    def json(obj: Any, prompt_tokens: int = 120, completion_tokens: int = 30) -> Reply:
        return Reply("content", json.dumps(obj), prompt_tokens=prompt_tokens, completion_tokens=completion_tokens)

    @staticmethod
    def text(content: str) -> Reply:
        return Reply("content", content)

    @staticmethod
    def status(code: int) -> Reply:
        return Reply("status", status_code=code)

    @staticmethod
    def slow(seconds: float, then: Reply) -> Reply:
        return Reply("slow", delay=seconds, then=then)

    @staticmethod
    def echo() -> Reply:
        return Reply("echo")


@dataclass
class LLMStub:
    """The running server: `url` for OpenAI clients (…/v1), `root` for Gemini, `requests` as received."""

    url: str = ""
    root: str = ""
    script: list[Reply] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, *replies: Reply) -> None:
        with self.lock:
            self.script.extend(replies)

    def next_reply(self) -> Reply | None:
        with self.lock:
            return self.script.pop(0) if self.script else None

    def prompts(self) -> list[str]:
        """The text of every message (OpenAI) or content part (Gemini) received, one string per request."""
        out = []
        for req in self.requests:
            body = req["body"]
            if "messages" in body:
                out.append("\n".join(str(m.get("content", "")) for m in body["messages"]))
            else:
                parts = [p.get("text", "") for c in body.get("contents", []) for p in c.get("parts", [])]
                out.append("\n".join(parts))
        return out


def _handler(stub: LLMStub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
            pass

        def _send(self, code: int, payload: dict[str, Any]) -> None:
            data = json.dumps(payload).encode()
            try:
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout tests)
                pass

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            with stub.lock:
                stub.requests.append({"path": self.path, "body": body, "headers": dict(self.headers)})
            reply = stub.next_reply()
            if reply is not None and reply.kind == "slow":
                time.sleep(reply.delay)
                reply = reply.then
            gemini = ":generateContent" in self.path
            if reply is None:
                self._send(503, {"error": {"message": "stub has no scripted reply", "code": 503}})
                return
            if reply.kind == "status":
                self._send(reply.status_code, {"error": {"message": f"stub status {reply.status_code}",
                                                         "type": "stub", "code": reply.status_code,
                                                         "status": "RESOURCE_EXHAUSTED"}})
                return
            content = json.dumps(body.get("messages") or body.get("contents")) if reply.kind == "echo" else reply.body
            if gemini:
                self._send(200, {
                    "candidates": [{"content": {"role": "model", "parts": [{"text": content}]},
                                    "finishReason": "STOP", "index": 0}],
                    "usageMetadata": {"promptTokenCount": reply.prompt_tokens,
                                      "candidatesTokenCount": reply.completion_tokens,
                                      "totalTokenCount": reply.prompt_tokens + reply.completion_tokens},
                    "modelVersion": "stub"})
                return
            self._send(200, {
                "id": "chatcmpl-stub", "object": "chat.completion", "created": int(time.time()),
                "model": body.get("model", "stub"),
                "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                             "finish_reason": "stop"}],
                "usage": {"prompt_tokens": reply.prompt_tokens, "completion_tokens": reply.completion_tokens,
                          "total_tokens": reply.prompt_tokens + reply.completion_tokens}})

    return Handler


@pytest.fixture(name="llm_stub")
def llm_stub_fixture() -> Iterator[LLMStub]:
    """A fresh stub server on a free port of 127.0.0.1, shut down after the test."""
    stub = LLMStub()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(stub))
    server.daemon_threads = True
    port = server.server_address[1]
    stub.root = f"http://127.0.0.1:{port}"
    stub.url = f"{stub.root}/v1"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield stub
    server.shutdown()
    server.server_close()
