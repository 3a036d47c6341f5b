"""Multi-user mode: each person reads, replays and deletes only their own sessions; cookies,
CSRF and the WebSocket's Origin and login checks."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
import websockets

from server.config import Settings
from tests.conftest import start_server, stop_server
from tests.test_live import idle_until, listening
from tests.wsclient import LiveClient

pytestmark = pytest.mark.models


@pytest.fixture(scope="module")
def multi_server(tmp_path_factory):
    server = start_server(tmp_path_factory.mktemp("multi"), {"COACH_AUTH_MODE": "multi"})
    yield server
    stop_server(server)


def sign_up(server, email: str) -> tuple[httpx.Client, str]:
    client = httpx.Client(base_url=server.base_url)
    r = client.post("/api/auth/signup", json={"email": email, "password": "correct horse 42"})
    assert r.status_code == 201, r.text
    cookie = r.headers.get_list("set-cookie")
    assert any("coach_session=" in c and "HttpOnly" in c and "SameSite=strict" in c for c in cookie)
    return client, r.json()["csrf_token"]


def cookie_header(client: httpx.Client) -> str:
    return "; ".join(f"{k}={v}" for k, v in client.cookies.items())


async def record_session(server, client: httpx.Client) -> str:
    ws = await websockets.connect(
        server.ws_url, additional_headers={"Cookie": cookie_header(client)}
    )
    live = LiveClient(ws)
    await live.send_json({"type": "start", "protocol": 1, "round": "star"})
    await live.wait_for("ready")
    await idle_until(live, lambda: listening(live))
    await live.send_json({"type": "stop"})
    await live.wait_for("session_ended")
    await live.close()
    return live.got.of("ready")[0]["session_id"]


def test_local_mode_is_refused_on_a_public_address():
    with pytest.raises(ValueError, match="loopback"):
        Settings(host="0.0.0.0", auth_mode="local").check()
    assert Settings(host="0.0.0.0").multi_user
    assert not Settings(host="127.0.0.1").multi_user


def test_sessions_are_private_to_their_owner(multi_server):
    alice, alice_csrf = sign_up(multi_server, "alice@example.com")
    bob, bob_csrf = sign_up(multi_server, "bob@example.com")
    sid = asyncio.run(record_session(multi_server, alice))

    assert alice.get(f"/api/sessions/{sid}").status_code == 200
    assert [s["id"] for s in alice.get("/api/sessions").json()] == [sid]
    assert bob.get("/api/sessions").json() == []
    for path in (
        f"/api/sessions/{sid}",
        f"/api/sessions/{sid}/audio/candidate.wav",
        f"/api/sessions/{sid}/audio/interviewer.wav",
    ):
        r = bob.get(path)
        assert r.status_code == 404 and "stack" not in r.text.lower(), path
    # guessed ids and path tricks
    for path in (
        "/api/sessions/00000000000000000000000000000000",
        f"/api/sessions/{sid}/audio/..%2F..%2Fcoach.db.wav",
        "/api/sessions/..%2F..%2Fcoach.db",
        f"/api/sessions/{sid}/audio/../../../coach.db",
    ):
        assert alice.get(path).status_code == 404, path
    # Bob cannot delete it; without the CSRF token Alice cannot either; with it she can.
    assert bob.delete(f"/api/sessions/{sid}", headers={"X-CSRF-Token": bob_csrf}).status_code == 404
    assert alice.delete(f"/api/sessions/{sid}").status_code == 403
    evil = {"X-CSRF-Token": alice_csrf, "Origin": "http://evil.example"}
    assert alice.delete(f"/api/sessions/{sid}", headers=evil).status_code == 403
    ok = alice.delete(f"/api/sessions/{sid}", headers={"X-CSRF-Token": alice_csrf})
    assert ok.status_code == 204
    assert alice.get(f"/api/sessions/{sid}").status_code == 404
    assert not (multi_server.data_dir / "recordings" / sid).exists()


def test_requests_without_login_are_refused(multi_server):
    anon = httpx.Client(base_url=multi_server.base_url)
    assert anon.get("/api/sessions").status_code == 401
    assert anon.get("/api/auth/me").status_code == 401
    r = anon.post("/api/auth/login", json={"email": "alice@example.com", "password": "nope"})
    assert r.status_code == 401 and "wrong email or password" in r.text

    async def ws_without_cookie():
        try:
            async with websockets.connect(multi_server.ws_url) as ws:
                await ws.recv()
        except websockets.InvalidStatus as exc:
            return exc.response.status_code
        except websockets.ConnectionClosed as exc:
            return exc.rcvd.code if exc.rcvd else None
        return None

    assert asyncio.run(ws_without_cookie()) in (403, 1008)


def test_resume_of_another_users_session_is_forbidden(multi_server):
    carol, _ = sign_up(multi_server, "carol@example.com")
    dave, _ = sign_up(multi_server, "dave@example.com")
    sid = asyncio.run(record_session(multi_server, carol))

    async def dave_resumes():
        ws = await websockets.connect(
            multi_server.ws_url, additional_headers={"Cookie": cookie_header(dave)}
        )
        live = LiveClient(ws)
        await live.send_json({"type": "resume", "protocol": 1, "session_id": sid})
        err = await live.wait_for("error")
        await live.close()
        return err

    assert asyncio.run(dave_resumes())["code"] == "forbidden"


def test_websocket_refuses_a_foreign_origin(multi_server):
    erin, _ = sign_up(multi_server, "erin@example.com")

    async def from_evil_page():
        try:
            async with websockets.connect(
                multi_server.ws_url,
                additional_headers={"Cookie": cookie_header(erin)},
                origin="http://evil.example",
            ) as ws:
                await ws.send(json.dumps({"type": "start", "protocol": 1}))
                await ws.recv()
        except websockets.InvalidStatus as exc:
            return exc.response.status_code
        except websockets.ConnectionClosed as exc:
            return exc.rcvd.code if exc.rcvd else None
        return "accepted"

    assert asyncio.run(from_evil_page()) in (403, 1008)


def test_duplicate_signup_and_weak_password(multi_server):
    sign_up(multi_server, "frank@example.com")
    anon = httpx.Client(base_url=multi_server.base_url)
    dup = anon.post(
        "/api/auth/signup", json={"email": "frank@example.com", "password": "another pass 99"}
    )
    assert dup.status_code == 409
    weak = anon.post("/api/auth/signup", json={"email": "g@example.com", "password": "short"})
    assert weak.status_code == 422 and "10 characters" in weak.text


def test_scoring_a_recording_needs_login_and_the_csrf_token(multi_server, speech_clips):
    jfk = next(c for c in speech_clips if c.path.name == "jfk.flac").path.read_bytes()
    path, form = "/api/recordings/score", {"question_id": "star-tight-deadline"}

    def upload(client: httpx.Client, headers: dict | None = None) -> httpx.Response:
        return client.post(path, data=form, files={"file": ("a.flac", jfk)}, headers=headers)

    anon = httpx.Client(base_url=multi_server.base_url, timeout=60)
    r = upload(anon)
    assert r.status_code == 401 and r.json()["detail"] == "sign in first"
    helen, csrf = sign_up(multi_server, "helen@example.com")
    helen.timeout = httpx.Timeout(60)
    r = upload(helen)
    assert r.status_code == 403 and "x-csrf-token" in r.json()["detail"]
    r = upload(helen, {"X-CSRF-Token": csrf, "Origin": "http://evil.example"})
    assert r.status_code == 403 and "cross-origin" in r.json()["detail"]
    r = upload(helen, {"X-CSRF-Token": csrf})
    assert r.status_code == 200 and "your country" in r.json()["transcript"]
    assert helen.get("/api/sessions").json() == []  # a check of a recording, not a session
