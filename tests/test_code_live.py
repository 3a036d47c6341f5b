"""The coding workspace over a real socket: a real server (uvicorn on a loopback port, multi-user
mode, SQLite and PostgreSQL) with the real sandbox and suites. Speech models are stand-ins:
the synthesizer is a tone, and the recognizer hears one scripted k-means answer in any speech
(the real models are not what is tested here; the shared speech clip drives the real VAD)."""

from __future__ import annotations

import asyncio

import httpx
import numpy as np
import pytest
import websockets

from audio.pcm import SAMPLE_RATE, load_audio
from audio.stt import Segment, Word
from coding.suites import SUITES_ROOT, load_suite
from server.config import Settings
from server.db import make_engine
from server.store import Store
from tests.conftest import free_port
from tests.fakes import stand_in_services
from tests.test_accounts import cookie_header, sign_up
from tests.test_live import answer, idle_until, listening
from tests.threadserver import ThreadServer
from tests.wsclient import LiveClient

SPOKEN = (
    "I pick k starting centroids with k-means plus plus using a fixed seed. Then I assign "
    "every point to its nearest centroid and recompute each centroid as the mean of its "
    "points, because that minimises the squared distance. If a cluster ends up empty I "
    "re-seed it with the point farthest from its centroid, so it never becomes NaN."
)


class ScriptedRecognizer:
    """Hears ``SPOKEN`` in any stretch of speech, its words spread over the audio."""

    def is_common_word(self, word: str) -> bool:
        return True

    def recognize(self, audio, *, prompt=None, fast=False) -> list[Segment]:
        seconds = len(audio) / SAMPLE_RATE
        if seconds < 1.0 or float(np.sqrt(np.mean(np.square(audio)))) < 0.005:
            return []
        words = SPOKEN.split()
        step = seconds / len(words)
        timed = tuple(Word(w, i * step, (i + 1) * step) for i, w in enumerate(words))
        return [Segment(SPOKEN, 0.0, seconds, timed)]


scripted_services = stand_in_services(ScriptedRecognizer(), code_runner=True)


@pytest.fixture
def code_server(database_url, tmp_path):
    settings = Settings(
        data_dir=tmp_path / "data",
        database_url=database_url,
        port=free_port(),
        auth_mode="multi",
        warm_models=False,
        end_of_turn="text",
        silence_prompt_s=1e9,  # no nudges while the test types
    )
    with ThreadServer(settings, scripted_services) as server:
        server.database_url = database_url
        yield server


async def connect(server: ThreadServer, user: httpx.Client, first: dict) -> LiveClient:
    ws = await websockets.connect(
        server.ws_url, additional_headers={"Cookie": cookie_header(user)}, max_size=None
    )
    client = LiveClient(ws)
    await client.send_json(first)
    await client.wait_for("ready")
    return client


async def silence_frames(client: LiveClient, n: int) -> None:
    """``n`` frames (20 ms each) of silence: moves the session clock."""
    for _ in range(n):
        await client.ws.send(bytes(640))
        await asyncio.sleep(0.005)


def code_replies(client: LiveClient) -> list[dict]:
    return [e for e in client.got.of("reply_started") if e["kind"] == "code"]


def wrong_solution(question_id: str) -> tuple[str, set[str]]:
    """A wrong solution of the suite and the cases it must fail."""
    path = sorted((SUITES_ROOT / question_id / "wrong").glob("*.py"))[0]
    text = path.read_text()
    header = text.splitlines()[0]
    assert header.startswith("# expect-fail:"), path
    return text, {n.strip() for n in header.split(":", 1)[1].split(",")}


