"""A fake Anthropic Messages API on a loopback port, for testing the Claude path offline.

A real HTTP server (stdlib ``ThreadingHTTPServer`` in a thread), so the official ``anthropic``
client runs unmodified: its headers, retries, timeouts and response parsing are all exercised.

Implements ``POST /v1/messages`` (non-streaming) like the real API does where it matters here:

- checks the ``x-api-key`` header (401 ``authentication_error`` when ``api_key`` is set and the
  header is missing or wrong) and the ``anthropic-version`` header (400 when missing);
- checks the body has ``model``, ``max_tokens`` and ``messages`` (400 otherwise);
- answers with the next scripted ``Reply``, or 500 when nothing is scripted.

Every request is recorded (``requests``) so tests can assert what was sent. Script replies
with the helpers below::

    with FakeAnthropic(api_key="sk-test") as fake:
        fake.script(tool_use("record_score", {...}), rate_limited(retry_after=1), slow(2.0))
        ... ClaudeLLM("sk-test", model="m", base_url=fake.base_url) ...
        fake.requests[0].headers["x-api-key"]
"""

from __future__ import annotations

import itertools
import json
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

_ids = itertools.count(1)


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the server saw it (header names lower-cased)."""

    method: str
    path: str
    headers: dict[str, str]
    raw_body: bytes
    body: Any  # parsed JSON, or None if the body was not JSON

    @property
    def system(self) -> str:
        """The ``system`` prompt as one string (string or list of text blocks)."""
        system = (self.body or {}).get("system", "")
        if isinstance(system, list):
            return "\n".join(block.get("text", "") for block in system)
        return system

    @property
    def user_text(self) -> str:
        """All text of the user messages, joined."""
        out: list[str] = []
        for message in (self.body or {}).get("messages", []):
            if message.get("role") != "user":
                continue
            content = message.get("content")
            if isinstance(content, str):
                out.append(content)
            else:
                out.extend(b.get("text", "") for b in content if b.get("type") == "text")
        return "\n".join(out)


@dataclass(frozen=True)
class Reply:
    """What the server sends back for one request."""

    status: int = 200
    body: Any = None  # JSON-ready object; ignored when ``raw`` is set
    raw: bytes | None = None  # send these bytes as they are (for malformed JSON)
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0  # wait this long before answering (to trigger client timeouts)
    content_type: str = "application/json"


def message(content: list[dict[str, Any]], *, stop_reason: str = "end_turn") -> dict[str, Any]:
    """A Messages API ``message`` object; ``model`` is filled in from the request."""
    return {
        "id": f"msg_fake{next(_ids):06d}",
        "type": "message",
        "role": "assistant",
        "model": None,
        "content": content,
        "stop_reason": stop_reason,
        "stop_sequence": None,
        "usage": {"input_tokens": 100, "output_tokens": 50},
    }


def tool_use(name: str, tool_input: Any, *, stop_reason: str = "tool_use") -> Reply:
    """A reply whose only content block is a ``tool_use`` of ``name`` with ``tool_input``."""
    block = {"type": "tool_use", "id": f"toolu_fake{next(_ids):06d}", "name": name}
    block["input"] = tool_input
    return Reply(body=message([block], stop_reason=stop_reason))


def text(reply_text: str) -> Reply:
    """A plain text reply (no tool call), as when the model ignores the tool."""
    return Reply(body=message([{"type": "text", "text": reply_text}]))


def api_error(
    status: int, error_type: str, msg: str, headers: dict[str, str] | None = None
) -> Reply:
    """An error in the API's shape: ``{"type": "error", "error": {"type", "message"}}``."""
    body = {
        "type": "error",
        "error": {"type": error_type, "message": msg},
        "request_id": f"req_fake{next(_ids):06d}",
    }
    return Reply(status=status, body=body, headers=headers or {})


def rate_limited(retry_after: float = 1) -> Reply:
    """429 ``rate_limit_error`` with a ``retry-after`` header (seconds)."""
    value = str(int(retry_after)) if float(retry_after).is_integer() else str(retry_after)
    return api_error(429, "rate_limit_error", "Rate limited.", {"retry-after": value})


