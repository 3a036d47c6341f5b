"""Fuzzing a real server: 10,000 malformed WebSocket messages and 2,000 REST requests. The
server never crashes, every bad message gets the error the protocol names, and a session
running beside the fuzzed one is untouched."""

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
