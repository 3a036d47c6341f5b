"""The coding workspace in a real browser (Debian's chromium, headless, Playwright).

Two kinds of test:
- Scripted: the page talks to a scripted WebSocket server (Playwright routes `/ws`), so the
  protocol handling is checked message by message: the editor opens on `workspace`, Space
  and Enter type into it instead of ending the answer, snapshots are debounced, Run sends
  `code` then `run_code`, `code_running` and `code_result` show, `workspace(null)` hides it.
  The review replay is checked against a scripted `/api/sessions/{id}/code`.
- Live: a real server with the real models and the real sandbox. A solution is typed into
  the editor (partly with the keyboard, the rest pasted through the editor), run against the
  question's suite, and the result panel shows the counts; a wrong solution shows its failing
  case; the review page shows the code as it was at a chosen time of the recording.
"""

from __future__ import annotations

import ast
import functools
import http.server
import io
import json
import threading
import time
import wave
from pathlib import Path

import httpx
import numpy as np
import pytest

from audio.pcm import SAMPLE_RATE
from tests.conftest import REPO, start_server, stop_server
from tests.test_browser import ARTIFACTS, launch, write_wav

pytestmark = [pytest.mark.browser]

WEB = REPO / "web"
SUITES = REPO / "rubrics" / "code"

KMEANS_STARTER = "def kmeans(X, k):\n    raise NotImplementedError\n"
EXAMPLES = [
    {"name": "test_three_separated_blobs", "description": "Three separated blobs are found."},
    {"name": "test_output_shapes", "description": "Centroids and labels have the right shapes."},
]


# ---------- helpers ----------


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # keep the test output clean
        pass