def test_a_coding_round_stores_snapshots_and_runs_and_the_interviewer_reacts(
    code_server, speech_clips
):
    server = code_server
    alice, alice_csrf = sign_up(server, "alice@example.com")
    bob, _ = sign_up(server, "bob@example.com")
    speech = load_audio(next(c for c in speech_clips if 5 < c.seconds < 9).path)

    async def main() -> dict:
        c = await connect(server, alice, {"type": "start", "protocol": 1, "round": "coding"})
        asked = await c.wait_for("reply_started")  # the first question
        qid = asked["question_id"]
        workspace = await c.wait_for("workspace")
        suite = load_suite(qid)
        await idle_until(c, lambda: listening(c))

        # Editor snapshots, each at a later moment of the session clock; a repeat is not stored.
        typed = [suite.starter + "\n# nearest centroid first\n", suite.starter + "\n# then means\n"]
        for text in [*typed, typed[-1]]:
            await c.send_json({"type": "code", "text": text, "question_id": qid})
            await silence_frames(c, 10)
        # A snapshot sent for another question (the editor had not switched yet) is refused.
        await c.send_json({"type": "code", "text": "stale", "question_id": "another-question"})
        stale = await c.wait_for("error", code="bad_message")

        # A wrong solution: the failing case comes back and the interviewer asks about it.
        wrong, expected = wrong_solution(qid)
        await c.send_json({"type": "run_code", "text": wrong})
        await c.send_json({"type": "run_code", "text": wrong})  # while the first one runs
        busy = await c.wait_for("error", code="run_in_progress")
        await idle_until(c, lambda: bool(c.got.of("code_result")))
        first = c.got.of("code_result")[0]
        await idle_until(c, lambda: len(code_replies(c)) == 1)
        reaction = code_replies(c)[0]
        await idle_until(c, lambda: listening(c))

        # The reference solution, run while the candidate talks (the voice path): its result
        # comes back mid-answer, so the interviewer says nothing then, and uses it as the
        # follow-up to the answer. The answer is graded with that run.
        solution = (SUITES_ROOT / qid / "solution.py").read_text()
        replies_before = len(c.got.of("reply_started"))
        spoken = asyncio.create_task(answer(c, speech))
        await asyncio.sleep(1.5)
        await c.send_json({"type": "run_code", "text": solution})
        while len(c.got.of("code_result")) < 2 and not spoken.done():  # the answer streams
            await asyncio.sleep(0.02)
        assert len(c.got.of("code_result")) == 2, "the run did not return while speaking"
        during = len(c.got.of("reply_started")) - replies_before
        await spoken
        await idle_until(c, lambda: listening(c))
        follow_up = c.got.of("reply_started")[replies_before]

        # The wrong solution again, after the answer: the stored grading takes the new run.
        await c.send_json({"type": "run_code", "text": wrong})
        await idle_until(c, lambda: len(c.got.of("code_result")) == 3)
        await idle_until(c, lambda: len(code_replies(c)) == 3)
        await idle_until(c, lambda: listening(c))
        sid = c.got.of("ready")[0]["session_id"]
        await c.close()  # dropped: the session is interrupted, and resumed below

        for _ in range(50):
            r = await connect(server, alice, {"type": "resume", "protocol": 1, "session_id": sid})
            if not r.got.of("error"):
                break
            await r.close()
            await asyncio.sleep(0.1)
        resumed_workspace = await r.wait_for("workspace")
        await r.send_json({"type": "stop"})
        await r.wait_for("session_ended")
        await r.close()
        return {
            "qid": qid,
            "suite": suite,
            "sid": sid,
            "workspace": workspace,
            "typed": typed,
            "wrong": wrong,
            "expected": expected,
            "busy": busy,
            "stale": stale,
            "results": c.got.of("code_result"),
            "running": c.got.of("code_running"),
            "reactions": code_replies(c),
            "solution": solution,
            "resumed": resumed_workspace,
            "first": first,
            "reaction": reaction,
            "during": during,
            "follow_up": follow_up,
        }

    got = asyncio.run(main())
    suite, qid, sid = got["suite"], got["qid"], got["sid"]
    names = [case.name for case in suite.cases]

    # workspace: starter, visible examples only
    ws = got["workspace"]
    assert ws["question_id"] == qid and ws["language"] == "python"
    assert ws["starter"] == suite.starter == ws["code"]
    assert [e["name"] for e in ws["examples"]] == [case.name for case in suite.examples]
    assert len(ws["examples"]) < len(names), "hidden tests are not shown before a run"

    # code_result: right counts, the expected failure, a reaction quoting it
    assert "already running" in got["busy"]["message"]
    assert "another question" in got["stale"]["message"]
    assert [r["run_id"] for r in got["running"]] == [1, 2, 3]
    bad, good, bad_again = got["results"]
    assert bad["run_id"] == 1 and bad["question_id"] == qid
    assert bad["total"] == len(names) and [c["name"] for c in bad["cases"]] == names
    assert bad["passed"] + bad["failed"] == bad["total"] and bad["failed"] >= 1
    failing = {c["name"] for c in bad["cases"] if not c["ok"]}
    assert got["expected"] <= failing
    first_fail = next(c for c in bad["cases"] if not c["ok"])
    reaction = got["reactions"][0]["text"]
    assert f"The test for {first_fail['description']} fails" in reaction
    assert first_fail["message"].split()[0] in reaction
    assert good["passed"] == good["total"] == len(names) and good["failed"] == 0
    assert good["limits_hit"] is None and good["at_ms"] > bad["at_ms"]
    # mid-answer: nothing said while talking; the follow-up to the answer is the reaction
    assert got["during"] == 0
    assert got["follow_up"]["kind"] == "code" and got["follow_up"] == got["reactions"][1]
    assert f"All {len(names)} tests pass." in got["follow_up"]["text"]
    assert bad_again["passed"] == bad["passed"] and bad_again["at_ms"] > good["at_ms"]
    assert f"The test for {first_fail['description']} fails" in got["reactions"][2]["text"]

    # resume: the workspace holds the last snapshot (the wrong solution, run last)
    assert got["resumed"]["question_id"] == qid and got["resumed"]["code"] == got["wrong"]

    # stored, served to the owner only
    code = alice.get(f"/api/sessions/{sid}/code")
    assert code.status_code == 200, code.text
    data = code.json()
    texts = [s["text"] for s in data["snapshots"]]
    assert texts == [*got["typed"], got["wrong"], got["solution"], got["wrong"]]
    at = [s["at_ms"] for s in data["snapshots"]]
    assert at == sorted(at) and len(set(at)) == len(at), at
    assert [(r["passed"], r["total"]) for r in data["runs"]] == [
        (bad["passed"], bad["total"]),
        (good["passed"], good["total"]),
        (bad["passed"], bad["total"]),
    ]
    assert data["runs"][0]["code"] == got["wrong"] and data["runs"][0]["at_ms"] == bad["at_ms"]
    assert data["runs"][0]["cases"] == bad["cases"]
    assert bob.get(f"/api/sessions/{sid}/code").status_code == 404
    assert alice.get("/api/sessions/00000000000000000000000000000000/code").status_code == 404

    # the grading combines the tests (the latest run, after the answer: failing) with the
    # narration
    [score] = alice.get(f"/api/sessions/{sid}").json()["scores"]
    sources = {c["id"]: c["source"] for c in score["criteria"]}
    assert sources.pop("code_correctness") == "tests"
    assert set(sources.values()) == {"narration"}
    correctness = next(c for c in score["criteria"] if c["id"] == "code_correctness")
    assert correctness["score"] < 4
    assert score["tests"]["passed"] == bad["passed"] and score["tests"]["total"] == len(names)
    assert f"From the tests: {bad['passed']} of {len(names)} tests pass" in score["summary"]
    assert first_fail["name"] in score["tests"]["failing"]

    # export includes the code; delete removes it
    exported = alice.get(f"/api/sessions/{sid}/export", params={"format": "json"}).json()
    assert len(exported["code"]["runs"]) == 3 and len(exported["code"]["snapshots"]) == 5
    assert "## Code" in alice.get(f"/api/sessions/{sid}/export").text
    gone = alice.delete(f"/api/sessions/{sid}", headers={"X-CSRF-Token": alice_csrf})
    assert gone.status_code == 204
    assert alice.get(f"/api/sessions/{sid}/code").status_code == 404
    store = Store(make_engine(server.database_url))
    assert store.list_code_snapshots(sid) == [] and store.list_code_runs(sid) == []
    store.engine.dispose()


