"""The coach command: transcribe, say, questions, with the real models."""

from __future__ import annotations

import json
import subprocess
import sys
import wave

import pytest

from audio.wer import wer
from tests.conftest import REPO

pytestmark = pytest.mark.models


def coach(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "server.cli", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_transcribe_json_on_flac(speech_clips):
    clip = next(c for c in speech_clips if c.path.suffix == ".flac")
    out = coach("transcribe", str(clip.path), "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert wer(clip.transcript, data["text"]) < 0.15
    assert data["segments"] and all(s["end"] > s["start"] for s in data["segments"])
    assert data["segments"][-1]["end"] <= clip.seconds + 0.5


def test_transcribe_rejects_missing_and_non_audio_files(tmp_path):
    missing = coach("transcribe", str(tmp_path / "nope.wav"))
    assert missing.returncode != 0 and "no such file" in missing.stderr
    junk = tmp_path / "notes.wav"
    junk.write_text("this is not audio")
    bad = coach("transcribe", str(junk))
    assert bad.returncode != 0 and "PyAV" in bad.stderr and "notes.wav" in bad.stderr


def test_say_writes_a_wav_that_transcribes_back(tmp_path):
    out_wav = tmp_path / "q.wav"
    text = "Walk me through how you would handle empty clusters."
    said = coach("say", text, "-o", str(out_wav))
    assert said.returncode == 0, said.stderr
    with wave.open(str(out_wav)) as w:
        assert w.getframerate() == 16000 and w.getnframes() > 16000
    back = coach("transcribe", str(out_wav), "--json")
    assert wer(text, json.loads(back.stdout)["text"]) < 0.2


def test_say_refuses_empty_text(tmp_path):
    out = coach("say", "  ", "-o", str(tmp_path / "x.wav"))
    assert out.returncode != 0 and "empty" in out.stderr


def test_questions_json_filters_by_round():
    out = coach("questions", "--round", "system_design", "--json")
    assert out.returncode == 0, out.stderr
    items = json.loads(out.stdout)
    assert len(items) >= 5 and {q["round"] for q in items} == {"system_design"}
    bad = coach("questions", "--round", "poetry")
    assert bad.returncode != 0 and "poetry" in bad.stderr


ANSWERS = REPO / "tests" / "answers"


def test_score_json_strong_beats_weak():
    strong = coach(
        "score",
        "--question",
        "kmeans-from-scratch",
        "--answer-file",
        str(ANSWERS / "kmeans-from-scratch.strong.txt"),
        "--json",
    )
    weak = coach(
        "score",
        "--question",
        "kmeans-from-scratch",
        "--answer-file",
        str(ANSWERS / "kmeans-from-scratch.weak.txt"),
        "--json",
    )
    assert strong.returncode == 0 and weak.returncode == 0, strong.stderr + weak.stderr
    s, w = json.loads(strong.stdout), json.loads(weak.stdout)
    assert set(s) >= {"question_id", "round", "overall", "criteria", "summary", "improvements"}
    assert s["question_id"] == "kmeans-from-scratch" and s["round"] == "coding"
    assert s["overall"] > w["overall"] + 30
    for c in s["criteria"]:
        assert set(c) >= {"id", "name", "score", "max", "evidence", "missing"}


def test_score_errors_name_the_problem(tmp_path):
    answer = tmp_path / "a.txt"
    answer.write_text("I would start with the data.")
    unknown = coach("score", "--question", "no-such-question", "--answer-file", str(answer))
    assert unknown.returncode != 0 and "no-such-question" in unknown.stderr
    missing = coach("score", "--question", "kmeans-from-scratch", "--answer-file", "nope.txt")
    assert missing.returncode != 0 and "no such answer file" in missing.stderr
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n")
    out = coach("score", "--question", "kmeans-from-scratch", "--answer-file", str(empty))
    assert out.returncode != 0 and "empty" in out.stderr
    binary = tmp_path / "b.txt"
    binary.write_bytes(b"\xff\xfe\x00\x81")
    out = coach("score", "--question", "kmeans-from-scratch", "--answer-file", str(binary))
    assert out.returncode != 0 and "UTF-8" in out.stderr
