"""WebSocket protocol v1 (docs/protocol.md): parsing client messages, building server ones.

I/O-free. ``parse_text`` turns one text message into a typed message or a ``ProtocolError``
that names the problem; the caller sends the error back and keeps the session going.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from audio.pcm import FRAME_BYTES, SAMPLE_RATE

PROTOCOL_VERSION = 1
MAX_TEXT_BYTES = 64 * 1024
MAX_CODE_CHARS = 60_000  # an editor snapshot (``code``, ``run_code``)
# A code message carries up to MAX_CODE_CHARS characters, JSON-escaped: allow for that (a
# browser's JSON.stringify writes at most 6 bytes per UTF-16 unit, usually 1).
MAX_CODE_MESSAGE_BYTES = 6 * MAX_CODE_CHARS + 1024
CODE_TYPES = ("code", "run_code")
MAX_JOB_DESCRIPTION = 20_000
ROUNDS = ("loop", "coding", "system_design", "ml_depth", "behavioral", "star")
MODES = ("study", "interview")
PROFILES = ("big_tech", "ai_lab", "recsys_product")


@dataclass(frozen=True)
class Start:
    round: str = "loop"
    mode: str = "study"
    profile: str = "big_tech"
    job_description: str = ""


@dataclass(frozen=True)
class Resume:
    session_id: str


@dataclass(frozen=True)
class EndTurn:
    pass


@dataclass(frozen=True)
class Stop:
    pass


@dataclass(frozen=True)
class Ping:
    id: Any = None


@dataclass(frozen=True)
class Retry:
    """ "Try again": answer the last question once more, as a new attempt."""


@dataclass(frozen=True)
class Code:
    """An editor snapshot during a coding question (stored if it changed). ``question_id``,
    optional, names the question the editor held: a snapshot sent just before the next
    question arrived is then not stored under the new one."""

    text: str
    question_id: str | None = None


@dataclass(frozen=True)
class RunCode:
    """Run the editor's code against the question's tests (the snapshot is stored first)."""

    text: str
    question_id: str | None = None


ClientMessage = Start | Resume | EndTurn | Stop | Ping | Retry | Code | RunCode


@dataclass(frozen=True)
class ProtocolError:
    code: str
    message: str
    fatal: bool = False

    def to_json(self) -> dict:
        out = {"type": "error", "code": self.code, "message": self.message}
        if self.fatal:
            out["fatal"] = True
        return out


def check_frame(data: bytes) -> ProtocolError | None:
    """A binary message must be exactly one 20 ms frame."""
    if len(data) == FRAME_BYTES:
        return None
    detail = "odd length, not int16 samples" if len(data) % 2 else f"{len(data) // 2} samples"
    return ProtocolError(
        "bad_frame",
        f"audio frames must be {FRAME_BYTES} bytes (320 int16 samples, 20 ms at "
        f"{SAMPLE_RATE} Hz); got {len(data)} bytes ({detail}); frame dropped",
    )


def _choice(msg: dict, key: str, allowed: tuple[str, ...], default: str) -> str:
    value = msg.get(key, default)
    if value is None:
        return default
    if not isinstance(value, str) or value not in allowed:
        raise _Bad(f"'{key}' must be one of {', '.join(allowed)}; got {value!r}")
    return value


class _Bad(Exception):
    pass


def _version(msg: dict) -> ProtocolError | None:
    version = msg.get("protocol")
    if version != PROTOCOL_VERSION:
        return ProtocolError(
            "protocol_mismatch",
            f"this server speaks protocol {PROTOCOL_VERSION}; the client sent {version!r}",
            fatal=True,
        )
    return None


def _too_large() -> ProtocolError:
    return ProtocolError(
        "too_large",
        f"text messages are limited to {MAX_TEXT_BYTES} bytes ('code' and 'run_code': "
        f"{MAX_CODE_CHARS} characters of code)",
    )


def parse_text(text: str) -> ClientMessage | ProtocolError:
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_CODE_MESSAGE_BYTES:
        return _too_large()
    try:
        msg = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        if size > MAX_TEXT_BYTES:
            return _too_large()
        return ProtocolError("bad_json", f"not valid JSON: {str(exc)[:120]}")
    if size > MAX_TEXT_BYTES and not (isinstance(msg, dict) and msg.get("type") in CODE_TYPES):
        return _too_large()  # only editor snapshots may be longer than a control message
    if not isinstance(msg, dict):
        return ProtocolError("bad_json", "a control message must be a JSON object")
    kind = msg.get("type")
    if not isinstance(kind, str):
        return ProtocolError("bad_message", "missing string field 'type'")
    try:
        match kind:
            case "start":
                if err := _version(msg):
                    return err
                jd = msg.get("job_description") or ""
                if not isinstance(jd, str):
                    raise _Bad("'job_description' must be a string")
                if len(jd) > MAX_JOB_DESCRIPTION:
                    raise _Bad(f"'job_description' is limited to {MAX_JOB_DESCRIPTION} characters")
                return Start(
                    round=_choice(msg, "round", ROUNDS, "loop"),
                    mode=_choice(msg, "mode", MODES, "study"),
                    profile=_choice(msg, "profile", PROFILES, "big_tech"),
                    job_description=jd,
                )
            case "resume":
                if err := _version(msg):
                    return err
                sid = msg.get("session_id")
                if not isinstance(sid, str) or not sid or len(sid) > 64 or not sid.isalnum():
                    raise _Bad("'session_id' must be the id string from 'ready'")
                return Resume(sid)
            case "end_turn":
                return EndTurn()
            case "stop":
                return Stop()
            case "retry":
                return Retry()
            case "code" | "run_code":
                code = msg.get("text")
                if not isinstance(code, str):
                    raise _Bad("'text' must be the editor's code as a string")
                if len(code) > MAX_CODE_CHARS:
                    raise _Bad(
                        f"'text' is limited to {MAX_CODE_CHARS} characters; got {len(code)}"
                    )
                qid = msg.get("question_id")
                if qid is not None and (not isinstance(qid, str) or not 0 < len(qid) <= 100):
                    raise _Bad("'question_id' must be the id from 'workspace'")
                return Code(code, qid) if kind == "code" else RunCode(code, qid)
            case "ping":
                ping_id = msg.get("id")
                if not isinstance(ping_id, str | int | float | type(None)):
                    raise _Bad("'id' must be a string or a number")
                return Ping(ping_id)
            case _:
                return ProtocolError("unknown_type", f"unknown message type {kind[:40]!r}")
    except _Bad as exc:
        return ProtocolError("bad_message", f"{kind}: {exc}")
