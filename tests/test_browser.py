"""One real-browser interview: Debian's chromium, headless, driven by Playwright, with a speech
clip fed in as the microphone. The page must show the transcript and play the reply."""

from __future__ import annotations

import shutil
import time
import wave
from pathlib import Path

import numpy as np
import pytest

from audio.pcm import SAMPLE_RATE, float_to_int16, load_audio
from audio.wer import wer

pytestmark = [pytest.mark.models, pytest.mark.browser]

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"


def write_wav(path: Path, audio: np.ndarray) -> None:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SAMPLE_RATE)
        w.writeframes(float_to_int16(audio).tobytes())


def launch(playwright, mic_wav: Path):
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.fail(
            "Debian's chromium is missing: `make test` installs it (apt-get install chromium)"
        )
    return playwright.chromium.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=[
            "--no-sandbox",
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-audio-capture={mic_wav}",
            "--autoplay-policy=no-user-gesture-required",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--disable-gpu",
        ],
    )


def test_browser_answers_one_question(live_server, speech_clips, tmp_path):
    from playwright.sync_api import sync_playwright

    clip = next(c for c in speech_clips if c.path.name == "jfk.flac")
    # Silence while the interviewer asks the first question, then the answer, then silence.
    # (Chromium loops the file, so the trailing silence must outlast the test.)
    lead = 24.0
    mic = np.concatenate(
        [np.zeros(int(lead * SAMPLE_RATE)), load_audio(clip.path), np.zeros(90 * SAMPLE_RATE)]
    ).astype(np.float32)
    mic_wav = tmp_path / "mic.wav"
    write_wav(mic_wav, mic)
    ARTIFACTS.mkdir(exist_ok=True)

    with sync_playwright() as p:
        browser = launch(p, mic_wav)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(live_server.base_url + "/")
        page.select_option("#round", "behavioral")
        page.click("#start")
        page.wait_for_selector("#recording:visible", timeout=20_000)
        # The opening question plays in the page.
        page.wait_for_function("window.coachDebug.playedSamples > 16000", timeout=30_000)
        opening = page.inner_text("#interviewer-text")
        assert len(opening.split()) > 5
        # The answer is heard, transcribed and shown.
        page.wait_for_selector(
            '#log .turn[data-speaker="candidate"]', timeout=int((lead + 40) * 1000)
        )
        # A pause inside the answer may end the turn early (JFK pauses after "Americans,",
        # and it sounds finished); what follows then continues the answer as a new line.
        deadline = time.monotonic() + 40
        while True:
            text = " ".join(
                page.locator('#log .turn[data-speaker="candidate"] .text').all_inner_texts()
            )
            if wer(clip.transcript, text) < 0.35 or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        played_at_transcript = page.evaluate("window.coachDebug.playedSamples")
        # ...and the interviewer's reply plays.
        page.wait_for_function(
            f"window.coachDebug.playedSamples > {played_at_transcript + 8000}", timeout=30_000
        )
        page.wait_for_selector('#log .turn[data-speaker="interviewer"] >> nth=1', timeout=10_000)
        time.sleep(0.5)
        text = " ".join(
            page.locator('#log .turn[data-speaker="candidate"] .text').all_inner_texts()
        )
        page.screenshot(path=str(ARTIFACTS / "browser-interview.png"))
        level = page.evaluate("document.querySelector('#level').value")
        page.click("#stop")
        page.wait_for_function("window.coachDebug.state === 'ended'", timeout=20_000)
        page.screenshot(path=str(ARTIFACTS / "browser-finished.png"))
        browser.close()

    assert not errors, errors
    assert wer(clip.transcript, text) < 0.35, text
    assert level is not None


def test_denied_microphone_is_explained(live_server, tmp_path):
    from playwright.sync_api import sync_playwright

    mic_wav = tmp_path / "mic.wav"
    write_wav(mic_wav, np.zeros(SAMPLE_RATE, dtype=np.float32))
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--use-fake-device-for-media-stream",
                "--deny-permission-prompts",
            ],
        )
        page = browser.new_page()
        page.goto(live_server.base_url + "/")
        page.click("#start")
        help_box = page.wait_for_selector("#mic-help:visible", timeout=15_000)
        text = help_box.inner_text().lower()
        page.screenshot(path=str(ARTIFACTS / "browser-mic-denied.png"))
        browser.close()
    assert "microphone" in text