def test_code_outside_a_coding_question_is_refused_and_the_session_goes_on(code_server):
    user, _ = sign_up(code_server, "carol@example.com")

    async def main() -> tuple[dict, list[dict], str]:
        c = await connect(code_server, user, {"type": "start", "protocol": 1, "round": "star"})
        workspace = await c.wait_for("workspace")
        await c.send_json({"type": "code", "text": "print('hi')"})
        await c.send_json({"type": "run_code", "text": "print('hi')"})
        await c.send_json({"type": "ping", "id": "after"})
        await c.wait_for("pong", id="after")
        await asyncio.sleep(0.2)
        errors = c.got.of("error")
        await c.send_json({"type": "stop"})
        await c.wait_for("session_ended")
        sid = c.got.of("ready")[0]["session_id"]
        await c.close()
        return workspace, errors, sid

    workspace, errors, sid = asyncio.run(main())
    assert workspace == {"type": "workspace", "question_id": None}
    assert [e["code"] for e in errors] == ["bad_message", "bad_message"]
    assert all("not a coding question" in e["message"] for e in errors)
    assert errors[0]["message"].startswith("code:") and errors[1]["message"].startswith("run_code:")
    assert user.get(f"/api/sessions/{sid}/code").json() == {"snapshots": [], "runs": []}
