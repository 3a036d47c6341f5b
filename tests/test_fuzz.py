"""Fuzzing a real server: 10,000 malformed WebSocket messages, 2,000 REST requests and 2,000
uploads of recordings. The server never crashes, every bad message gets the error the
protocol names, and a session running beside the fuzzed one is untouched."""

from __future__ import annotations

import asyncio
import json
import threading
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server.protocol import check_frame, parse_text
from tests.conftest import start_server, stop_server
from tests.test_live import connect

pytestmark = pytest.mark.models


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory):
    """No silence nudges: the fuzzed session stays on its first question however long."""
    server = start_server(tmp_path_factory.mktemp("fuzz"), {"COACH_SILENCE_PROMPT_S": "1e9"})
    yield server
    stop_server(server)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)
typed_messages = st.fixed_dictionaries(
    {"type": st.sampled_from(["start", "resume", "end_turn", "stop", "ping", "x", "", "START"])},
    optional={
        "protocol": json_values,
        "session_id": json_values,
        "round": json_values,
        "mode": json_values,
        "profile": json_values,
        "job_description": json_values,
        "id": json_values,
    },
).filter(lambda m: m["type"] not in ("stop", "end_turn"))  # valid ones that end answers
text_messages = st.one_of(
    typed_messages.map(json.dumps),
    json_values.map(json.dumps),
    st.text(max_size=200),
)
binary_messages = st.one_of(
    st.binary(max_size=2000).filter(lambda b: len(b) != 640),
    st.just(bytes(640)),  # a valid, silent frame: accepted without a reply
)
messages = st.lists(st.one_of(text_messages, binary_messages), min_size=4, max_size=4)


def expected_errors(batch: list[str | bytes]) -> int:
    """The protocol's own verdict on each message, once the session has started."""
    n = 0
    for msg in batch:
        if isinstance(msg, bytes):
            n += check_frame(msg) is not None
            continue
        parsed = parse_text(msg)
        kind = type(parsed).__name__
        if kind == "ProtocolError" or kind in ("Start", "Resume"):
            n += 1  # a bad message, or a second start/resume: both are named errors
    return n


class Fuzzer:
    """One started session on its own event loop thread, fed batches synchronously."""

    def __init__(self, server) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.client = self.run(connect(server))
        self.pings = 0
        self.streaming = None

    def stream_silence(self) -> None:
        """Behave like a real client: microphone frames at real-time pace, all the time."""

        async def forever():
            while True:
                await self.client.stream([bytes(640)] * 50)

        self.streaming = asyncio.run_coroutine_threadsafe(forever(), self.loop)

    def run(self, coro):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(60)

    async def _batch(self, batch):
        before = len(self.client.got.of("error"))
        for msg in batch:
            await self.client.ws.send(msg)
        self.pings += 1
        tag = f"sync-{self.pings}"
        await self.client.send_json({"type": "ping", "id": tag})
        await self.client.wait_for("pong", id=tag, timeout=20)
        return self.client.got.of("error")[before:]

    def batch(self, batch):
        return self.run(self._batch(batch))

    def close(self):
        if self.streaming is not None:
            self.streaming.cancel()
        self.run(self.client.close())
        self.loop.call_soon_threadsafe(self.loop.stop)