@pytest.fixture(scope="module")
def static_site():
    """The web/ folder on a loopback port (no interview server: its socket is scripted)."""
    handler = functools.partial(_QuietHandler, directory=str(WEB))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def silent_mic(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("mic") / "silence.wav"
    write_wav(path, np.zeros(SAMPLE_RATE * 5, dtype=np.float32))
    return path


class ScriptedSocket:
    """The server side of the page's WebSocket: records what the page sends, sends what the
    test says. `start` is answered with `ready`, the first question and its `workspace`."""

    def __init__(self) -> None:
        self.ws = None
        self.got: list[dict] = []
        self.stored = KMEANS_STARTER  # the code the server has, sent again after `resume`

    def attach(self, ws) -> None:
        self.ws = ws
        ws.on_message(self._on_message)

    def _on_message(self, message) -> None:
        if isinstance(message, bytes):
            return  # microphone frames
        msg = json.loads(message)
        self.got.append(msg)
        if msg["type"] in ("code", "run_code"):
            self.stored = msg["text"]
        if msg["type"] in ("start", "resume"):
            self.send(
                type="ready",
                protocol=1,
                session_id="s-scripted",
                sample_rate=16000,
                frame_bytes=640,
                resumed=msg["type"] == "resume",
            )
            self.send(
                type="reply_started",
                reply_id=1,
                text="Implement k-means from scratch, and talk me through it.",
                question_id="kmeans-from-scratch",
                kind="question",
                attempt=1,
                feedback_for=None,
            )
            self.workspace()
            self.send(type="reply_done", reply_id=1, interrupted=False)
            self.send(type="state", state="listening")

    def workspace(self, question_id: str | None = "kmeans-from-scratch") -> None:
        if question_id is None:
            self.send(type="workspace", question_id=None)
            return
        self.send(
            type="workspace",
            question_id=question_id,
            attempt=1,
            language="python",
            starter=KMEANS_STARTER,
            code=self.stored,
            examples=EXAMPLES,
        )

    def send(self, **msg) -> None:
        self.ws.send(json.dumps(msg))

    def of(self, kind: str) -> list[dict]:
        return [m for m in self.got if m["type"] == kind]


def editor_text(page) -> str:
    return page.evaluate("window.coachDebug.editor.getText()")


def wait_until(page, predicate, timeout: float = 5.0, what: str = "condition") -> None:
    """Poll `predicate` while Playwright runs (its callbacks, like the scripted socket's,
    are delivered only inside Playwright calls, so no time.sleep here)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        page.wait_for_timeout(50)
    raise AssertionError(f"timed out waiting for {what}")


# ---------- scripted server ----------


def test_workspace_follows_the_protocol(static_site, silent_mic):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    sock = ScriptedSocket()
    with sync_playwright() as p:
        browser = launch(p, silent_mic)
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.route_web_socket("**/ws", sock.attach)
        page.goto(static_site + "/")
        page.select_option("#round", "coding")
        page.click("#start")

        # `workspace`: the CodeMirror editor (from the local bundle) with the starter code.
        page.wait_for_selector("#workspace .cm-editor .cm-content", timeout=15_000)
        assert sock.of("start")[0]["round"] == "coding"
        assert page.evaluate("window.coachDebug.editorKind") == "codemirror"
        assert editor_text(page) == KMEANS_STARTER
        assert page.locator("#ws-example-list li").count() == 2
        assert "Three separated blobs" in page.inner_text("#ws-examples")
        assert page.locator(".cm-gutters .cm-lineNumbers").count() == 1
        assert page.locator("#interview.has-workspace").count() == 1

        # Typing: Space and Enter go into the code, not to "I'm done"; one snapshot is sent
        # once typing stops, with the whole text.
        page.click("#workspace .cm-content")
        page.keyboard.press("Control+End")
        page.keyboard.type("def centre(points):")
        page.keyboard.press("Enter")
        page.keyboard.type("return points.mean(0)")
        expected = KMEANS_STARTER + "def centre(points):\n    return points.mean(0)"
        assert editor_text(page) == expected  # Enter after ':' indents by 4 spaces
        assert page.locator(".cm-content .cm-line").count() >= 4
        page.wait_for_timeout(250)
        assert sock.of("code") == [], "a snapshot is sent only after typing stops"
        wait_until(page, lambda: sock.of("code"), what="the debounced snapshot")
        page.wait_for_timeout(700)
        assert [m["text"] for m in sock.of("code")] == [expected]
        assert sock.of("end_turn") == []
        # Outside the editor, Space still ends the answer.
        page.click("#interviewer-text")
        page.keyboard.press("Space")
        wait_until(page, lambda: sock.of("end_turn"), what="end_turn from Space outside the editor")

        # Ctrl+Enter in the editor: `code` then `run_code` with the text; running indicator.
        page.click("#workspace .cm-content")
        page.keyboard.press("Control+End")
        page.keyboard.press("Enter")
        page.keyboard.press("Backspace")  # back to column 0 (one indent unit)
        page.keyboard.type("print(centre)")
        page.keyboard.press("Control+Enter")
        wait_until(page, lambda: sock.of("run_code"), what="run_code")
        text = editor_text(page)
        assert text.endswith("\n    return points.mean(0)\nprint(centre)")
        kinds = [m["type"] for m in sock.got if m["type"] in ("code", "run_code")]
        assert kinds[-2:] == ["code", "run_code"]
        assert sock.of("run_code")[-1]["text"] == text == sock.of("code")[-1]["text"]
        sock.send(type="code_running", run_id=1)
        page.wait_for_selector('#run[aria-busy="true"]')
        assert "Running" in page.inner_text("#ws-status")
        # A second run while one runs is not sent.
        page.click("#run")
        page.wait_for_timeout(200)
        assert len(sock.of("run_code")) == 1

        # `code_result`: counts, each case, the hidden marker, output, the limit in words.
        sock.send(
            type="code_result",
            run_id=1,
            question_id="kmeans-from-scratch",
            attempt=1,
            passed=2,
            failed=1,
            total=3,
            cases=[
                {
                    "name": "test_three_separated_blobs",
                    "ok": True,
                    "message": "",
                    "hidden": False,
                    "description": "Three separated blobs are found.",
                },
                {
                    "name": "test_empty_cluster_is_reseeded",
                    "ok": False,
                    "message": "cluster 2 has no points after the first step",
                    "hidden": True,
                    "description": "An empty cluster gets a new centroid.",
                },
                {
                    "name": "test_output_shapes",
                    "ok": True,
                    "message": "",
                    "hidden": False,
                    "description": "Centroids and labels have the right shapes.",
                },
            ],
            stdout="<function centre at 0x7f>\n" * 3,
            stderr="",
            limits_hit="cpu",
            error=None,
            seconds=5.21,
            at_ms=8000,
        )
        page.wait_for_selector("#ws-results .run-result")
        page.wait_for_selector('#run[aria-busy="false"]')
        result = page.locator("#ws-results .run-result")
        assert result.get_attribute("data-passed") == "2"
        assert result.get_attribute("data-total") == "3"
        assert "2 of 3 tests pass" in page.inner_text("#ws-results")
        assert "2 of 3 tests pass" in page.inner_text("#ws-status")
        assert "more than 5 s of CPU" in page.inner_text("#ws-results .run-limit")
        failing = page.locator('.case[data-ok="false"]')
        assert failing.count() == 1
        assert failing.get_attribute("data-name") == "test_empty_cluster_is_reseeded"
        assert "has no points" in failing.inner_text()
        assert "hidden test" in failing.inner_text()
        assert page.locator('.case[data-ok="true"]').count() == 2
        assert "centre" in page.inner_text("#ws-results .run-output.stdout pre")
        page.screenshot(path=str(ARTIFACTS / "code-workspace-scripted.png"))

        # The next question has no suite: the editor goes away.
        sock.workspace(None)
        page.wait_for_selector("#workspace", state="hidden")
        assert page.locator("#interview.has-workspace").count() == 0
        page.screenshot(path=str(ARTIFACTS / "code-workspace-hidden.png"))
        browser.close()
    assert not errors, errors


def test_reconnect_keeps_edits_made_while_disconnected(static_site, silent_mic):
    """Edits typed while the connection was down are kept over the server's older copy when
    `workspace` comes back after `resume`, and saved at once."""
    from playwright.sync_api import sync_playwright

    sock = ScriptedSocket()
    with sync_playwright() as p:
        browser = launch(p, silent_mic)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.route_web_socket("**/ws", sock.attach)
        page.goto(static_site + "/")
        page.select_option("#round", "coding")
        page.click("#start")
        page.wait_for_selector("#workspace .cm-editor .cm-content", timeout=15_000)
        page.click("#workspace .cm-content")
        page.keyboard.press("Control+End")
        page.keyboard.type("# saved")
        wait_until(page, lambda: sock.of("code"), what="the first snapshot")
        saved = editor_text(page)

        sock.ws.close()
        page.wait_for_selector("#reconnect:visible", timeout=10_000)
        page.click("#workspace .cm-content")
        page.keyboard.press("Control+End")
        page.keyboard.type(" and typed offline")
        page.wait_for_timeout(700)  # the snapshot can't go anywhere
        local = editor_text(page)
        assert local == saved + " and typed offline"

        page.click("#reconnect")
        wait_until(page, lambda: sock.of("resume"), what="resume")
        wait_until(page, lambda: sock.of("code")[-1]["text"] == local, what="the kept edits")
        assert editor_text(page) == local
        # After the reconnect the server has them: the next `workspace` sends them back.
        assert sock.stored == local
        browser.close()
    assert not errors, errors


def _wav_bytes(seconds: float) -> bytes:
    buf = io.BytesIO()
    t = np.arange(int(SAMPLE_RATE * seconds))
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SAMPLE_RATE)
        w.writeframes((np.sin(t / 9.0) * 2000).astype("<i2").tobytes())
    return buf.getvalue()


def test_review_code_follows_the_replay_scripted(static_site, silent_mic):
    """The replay's editor shows the last snapshot at or before the audio's time; runs are on
    the timeline and in a list, and a run seeks there."""
    from playwright.sync_api import sync_playwright

    wav = _wav_bytes(30)
    session = {
        "id": "s1",
        "round": "coding",
        "mode": "study",
        "profile": "big_tech",
        "created_at": "2025-01-01T10:00:00Z",
        "duration_ms": 30000,
        "status": "completed",
    }
    turns = [
        {
            "index": 0,
            "speaker": "interviewer",
            "text": "Implement k-means.",
            "start_ms": 0,
            "end_ms": 3000,
            "kind": "question",
            "question_id": "kmeans-from-scratch",
            "attempt": 1,
            "interrupted": False,
            "reason": None,
            "words": [],
        }
    ]
    texts = ["def kmeans(X, k):\n    pass\n", "def kmeans(X, k):\n    return X[:k]\n"]

    def run(at_ms: int, text: str, ok: bool) -> dict:
        cases = [
            {"name": n, "ok": ok, "message": "" if ok else "wrong", "hidden": False,
             "description": n}
            for n in ("test_a", "test_b")
        ]  # fmt: skip
        return {
            "question_id": "kmeans-from-scratch",
            "attempt": 1,
            "at_ms": at_ms,
            "code": text,
            "passed": 2 if ok else 0,
            "failed": 0 if ok else 2,
            "total": 2,
            "cases": cases,
            "stdout": "",
            "stderr": "",
            "limits_hit": None,
            "error": None,
            "seconds": 0.2,
        }

    runs = [run(9000, texts[0], False), run(20000, texts[1], True)]
    code = {
        "snapshots": [
            {"question_id": "kmeans-from-scratch", "attempt": 1, "at_ms": 5000, "text": texts[0]},
            {"question_id": "kmeans-from-scratch", "attempt": 1, "at_ms": 20000, "text": texts[1]},
        ],
        "runs": runs,
    }
    bodies = {"sessions/s1": session, "sessions/s1/turns": turns, "sessions/s1/code": code}

    def api(route) -> None:
        url = route.request.url
        if url.endswith("/audio/mix.wav"):
            # Ranges, so that the browser can seek.
            rng = route.request.headers.get("range", "bytes=0-")
            start, _, end = rng.split("=", 1)[1].partition("-")
            a, z = int(start), int(end) if end else len(wav) - 1
            route.fulfill(
                status=206,
                body=wav[a : z + 1],
                headers={
                    "Content-Type": "audio/wav",
                    "Accept-Ranges": "bytes",
                    "Content-Range": f"bytes {a}-{z}/{len(wav)}",
                },
            )
            return
        path = url.split("/api/", 1)[1]
        if path in bodies:
            route.fulfill(status=200, json=bodies[path])
        else:
            route.fulfill(status=404, json={"detail": "not scripted"})

    with sync_playwright() as p:
        browser = launch(p, silent_mic)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.route("**/api/**", api)
        page.goto(static_site + "/session.html?id=s1")
        page.wait_for_function("window.reviewDebug.codeReady && window.reviewDebug.codeEditor")
        page.wait_for_function("document.querySelector('#audio').readyState >= 1")
        code_text = "window.reviewDebug.codeEditor.getText()"
        assert page.evaluate(code_text) == ""  # nothing saved yet at 0:00
        assert "first version was saved at 0:05" in page.inner_text(".code-replay .code-at")
        assert page.locator(".timeline .run-mark").count() == 2
        assert page.locator('.run-mark[data-outcome="pass"]').count() == 1
        assert page.locator(".code-replay .cm-content").get_attribute("contenteditable") == "false"

        page.evaluate("document.querySelector('#audio').currentTime = 12.5")
        page.wait_for_function("window.reviewDebug.codeAtMs === 5000")
        assert page.evaluate(code_text) == texts[0]
        assert page.evaluate("window.reviewDebug.codeRun") == 0
        assert "0 of 2 tests pass" in page.inner_text(".code-run-result")

        page.click('.run-jump[data-index="1"]')
        page.wait_for_function("window.reviewDebug.codeAtMs === 20000")
        assert page.evaluate(code_text) == texts[1]
        assert page.get_attribute('.run-jump[data-index="1"]', "aria-current") == "true"
        assert "All 2 tests pass" in page.inner_text(".code-run-result")
        page.screenshot(path=str(ARTIFACTS / "code-review-scripted.png"))

        page.locator(".timeline .run-mark").first.click()
        page.wait_for_function("window.reviewDebug.codeRun === 0")
        assert page.evaluate(code_text) == texts[0]
        browser.close()
    assert not errors, errors


# ---------- live: the real server, models and sandbox ----------


def _expect_fail(path: Path) -> list[str]:
    first = path.read_text().splitlines()[0]
    assert first.startswith("# expect-fail:"), path
    return [n.strip() for n in first.split(":", 1)[1].split(",") if n.strip()]


def _split_solution(source: str) -> tuple[str, str]:
    """The solution without its module docstring, as (leading import lines, the rest): the
    imports are typed with the keyboard, the rest is pasted."""
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    first = tree.body[0]
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
        lines = lines[first.end_lineno :]
    while lines and not lines[0].strip():
        lines.pop(0)
    head: list[str] = []
    while lines and (
        (lines[0].startswith(("import ", "from ")) and "(" not in lines[0]) or not lines[0].strip()
    ):
        head.append(lines.pop(0))
    while head and not head[-1].strip():  # blank lines after the imports go with the rest
        lines.insert(0, head.pop())
    return "".join(head), "".join(lines)


@pytest.fixture(scope="module")
def code_server(tmp_path_factory):
    # A long silence allowance: the candidate types without speaking, and the question must
    # stay while the test works.
    server = start_server(
        tmp_path_factory.mktemp("code-browser"), {"COACH_SILENCE_PROMPT_S": "600"}
    )
    yield server
    stop_server(server)


@pytest.fixture(scope="module")
def live_page(code_server, tmp_path_factory):
    """One live coding interview in chromium (silent microphone), at its first question."""
    from playwright.sync_api import sync_playwright

    mic = tmp_path_factory.mktemp("live-mic") / "silence.wav"
    write_wav(mic, np.zeros(SAMPLE_RATE * 600, dtype=np.float32))
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = launch(p, mic)
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(code_server.base_url + "/")
        page.select_option("#round", "coding")
        page.click("#start")
        page.wait_for_function("window.coachDebug.sessionId", timeout=30_000)
        page.wait_for_function(
            "window.coachDebug.workspace && window.coachDebug.editor", timeout=60_000
        )
        question = page.evaluate("window.coachDebug.workspace")
        assert (SUITES / question / "tests.py").is_file(), question
        yield {
            "page": page,
            "browser": browser,
            "question": question,
            "sid": page.evaluate("window.coachDebug.sessionId"),
            "errors": errors,
            "server": code_server,
        }
        browser.close()
    assert not errors, errors


def _run_and_wait(page, *, keyboard: bool) -> dict:
    """Run the editor's code (Ctrl+Enter or the button) and wait for its `code_result`."""
    before = page.evaluate("window.coachDebug.lastResult ? window.coachDebug.lastResult.run_id : 0")
    if keyboard:
        page.click("#workspace .cm-content")
        page.keyboard.press("Control+Enter")
    else:
        page.click("#run")
    page.wait_for_function(
        f"window.coachDebug.lastResult && window.coachDebug.lastResult.run_id > {before}",
        timeout=90_000,
    )
    page.wait_for_selector('#run[aria-busy="false"]')
    return page.evaluate("window.coachDebug.lastResult")


def _replace_code(page, text: str) -> None:
    page.click("#workspace .cm-content")
    page.keyboard.press("Control+a")
    page.keyboard.press("Delete")
    page.evaluate("(t) => window.coachDebug.editor.insert(t)", text)


@pytest.mark.models
def test_wrong_solution_shows_the_failing_case(live_page):
    page, question = live_page["page"], live_page["question"]
    wrong = sorted((SUITES / question / "wrong").glob("*.py"))[0]
    expected = _expect_fail(wrong)
    _replace_code(page, wrong.read_text())
    result = _run_and_wait(page, keyboard=True)
    assert result["question_id"] == question
    assert result["failed"] >= 1, result
    panel = page.locator("#ws-results .run-result")
    assert panel.get_attribute("data-outcome") in ("fail", "error")
    assert int(panel.get_attribute("data-failed")) == result["failed"]
    shown = page.locator('#ws-results .case[data-ok="false"]')
    failing = [shown.nth(i).get_attribute("data-name") for i in range(shown.count())]
    assert set(expected) <= set(failing), (expected, failing)
    case = page.locator(f'#ws-results .case[data-name="{expected[0]}"]')
    assert case.locator(".case-desc").inner_text().strip()  # described in words
    assert f"{result['passed']} of {result['total']} tests pass" in page.inner_text("#ws-status")
    page.locator('#ws-results .case[data-ok="false"]').first.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "code-live-wrong.png"))