def server_error(status: int = 500) -> Reply:
    """A 5xx: 500 ``api_error`` or 529 ``overloaded_error``."""
    kind = "overloaded_error" if status == 529 else "api_error"
    return api_error(status, kind, "Internal server error.")


def slow(delay_s: float, reply: Reply | None = None) -> Reply:
    """``reply`` (default: a text reply) sent only after ``delay_s`` seconds."""
    base = reply or text("late")
    return Reply(base.status, base.body, base.raw, base.headers, delay_s, base.content_type)


def raw(data: bytes, *, status: int = 200, content_type: str = "application/json") -> Reply:
    """Bytes sent as they are, e.g. truncated JSON."""
    return Reply(status=status, raw=data, content_type=content_type)


class FakeAnthropic:
    """The server. Start with ``start()`` or ``with``; ``stop()`` ends it and any slow replies."""

    def __init__(self, api_key: str | None = None) -> None:
        self.api_key = api_key
        self.requests: list[RecordedRequest] = []
        self.handler: Callable[[RecordedRequest], Reply] | None = None
        self._script: deque[Reply] = deque()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle --------------------------------------------------------------------------
    def start(self) -> FakeAnthropic:
        fake = self

        class Handler(_Handler):
            owner = fake

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(5)

    def __enter__(self) -> FakeAnthropic:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        assert self._server is not None, "server not started"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # -- scripting --------------------------------------------------------------------------
    def script(self, *replies: Reply) -> None:
        """Queue replies, answered in order, one per request."""
        with self._lock:
            self._script.extend(replies)

    @property
    def pending(self) -> int:
        """Scripted replies not yet sent."""
        with self._lock:
            return len(self._script)

    def _next_reply(self, request: RecordedRequest) -> Reply:
        with self._lock:
            self.requests.append(request)
            if self._script:
                return self._script.popleft()
        if self.handler is not None:
            return self.handler(request)
        return api_error(500, "api_error", "fake server: no reply scripted")

    def _check(self, request: RecordedRequest) -> Reply | None:
        """The API's own request checks; an error reply, or None when the request is fine."""
        if self.api_key is not None and request.headers.get("x-api-key") != self.api_key:
            return api_error(401, "authentication_error", "invalid x-api-key")
        if "anthropic-version" not in request.headers:
            return api_error(400, "invalid_request_error", "anthropic-version header is required")
        body = request.body
        if not isinstance(body, dict):
            return api_error(400, "invalid_request_error", "body must be a JSON object")
        for key in ("model", "max_tokens", "messages"):
            if key not in body:
                return api_error(400, "invalid_request_error", f"{key}: Field required")
        return None


class _Handler(BaseHTTPRequestHandler):
    owner: FakeAnthropic
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: tests assert on logs, and request lines are noise."""

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        data = self.rfile.read(length)
        try:
            body = json.loads(data) if data else None
        except ValueError:
            body = None
        request = RecordedRequest(
            method="POST",
            path=self.path,
            headers={k.lower(): v for k, v in self.headers.items()},
            raw_body=data,
            body=body,
        )
        if self.path.split("?")[0] != "/v1/messages":
            with self.owner._lock:
                self.owner.requests.append(request)
            self._send(api_error(404, "not_found_error", f"no route {self.path}"), request)
            return
        error = self.owner._check(request)
        if error is not None:
            with self.owner._lock:
                self.owner.requests.append(request)
            self._send(error, request)
            return
        self._send(self.owner._next_reply(request), request)

    def _send(self, reply: Reply, request: RecordedRequest) -> None:
        if reply.delay_s and self.owner._stopping.wait(reply.delay_s):
            return  # stopping: drop the reply
        if reply.raw is not None:
            payload = reply.raw
        else:
            body = reply.body
            if isinstance(body, dict) and body.get("type") == "message" and not body.get("model"):
                body = {**body, "model": (request.body or {}).get("model", "claude-fake")}
            payload = json.dumps(body).encode()
        try:
            self.send_response(reply.status)
            self.send_header("content-type", reply.content_type)
            self.send_header("content-length", str(len(payload)))
            self.send_header("request-id", f"req_fake{next(_ids):06d}")
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timed out) first
