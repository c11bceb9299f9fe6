"""A local HTTP server that speaks OpenAI's chat-completions protocol, standing in for a
hosted model: JSON replies, server-sent-event streams, error statuses and stalls.

A test scripts what the next requests get (`then_*`); once the script is spent, every
request is answered by `answer(request body)`.
"""

import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class ChatServer:
    answer: Callable[[dict], str] = lambda body: "I cannot answer from the documents."
    requests: list[dict[str, Any]] = field(default_factory=list)
    script: list[tuple] = field(default_factory=list)
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def then_status(self, status: int, message: str, retry_after: str | None = None) -> None:
        self.script.append(("status", status, message, retry_after))

    def then_stall(self, seconds: float) -> None:
        self.script.append(("stall", seconds))

    def bodies(self) -> list[dict]:
        return [r["body"] for r in self.requests]


def _handler(server: ChatServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_: object) -> None:
            pass

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            server.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
            if self.path != "/v1/chat/completions":
                self._json(404, {"error": {"message": f"no route {self.path}"}})
                return
            action = server.script.pop(0) if server.script else ("answer",)
            if action[0] == "status":
                _, status, message, retry_after = action
                headers = {"Retry-After": retry_after} if retry_after else {}
                self._json(status, {"error": {"message": message, "type": "test"}}, headers)
                return
            if action[0] == "stall":
                time.sleep(action[1])
            content = server.answer(body)
            if body.get("stream"):
                self._stream(body["model"], content)
            else:
                self._json(200, _completion(body["model"], content))

        def _json(self, status: int, payload: dict, headers: dict | None = None) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self._write(data)

        def _stream(self, model: str, content: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            pieces = [{"role": "assistant"}] + [{"content": w} for w in _pieces(content)]
            for delta in pieces:
                self._write(_event(model, delta, None))
            self._write(_event(model, {}, "stop"))
            self._write(b"data: [DONE]\n\n")

        def _write(self, data: bytes) -> None:
            try:
                self.wfile.write(data)
                self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test)

    return Handler


def _pieces(content: str) -> list[str]:
    words = content.split(" ")
    return [w + " " for w in words[:-1]] + [words[-1]]


def _event(model: str, delta: dict, finish: str | None) -> bytes:
    chunk = {
        "id": "chatcmpl-test",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return f"data: {json.dumps(chunk)}\n\n".encode()


def _completion(model: str, content: str) -> dict:
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 0,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
    }


@contextmanager
def running_chat_server() -> Iterator[ChatServer]:
    server = ChatServer()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(server))
    httpd.daemon_threads = True
    server.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        httpd.shutdown()
        httpd.server_close()


_PASSAGE = re.compile(r"\[(\d+)\] [^\n]*\n<<<\n(.*?)\n>>>", re.DOTALL)


def passages(body: dict) -> dict[int, str]:
    """The numbered evidence passages of a grounded prompt, as the model sees them."""
    return {int(n): text for n, text in _PASSAGE.findall(body["messages"][-1]["content"])}


def sentence_with(text: str, word: str) -> str:
    return next(s for s in re.split(r"(?<=[.!?])\s+", text) if word in s)


def answer_citing(word: str):
    """A model that answers with the evidence sentence containing `word`, cited."""

    def answer(body: dict) -> str:
        for n, text in passages(body).items():
            if word in text:
                return f"{sentence_with(text, word)} [{n}]"
        return "I cannot answer from the documents."

    return answer