def test_ten_thousand_malformed_websocket_messages(fuzz_server):
    fuzzer = Fuzzer(fuzz_server)
    bystander = Fuzzer(fuzz_server)
    bystander.stream_silence()
    sent = {"messages": 0}

    @settings(
        max_examples=2500,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(messages)
    def fuzz(batch):
        errors = fuzzer.batch(batch)
        sent["messages"] += len(batch)
        assert len(errors) == expected_errors(batch), (batch, errors)
        for err in errors:
            assert err["code"] and err["message"] and not err.get("fatal")

    try:
        fuzz()
        # the session beside it never saw an error and still answers
        assert bystander.batch([]) == []
        assert bystander.client.got.of("error") == []
    finally:
        fuzzer.close()
        bystander.close()
    assert sent["messages"] >= 10_000
    assert httpx.get(fuzz_server.base_url + "/api/health").json()["status"] == "ok"


@pytest.fixture(scope="module")
def stored_session(fuzz_server) -> str:
    async def record():
        client = await connect(fuzz_server, round="star")
        await client.wait_for("reply_started")
        await client.stream([bytes(640)] * 100)
        await client.send_json({"type": "stop"})
        await client.wait_for("session_ended")
        await client.close()
        return client.got.of("ready")[0]["session_id"]

    return asyncio.run(record())


@settings(max_examples=2000, deadline=None, database=None)
@given(
    path=st.text(max_size=40),
    body=json_values,
    range_header=st.one_of(
        st.from_regex(r"\Abytes=[0-9]{0,12}-[0-9]{0,12}(,[0-9]{0,6}-[0-9]{0,6})?\Z"),
        st.text(st.characters(min_codepoint=33, max_codepoint=126), min_size=1, max_size=30),
    ),
)
def test_rest_never_answers_with_a_server_error(
    fuzz_server, stored_session, path, body, range_header
):
    with httpx.Client(base_url=fuzz_server.base_url, timeout=10) as http:
        r = http.get("/api/sessions/" + quote(path, safe=""))
        assert r.status_code in (200, 404, 405), r.status_code
        r = http.post("/api/auth/login", content=json.dumps(body))
        assert r.status_code in (404, 422), r.status_code
        r = http.get(
            f"/api/sessions/{stored_session}/audio/candidate.wav", headers={"Range": range_header}
        )
        assert r.status_code in (200, 206, 416), (range_header, r.status_code)
        assert "Traceback" not in r.text[:2000] if r.status_code != 200 else True


UPLOAD_QUESTION = "star-tight-deadline"
AUDIO_MAGIC = [  # file starts that send the decoder past probing into a demuxer
    b"RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00\x80\x3e\x00\x00"
    b"\x00\x7d\x00\x00\x02\x00\x10\x00data\x00\x00\x00\x00",  # 16 kHz 16-bit mono WAV
    b"fLaC",
    b"OggS\x00\x02",
    b"ID3\x03\x00\x00\x00\x00\x00\x00",
    b"\xff\xfb\x90\x64",  # an MPEG audio frame header
    b"\x1aE\xdf\xa3",  # Matroska / WebM
    b"\x00\x00\x00\x18ftypM4A ",
]
file_data = st.one_of(
    st.binary(max_size=1500),
    st.tuples(st.sampled_from(AUDIO_MAGIC), st.binary(max_size=1500)).map(b"".join),
)
part = st.tuples(
    st.sampled_from(["question_id", "file", "other", ""]) | st.text(max_size=8),
    st.none() | st.text(max_size=12),  # filename: a file part when set
    st.sampled_from([UPLOAD_QUESTION.encode(), b"no-such-question", b""]) | file_data,
)


def multipart(boundary: str, parts: list[tuple[str, str | None, bytes]]) -> bytes:
    body = b""
    for name, filename, data in parts:
        disposition = f'form-data; name="{name}"'
        if filename is not None:
            disposition += f'; filename="{filename}"'
        body += f"--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n".encode()
        body += data + b"\r\n"
    return body + f"--{boundary}--\r\n".encode()


@st.composite
def upload_requests(draw) -> tuple[dict[str, str], bytes]:
    """A well-formed form with a random file (the decoder's turn), a random multipart body
    (parts missing, extra, repeated, cut short), or random bytes; under a right, wrong or
    missing Content-Type."""
    boundary = draw(st.sampled_from(["b0undary", "x", "----WebKitFormBoundary7MA4YWxk"]))
    right = f"multipart/form-data; boundary={boundary}"
    kind = draw(st.sampled_from(["form", "form", "parts", "bytes"]))
    if kind == "form":
        filename = draw(st.sampled_from(["a.wav", "answer.mp3", "x", ""]))
        question = ("question_id", None, UPLOAD_QUESTION.encode())
        parts = [question, ("file", filename, draw(file_data))]
        parts += draw(st.lists(part, max_size=1))
        body = multipart(boundary, draw(st.permutations(parts)))
    elif kind == "parts":
        body = multipart(boundary, draw(st.lists(part, max_size=4)))
        body = body[: draw(st.integers(0, len(body)))] if draw(st.booleans()) else body
    else:
        body = draw(st.binary(max_size=3000))
    wrong = st.sampled_from(
        [
            "multipart/form-data",
            "multipart/form-data; boundary=",
            "multipart/form-data; boundary=other",
            "application/octet-stream",
            "audio/wav",
        ]
    ) | st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=40).map(str.strip)
    ctype = draw(st.just(right) | wrong) if kind != "form" else right
    return {"Content-Type": ctype}, body


def test_uploads_never_answer_with_a_server_error(fuzz_server):
    """2,000 random bodies to POST /api/recordings/score: each a 4xx naming the problem (or,
    rarely, a 200 when random bytes after a real audio header decode to something), never a
    5xx, and the server stays up."""
    statuses: dict[int, int] = {}
    with httpx.Client(base_url=fuzz_server.base_url, timeout=30) as http:

        @settings(max_examples=2000, deadline=None, database=None)
        @given(upload_requests())
        def fuzz(request):
            headers, body = request
            r = http.post("/api/recordings/score", content=body, headers=headers)
            statuses[r.status_code] = statuses.get(r.status_code, 0) + 1
            assert r.status_code in (200, 400, 413, 415, 422), (r.status_code, r.text[:300])
            assert r.json()["detail"] if r.status_code != 200 else r.json()["transcript"]

        fuzz()
        assert http.get("/api/health").json()["status"] == "ok"
    assert "Traceback" not in fuzz_server.log()
    assert {415, 422} <= set(statuses), statuses