@pytest.mark.models
def test_typed_solution_passes(live_page):
    page, question = live_page["page"], live_page["question"]
    head, rest = _split_solution((SUITES / question / "solution.py").read_text())
    page.click("#workspace .cm-content")
    page.keyboard.press("Control+a")
    page.keyboard.press("Delete")
    # Typed key by key: the imports, then a helper whose body the editor indents itself.
    for line in head.splitlines():
        page.keyboard.type(line)
        page.keyboard.press("Enter")
    page.keyboard.type("def _typed_in_the_browser(values):")
    page.keyboard.press("Enter")
    page.keyboard.type("return sorted(values)")
    page.keyboard.press("Enter")
    page.keyboard.press("Backspace")  # out of the body: one indent unit back
    typed = head + "def _typed_in_the_browser(values):\n    return sorted(values)\n"
    assert page.evaluate("window.coachDebug.editor.getText()") == typed
    # The rest is pasted at the cursor.
    page.evaluate("(t) => window.coachDebug.editor.insert(t)", rest)
    code = typed + rest
    assert page.evaluate("window.coachDebug.editor.getText()") == code
    started = time.monotonic()
    result = _run_and_wait(page, keyboard=False)
    elapsed = time.monotonic() - started
    assert result["failed"] == 0 and result["passed"] == result["total"] > 0, result
    assert result["limits_hit"] is None
    panel = page.locator("#ws-results .run-result")
    assert panel.get_attribute("data-outcome") == "pass"
    assert f"All {result['total']} tests pass" in page.inner_text("#ws-results")
    assert page.locator('#ws-results .case[data-ok="true"]').count() == result["total"]
    assert page.locator("#ws-results .case-hidden").count() >= 1  # hidden tests shown now
    page.screenshot(path=str(ARTIFACTS / "code-live-pass.png"))
    # The server stored the run and the text it ran.
    stored = httpx.get(
        f"{live_page['server'].base_url}/api/sessions/{live_page['sid']}/code", timeout=10
    ).json()
    assert stored["runs"][-1]["passed"] == result["passed"]
    assert stored["snapshots"][-1]["text"] == code
    assert elapsed < 60


