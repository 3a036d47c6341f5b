"""Review in a real browser (Debian's chromium, headless, Playwright) of a session recorded
live: study-mode feedback, "Try again", a server restart, then replay, seek and progress.

The session is a real one: the shared speech clips streamed over the WebSocket to a real
server with the real models. The server is restarted before the review, so the pages read
only what the live session stored."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx
import numpy as np
import pytest

from audio.pcm import SAMPLE_RATE, load_audio
from tests.conftest import start_server, stop_server
from tests.test_browser import ARTIFACTS, launch, write_wav
from tests.test_live import answer, connect, idle_until, listening

pytestmark = [pytest.mark.models, pytest.mark.browser]

CLIPS = [
    "1221-135766-0002.wav",
    "sense_and_sensibility_01_austen_64kb-0890.wav",
    "sense_and_sensibility_01_austen_64kb-0870.wav",
    "1089-134686-0001.wav",
    "jfk.flac",
]


async def record_session(server, clips: list[np.ndarray]) -> dict:
    """Answer until the interviewer gives spoken feedback and moves on, ask to try that
    question again, answer it once more, then end the interview."""
    client = await connect(server, round="behavioral", mode="study")
    await idle_until(client, lambda: listening(client))
    feedback = None
    used = 0
    while feedback is None and used < len(clips) - 1:
        await answer(client, clips[used])
        used += 1
        reply = client.got.of("reply_started")[-1]
        if reply.get("feedback_for"):
            feedback = reply
        await idle_until(client, lambda: listening(client), timeout=90)
    assert feedback is not None, [e for e in client.got.of("reply_started")]
    n = len(client.got.of("reply_started"))
    await client.send_json({"type": "retry"})
    await idle_until(client, lambda: len(client.got.of("reply_started")) > n)
    again = client.got.of("reply_started")[-1]
    await idle_until(client, lambda: listening(client), timeout=90)
    await answer(client, clips[used])
    await idle_until(client, lambda: listening(client), timeout=90)
    await client.send_json({"type": "stop"})
    await client.wait_for("session_ended", timeout=30)
    await client.close()
    return {
        "id": client.got.of("ready")[0]["session_id"],
        "feedback": feedback,
        "again": again,
        "replies": client.got.of("reply_started"),
    }


@pytest.fixture(scope="module")
def recorded(tmp_path_factory, speech_clips):
    by_name = {c.path.name: c for c in speech_clips}
    clips = [load_audio(by_name[n].path) for n in CLIPS]
    data = tmp_path_factory.mktemp("review-live")
    server = start_server(data)
    try:
        session = asyncio.run(record_session(server, clips))
    finally:
        stop_server(server)
    restarted = start_server(data)  # replay must come from what was stored
    yield {**session, "server": restarted, "data": data}
    stop_server(restarted)


def test_study_feedback_and_try_again_are_recorded(recorded):
    fb, again = recorded["feedback"], recorded["again"]
    assert fb["kind"] == "question" and "Quick feedback:" in fb["text"]
    assert again["kind"] == "question" and again["attempt"] == 2
    assert again["question_id"] == fb["feedback_for"]
    assert again["text"].startswith("Sure, let's try that one again.")
    base = recorded["server"].base_url
    sid = recorded["id"]
    data = httpx.get(f"{base}/api/sessions/{sid}").json()
    attempts = {
        (t["question_id"], t["attempt"]) for t in data["turns"] if t["speaker"] == "candidate"
    }
    assert (fb["feedback_for"], 1) in attempts and (fb["feedback_for"], 2) in attempts
    assert {(s["question_id"], s["attempt"]) for s in data["scores"]} >= {
        (fb["feedback_for"], 1),
        (fb["feedback_for"], 2),
    }
    feedback = httpx.get(f"{base}/api/sessions/{sid}/feedback", timeout=120).json()
    retry = next(a for a in feedback["answers"] if a["attempt"] == 2)
    assert retry["comparison"]["previous_attempt"] == 1 and retry["comparison"]["criteria"]
    first = next(a for a in feedback["answers"] if a["attempt"] == 1)
    d = first["delivery"]
    assert d["words"] > 20 and 90 < d["wpm"] < 260 and d["pauses_from"] == "audio"
    assert d["time_to_first_word_ms"] is not None and d["time_to_first_word_ms"] < 3000
    assert 0.2 < feedback["delivery"]["talk_share"] < 0.9
    mix = httpx.get(f"{base}/api/sessions/{sid}/audio/mix.wav", headers={"Range": "bytes=0-11"})
    assert mix.status_code == 206 and mix.content[:4] == b"RIFF"


def _wait_time(page, predicate: str, timeout_ms: int = 15_000) -> float:
    page.wait_for_function(predicate, timeout=timeout_ms)
    return page.evaluate("document.querySelector('#audio').currentTime")


def test_replay_seek_and_progress_in_the_browser(recorded, tmp_path):
    from playwright.sync_api import sync_playwright

    base, sid = recorded["server"].base_url, recorded["id"]
    ARTIFACTS.mkdir(exist_ok=True)
    mic = tmp_path / "mic.wav"
    write_wav(mic, np.zeros(SAMPLE_RATE, dtype=np.float32))
    with sync_playwright() as p:
        browser = launch(p, mic)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))

        # The session list links to the replay.
        page.goto(f"{base}/sessions.html")
        page.wait_for_selector(f'tr[data-session="{sid}"]')
        page.screenshot(path=str(ARTIFACTS / "review-sessions.png"), full_page=True)
        page.click(f'tr[data-session="{sid}"] .session-link')
        page.wait_for_function("window.reviewDebug && window.reviewDebug.ready", timeout=15_000)
        assert f"id={sid}" in page.url
        page.wait_for_function("window.reviewDebug.feedbackReady", timeout=120_000)
        page.wait_for_function("document.querySelector('#audio').readyState >= 1")

        # Both voices on the timeline; the feedback card beside each answer.
        assert page.locator(".lane-interviewer span").count() >= 3
        assert page.locator(".lane-candidate span").count() >= 3
        assert page.locator('section.answer[data-attempt="2"] .feedback .compare').count() == 1
        assert page.locator(".feedback .quote").count() >= 1 or page.locator(".feedback").count()

        # Play: the audio position moves.
        page.click("#play")
        moved = _wait_time(page, "document.querySelector('#audio').currentTime > 0.6")
        assert moved > 0.6
        page.screenshot(path=str(ARTIFACTS / "review-session-playing.png"))

        # Click a transcript line of the second attempt: playback jumps there and the line
        # is highlighted.
        line = page.locator(
            'section.answer[data-attempt="2"] .line[data-speaker="candidate"]'
        ).first
        start_ms = int(line.get_attribute("data-start"))
        line.locator(".line-text").click()
        at = _wait_time(
            page,
            f"Math.abs(document.querySelector('#audio').currentTime - {start_ms / 1000}) < 1.5",
        )
        assert abs(at - start_ms / 1000) < 1.5
        time.sleep(0.8)
        after = page.evaluate("document.querySelector('#audio').currentTime")
        assert after > at, "playback should go on from the clicked line"
        assert line.get_attribute("aria-current") == "true"
        line.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "review-session-seeked.png"))

        # An evidence quote seeks to its moment too.
        quotes = page.locator(".feedback .quote")
        if quotes.count():
            q_ms = int(quotes.first.get_attribute("data-ms"))
            quotes.first.click()
            _wait_time(
                page,
                f"Math.abs(document.querySelector('#audio').currentTime - {q_ms / 1000}) < 1.5",
            )
        # The timeline is a keyboard slider.
        page.click("#play")  # pause
        page.focus("#timeline")
        before = page.evaluate("document.querySelector('#audio').currentTime")
        page.keyboard.press("ArrowRight")
        page.wait_for_function(
            f"document.querySelector('#audio').currentTime > {before + 3}", timeout=5_000
        )
        page.screenshot(path=str(ARTIFACTS / "review-session-full.png"), full_page=True)

        # Progress: charts of criteria and delivery, and what to practise next.
        page.click('.site-nav a[data-page="progress"]')
        page.wait_for_function("window.progressDebug && window.progressDebug.ready", timeout=60_000)
        assert page.locator("svg.chart").count() >= 5
        assert page.locator('[data-series="wpm"] svg.chart').count() == 1
        page.screenshot(path=str(ARTIFACTS / "review-progress.png"), full_page=True)

        # Phone-sized replay.
        phone = browser.new_page(viewport={"width": 390, "height": 844})
        phone.on("pageerror", lambda exc: errors.append(str(exc)))
        phone.goto(f"{base}/session.html?id={sid}")
        phone.wait_for_function(
            "window.reviewDebug && window.reviewDebug.feedbackReady", timeout=60_000
        )
        phone.screenshot(path=str(ARTIFACTS / "review-session-phone.png"))
        phone.goto(f"{base}/session.html?id=nope")
        phone.wait_for_selector(".state-box")
        assert "not found" in phone.inner_text(".state-box").lower()
        browser.close()
    assert not errors, errors


def test_finished_interview_links_to_its_review(recorded, tmp_path):
    """The live page: start, end at once; the finished panel links to the replay."""
    from playwright.sync_api import sync_playwright

    base = recorded["server"].base_url
    mic = tmp_path / "mic.wav"
    write_wav(mic, np.zeros(SAMPLE_RATE * 60, dtype=np.float32))
    with sync_playwright() as p:
        browser = launch(p, mic)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(f"{base}/?round=star")
        assert page.input_value("#round") == "star"  # "Practise next" links preselect
        page.click("#start")
        page.wait_for_function("window.coachDebug.sessionId", timeout=20_000)
        sid = page.evaluate("window.coachDebug.sessionId")
        page.click("#stop")
        page.wait_for_selector("#review-link:visible", timeout=20_000)
        assert page.get_attribute("#review-link", "href") == f"session.html?id={sid}"
        page.click("#review-link")
        page.wait_for_function("window.reviewDebug && window.reviewDebug.ready", timeout=15_000)
        browser.close()


def test_review_pages_load_without_a_session(tmp_path):
    """Empty states: no sessions yet, and a replay page without an id."""
    from playwright.sync_api import sync_playwright

    server = start_server(Path(tmp_path) / "empty")
    try:
        mic = tmp_path / "mic.wav"
        write_wav(mic, np.zeros(SAMPLE_RATE, dtype=np.float32))
        with sync_playwright() as p:
            browser = launch(p, mic)
            page = browser.new_page()
            for url, text in (
                ("/sessions.html", "no interviews yet"),
                ("/progress.html", "no graded sessions yet"),
                ("/session.html", "no session chosen"),
            ):
                page.goto(server.base_url + url)
                page.wait_for_selector(".state-box")
                assert text in page.inner_text(".state-box").lower(), url
            browser.close()
    finally:
        stop_server(server)