def _ensure_two_runs(live: dict) -> None:
    """The review test also runs alone: make the runs the earlier tests would have made."""
    base, sid = live["server"].base_url, live["sid"]
    runs = httpx.get(f"{base}/api/sessions/{sid}/code", timeout=10).json()["runs"]
    page, question = live["page"], live["question"]
    if len(runs) < 1:
        _replace_code(page, sorted((SUITES / question / "wrong").glob("*.py"))[0].read_text())
        _run_and_wait(page, keyboard=True)
    if len(runs) < 2:
        time.sleep(1.5)  # the two runs a moment apart on the session clock
        _replace_code(page, (SUITES / question / "solution.py").read_text())
        _run_and_wait(page, keyboard=False)


@pytest.mark.models
def test_review_shows_the_code_at_a_chosen_time(live_page):
    page, base, sid = live_page["page"], live_page["server"].base_url, live_page["sid"]
    _ensure_two_runs(live_page)
    page.click("#stop")
    page.wait_for_function("window.coachDebug.state === 'ended'", timeout=30_000)
    # The finished page keeps the last code on screen, read-only.
    assert page.locator("#workspace .cm-content").get_attribute("contenteditable") == "false"
    page.screenshot(path=str(ARTIFACTS / "code-live-finished.png"))

    stored = httpx.get(f"{base}/api/sessions/{sid}/code", timeout=10).json()
    snaps, runs = stored["snapshots"], stored["runs"]
    assert len(runs) >= 2 and snaps
    review = live_page["browser"].new_page(viewport={"width": 1440, "height": 900})
    errors = live_page["errors"]
    review.on("pageerror", lambda exc: errors.append(str(exc)))
    review.goto(f"{base}/session.html?id={sid}")
    review.wait_for_function(
        "window.reviewDebug.codeReady && window.reviewDebug.codeEditor", timeout=30_000
    )
    review.wait_for_function("document.querySelector('#audio').readyState >= 1")
    code_text = "window.reviewDebug.codeEditor.getText()"
    assert review.locator(".timeline .run-mark").count() == len(runs)
    assert review.locator(".run-jump").count() == len(runs)

    # A chosen time: just after the first run was asked for, the code is what was run then.
    first = runs[0]
    chosen = first["at_ms"] + 300
    want = [s for s in snaps if s["at_ms"] <= chosen][-1]
    review.evaluate(f"document.querySelector('#audio').currentTime = {chosen / 1000}")
    review.wait_for_function(f"window.reviewDebug.codeAtMs === {want['at_ms']}", timeout=10_000)
    assert review.evaluate(code_text) == want["text"] == first["code"]
    assert review.evaluate("window.reviewDebug.codeRun") == 0
    assert f"{first['passed']} of {first['total']} tests pass" in review.inner_text(
        ".code-run-result"
    )
    review.screenshot(path=str(ARTIFACTS / "code-live-review-first-run.png"))

    # The last run, from its entry in the list: the code that passed.
    last = len(runs) - 1
    review.click(f'.run-jump[data-index="{last}"]')
    review.wait_for_function(f"window.reviewDebug.codeRun === {last}", timeout=10_000)
    at_most = runs[last]["at_ms"]
    review.wait_for_function(
        f"window.reviewDebug.codeAtMs !== null && window.reviewDebug.codeAtMs <= {at_most}"
    )
    assert review.evaluate(code_text) == runs[last]["code"]
    review.screenshot(path=str(ARTIFACTS / "code-live-review.png"), full_page=True)
    review.close()
