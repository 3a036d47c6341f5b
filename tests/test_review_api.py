"""The review API over stored sessions: built through ``Store`` and ``TrackWriter`` (as the
live session writes them) and served by ``create_app`` with fake models."""

from __future__ import annotations

import io
import json
import wave
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from audio.incremental import TimedWord
from audio.pcm import SAMPLE_RATE, float_to_int16, load_audio
from audio.stt import Segment, Word
from audio.track import TrackWriter
from interviewer.bank import load_bank
from interviewer.result import AnswerTranscript
from interviewer.scorer import LocalScorer
from server.app import create_app
from server.config import Settings
from server.db import create_schema, make_engine
from server.models import LOCAL_USER_ID, Turn, utcnow
from server.review import range_problem
from server.store import Store
from tests.fakes import FakeSynthesizer, stand_in_services

ANSWERS = Path(__file__).parent / "answers"
QUESTION = "kmeans-from-scratch"
WORD_MS = 320
PAUSE_MS = 2500
FILLER_AT = 0.4  # the scripted filler decode hears "um" 40% into each turn


class FillerRecognizer:
    """Stands in for whisper in the disfluency pass: one "um" per decoded stretch."""

    def __init__(self) -> None:
        self.calls = 0

    def is_common_word(self, word: str) -> bool:
        return True

    def recognize(self, audio, *, prompt=None, fast=False) -> list[Segment]:
        self.calls += 1
        at = len(audio) / SAMPLE_RATE * FILLER_AT
        word = Word("um,", at, at + 0.2)
        return [Segment("um,", at, at + 0.2, (word,))]


def fake_services(recognizer: FillerRecognizer):
    return stand_in_services(recognizer)


# --------------------------------------------------------------------------- seeding


class Seeder:
    """Writes sessions the way the live session does: rows, word times, both WAV tracks."""

    def __init__(self, data_dir: Path, speech: np.ndarray) -> None:
        self.settings = Settings(data_dir=data_dir, warm_models=False)
        engine = make_engine(self.settings.resolved_database_url)
        create_schema(engine)
        self.store = Store(engine)
        self.store.ensure_local_user()
        self.bank = load_bank()
        self.scorer = LocalScorer(self.bank)
        self.speech = float_to_int16(speech)
        self.synth = FakeSynthesizer()

    def session(self, answers: list[tuple[int, str, bool]], *, days_ago: int = 0, user=None):
        """``answers``: (attempt, answer text, with a long pause) for QUESTION, in order."""
        row = self.store.create_session(
            user_id=user or LOCAL_USER_ID, round="coding", mode="study", profile="big_tech"
        )
        folder = self.settings.recordings_dir / row.id
        cand, itv = TrackWriter(folder / "candidate.wav"), TrackWriter(folder / "interviewer.wav")
        prompt = self.bank.question(QUESTION).prompt
        clock, index, spans = 0, 0, []
        for attempt, text, pause in answers:
            # The interviewer asks; a fake voice (440 Hz) on the interviewer track.
            said = ("Sure, let's try that one again. " if attempt > 1 else "") + prompt
            voice = self.synth.synthesize(said)
            itv.write_at(clock * 16, voice.tobytes())
            end = clock + len(voice) // 16
            self._turn(row.id, index, "interviewer", said, clock, end, attempt, kind="question")
            index += 1
            # 1.5 s later the candidate answers: real speech under evenly spaced words.
            start = end + 1500
            words = text.split()
            half = len(words) // 2
            times, t = [], start
            for i, _w in enumerate(words):
                if pause and i == half:
                    t += PAUSE_MS
                times.append(t)
                t += WORD_MS
            stop = t
            pcm = self._speech(stop - start)
            if pause:
                a = (times[half] - PAUSE_MS - start) * 16
                pcm[a : a + PAUSE_MS * 16] = 0
            cand.write_at(start * 16, pcm.tobytes())
            timed = [TimedWord(w, s, s + WORD_MS - 40) for w, s in zip(words, times, strict=True)]
            self._turn(
                row.id, index, "candidate", text, start, stop, attempt, kind="answer", words=timed
            )
            index += 1
            result = self.scorer.score(
                QUESTION, AnswerTranscript(text, tuple(timed), start, stop)
            ).to_json()
            self.store.upsert_score(
                session_id=row.id, question_id=QUESTION, result=result, attempt=attempt
            )
            spans.append({"start": start, "end": stop, "asked_end": end, "words": timed})
            clock = stop + 1000
        # The candidate track runs the whole session (the microphone streams throughout).
        cand.write_at(clock * 16, b"\x00\x00" * 16)
        cand.close()
        itv.close()
        created = utcnow() - timedelta(days=days_ago)
        self.store.update_session(row.id, status="completed", clock_ms=clock, created_at=created)
        return row.id, spans

    def _speech(self, ms: int) -> np.ndarray:
        n = ms * 16
        reps = -(-n // len(self.speech))
        return np.tile(self.speech, reps)[:n].copy()

    def _turn(self, sid, index, speaker, text, start, end, attempt, kind, words=()):
        self.store.add_turn(
            Turn(
                session_id=sid,
                index=index,
                speaker=speaker,
                text=text,
                start_ms=start,
                end_ms=end,
                question_id=QUESTION,
                kind=kind,
                attempt=attempt,
                reason="silence" if speaker == "candidate" else "",
                words_json=json.dumps([[w.text, w.start_ms, w.end_ms] for w in words]),
            )
        )


@pytest.fixture(scope="module")
def speech(speech_clips) -> np.ndarray:
    """Read speech without long silences (a clip read on and on)."""
    clip = next(c for c in speech_clips if c.path.name == "1221-135766-0001.wav")
    audio = load_audio(clip.path)
    n = len(audio) // 320
    rms = np.sqrt((audio[: n * 320].reshape(n, 320) ** 2).mean(axis=1))
    loud = np.flatnonzero(rms > 0.1 * rms.max())
    return audio[loud[0] * 320 : (loud[-1] + 1) * 320]


WEAK = (ANSWERS / "kmeans-from-scratch.weak.txt").read_text().strip()
STRONG = " ".join((ANSWERS / "kmeans-from-scratch.strong.txt").read_text().split()[:160])


@pytest.fixture(scope="module")
def seeded(tmp_path_factory, speech):
    data = tmp_path_factory.mktemp("review-data")
    seeder = Seeder(data, speech)
    sid, spans = seeder.session([(1, WEAK, True), (2, STRONG, False)])
    old = [seeder.session([(1, WEAK, False)], days_ago=d)[0] for d in (9, 5)]
    with seeder.store.engine.begin() as conn:  # another user's session
        conn.exec_driver_sql(
            "INSERT INTO user (id, email, password_hash, created_at) "
            "VALUES ('other', 'other@example.com', '', '2026-01-01')"
        )
    other, _ = seeder.session([(1, WEAK, False)], user="other")
    return {
        "data": data,
        "settings": seeder.settings,
        "sid": sid,
        "spans": spans,
        "old": old,
        "other": other,
        "seeder": seeder,
    }


@pytest.fixture(scope="module")
def recognizer() -> FillerRecognizer:
    return FillerRecognizer()


@pytest.fixture(scope="module")
def client(seeded, recognizer):
    app = create_app(seeded["settings"], services_factory=fake_services(recognizer))
    with TestClient(app) as c:
        yield c


# --------------------------------------------------------------------------- sessions, turns


def test_session_list_shows_date_round_and_scores(client, seeded):
    sessions = client.get("/api/sessions").json()
    ids = [s["id"] for s in sessions]
    assert ids[0] == seeded["sid"] and set(seeded["old"]) <= set(ids)
    assert seeded["other"] not in ids  # only your own sessions
    first = sessions[0]
    assert first["round"] == "coding" and first["status"] == "completed"
    assert first["created_at"].endswith("+00:00")
    assert first["questions"] == 1 and first["answers"] == 2
    by_attempt = {g["attempt"]: g["overall"] for g in first["graded"]}
    assert first["overall"] == by_attempt[1] < by_attempt[2]  # the retry scored better
    assert len(client.get("/api/sessions", params={"limit": 1, "offset": 1}).json()) == 1
    assert client.get("/api/sessions", params={"round": "ml_depth"}).json() == []


def test_session_detail_keeps_turns_and_full_scores(client, seeded):
    data = client.get(f"/api/sessions/{seeded['sid']}").json()
    assert [t["speaker"] for t in data["turns"]] == ["interviewer", "candidate"] * 2
    assert [t["attempt"] for t in data["turns"]] == [1, 1, 2, 2]
    assert {s["attempt"] for s in data["scores"]} == {1, 2}
    assert all(s["criteria"] and s["question_id"] == QUESTION for s in data["scores"])


def test_turns_carry_word_times(client, seeded):
    turns = client.get(f"/api/sessions/{seeded['sid']}/turns").json()
    words = turns[1]["words"]
    assert words[0][0] == WEAK.split()[0] and words[0][1] == seeded["spans"][0]["start"]
    assert turns[0]["words"] == []


# --------------------------------------------------------------------------- feedback


def test_feedback_cards_have_scores_evidence_gaps_outline_and_delivery(client, seeded):
    fb = client.get(f"/api/sessions/{seeded['sid']}/feedback").json()
    first, retry = fb["answers"]
    assert (first["attempt"], retry["attempt"]) == (1, 2)
    assert first["prompt"].startswith("Implement k-means")
    span = seeded["spans"][0]
    score = first["score"]
    quotes = [e for c in score["criteria"] for e in c["evidence"]]
    assert quotes and all(
        span["start"] <= e["start_ms"] < e["end_ms"] <= span["end"] for e in quotes
    )
    assert any(c["missing"] for c in score["criteria"])
    steps = first["outline"]
    assert [s["criterion_id"] for s in steps][:2] == ["code_clarifies_approach", "code_correctness"]
    assert any(not s["covered"] and s["add"] for s in steps)
    assert any(s["covered"] for s in retry["outline"])

    d = first["delivery"]
    n = len(WEAK.split())
    assert d["words"] == n
    talk = span["end"] - span["start"] - 40
    assert d["talk_ms"] == talk
    assert d["wpm"] == pytest.approx(n / (talk / 60_000), abs=0.1)
    assert d["pauses_from"] == "audio" and d["long_pauses"] == 1
    (pause,) = d["long_pause_marks"]
    assert abs(pause["ms"] - PAUSE_MS) <= 120
    assert d["time_to_first_word_ms"] == pytest.approx(1500, abs=60)
    # Fillers: the filler decode's "um" (40% into the turn) and the live text's own.
    assert {"um", "like", "basically"} <= set(d["filler_counts"])
    um_at = span["start"] + FILLER_AT * (span["end"] - span["start"])
    assert any(abs(m["start_ms"] - um_at) < 300 for m in d["filler_marks"])
    assert d["hedge_counts"].get("i think") == 1
    assert retry["delivery"]["long_pauses"] == 0

    comparison = retry["comparison"]
    assert comparison["previous_attempt"] == 1
    assert comparison["previous_overall"] == score["overall"] < comparison["overall"]
    assert any(r["after"] > (r["before"] or 0) for r in comparison["criteria"])
    assert first["comparison"] is None

    session = fb["delivery"]
    assert session["answers"] == 2 and 0 < session["talk_share"] < 1
    assert session["trends"]["wpm"]["values"] == [
        first["delivery"]["wpm"],
        retry["delivery"]["wpm"],
    ]
    folder = seeded["data"] / "recordings" / seeded["sid"]
    assert (folder / "disfluency.json").is_file()


# --------------------------------------------------------------------------- audio


def audio_url(seeded, track="candidate", sid=None) -> str:
    return f"/api/sessions/{sid or seeded['sid']}/audio/{track}.wav"


def test_audio_is_served_whole_and_by_range(client, seeded):
    path = seeded["data"] / "recordings" / seeded["sid"] / "candidate.wav"
    body, size = path.read_bytes(), path.stat().st_size
    full = client.get(audio_url(seeded))
    assert full.status_code == 200 and full.headers["content-type"] == "audio/wav"
    assert full.headers["accept-ranges"] == "bytes" and full.content == body
    for header, (a, b) in {
        "bytes=0-43": (0, 43),
        "bytes=1000-": (1000, size - 1),
        "bytes=-10": (size - 10, size - 1),
        f"bytes=10-{size + 5000}": (10, size - 1),
    }.items():
        r = client.get(audio_url(seeded), headers={"Range": header})
        assert r.status_code == 206, header
        assert r.headers["content-range"] == f"bytes {a}-{b}/{size}"
        assert r.content == body[a : b + 1]
    head = client.head(audio_url(seeded))
    assert head.status_code == 200 and int(head.headers["content-length"]) == size
    assert head.content == b""


@pytest.mark.parametrize(
    "header",
    [
        "bytes=abc",
        "items=0-10",
        "bytes=",
        "bytes=50-10",
        "bytes=-",
        "0-10",
        "bytes=-0",
        "bytes=99999999-",
        "bytes=0-10,zz",
    ],
)
def test_malformed_or_unsatisfiable_ranges_get_416(client, seeded, header):
    r = client.get(audio_url(seeded), headers={"Range": header})
    assert r.status_code == 416, header
    size = (seeded["data"] / "recordings" / seeded["sid"] / "candidate.wav").stat().st_size
    assert r.headers["content-range"] == f"bytes */{size}"
    assert r.json()["detail"] and "Traceback" not in r.text


def test_range_problem_accepts_what_players_send():
    assert range_problem("bytes=0-", 100) is None
    assert range_problem("bytes=0-1, 5-9", 100) is None
    assert range_problem("BYTES = 3-4", 100) is None
    assert range_problem("bytes=0-", 0) is not None  # nothing to serve


def test_mix_track_holds_both_voices_on_one_clock(client, seeded):
    r = client.get(audio_url(seeded, "mix"))
    assert r.status_code == 200
    folder = seeded["data"] / "recordings" / seeded["sid"]

    def samples(data: bytes) -> np.ndarray:
        with wave.open(io.BytesIO(data)) as w:
            assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (SAMPLE_RATE, 1, 2)
            return np.frombuffer(w.readframes(w.getnframes()), "<i2").astype(np.int32)

    mix = samples(r.content)
    cand = samples((folder / "candidate.wav").read_bytes())
    itv = samples((folder / "interviewer.wav").read_bytes())
    assert len(mix) == max(len(cand), len(itv))
    n = min(len(cand), len(itv))
    expected = np.clip(cand[:n] + itv[:n], -32768, 32767)
    assert np.array_equal(mix[:n], expected)
    span = seeded["spans"][0]
    assert np.abs(itv[: span["asked_end"] * 16]).max() > 1000  # the question is in the mix
    ranged = client.get(audio_url(seeded, "mix"), headers={"Range": "bytes=44-143"})
    assert ranged.status_code == 206 and len(ranged.content) == 100


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "url",
    [
        "/api/sessions/{x}",
        "/api/sessions/{x}/turns",
        "/api/sessions/{x}/feedback",
        "/api/sessions/{x}/audio/candidate.wav",
        "/api/sessions/{x}/audio/mix.wav",
        "/api/sessions/{x}/export",
    ],
)
def test_unknown_and_other_users_sessions_are_404_with_a_message(client, seeded, url):
    for sid in ("no-such-session", seeded["other"]):
        r = client.get(url.format(x=sid))
        assert r.status_code == 404, (url, sid)
        assert sid in r.json()["detail"] and "Traceback" not in r.text


def test_unknown_track_is_404(client, seeded):
    r = client.get(audio_url(seeded, "drums"))
    assert r.status_code == 404 and "candidate" in r.json()["detail"]


@pytest.mark.parametrize(
    "url",
    [
        "/api/sessions?limit=0",
        "/api/sessions?limit=abc",
        "/api/sessions?offset=-1",
        "/api/sessions?status=bogus",
        "/api/sessions?round=chess",
        "/api/progress?round=chess",
        "/api/progress?limit=100000",
        "/api/sessions/{sid}/export?format=pdf",
    ],
)
def test_bad_query_values_are_422(client, seeded, url):
    r = client.get(url.format(sid=seeded["sid"]))
    assert r.status_code == 422, url
    assert r.json()["detail"] and "Traceback" not in r.text


# --------------------------------------------------------------------------- export, progress


def test_export_markdown_report(client, seeded):
    r = client.get(f"/api/sessions/{seeded['sid']}/export")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/markdown")
    assert r.headers["content-disposition"].startswith("attachment;")
    md = r.text
    assert md.startswith("# Mock interview: coding")
    assert "## Implement k-means from scratch" in md and "(attempt 2)" in md
    assert "| criterion | score | evidence |" in md and "“" in md
    assert "**What was missing**" in md and "**Outline of a stronger answer**" in md
    assert "**Compared with attempt 1:**" in md
    assert "| Speaking rate |" in md and "## Transcript" in md
    assert "**0:00 Interviewer:**" in md


def test_export_json_has_everything(client, seeded):
    r = client.get(f"/api/sessions/{seeded['sid']}/export", params={"format": "json"})
    assert r.status_code == 200 and r.headers["content-disposition"].endswith('.json"')
    data = r.json()
    assert data["format"] == "mle-interview-coach/session"
    assert data["session"]["id"] == seeded["sid"]
    assert data["turns"][1]["words"][0][0] == WEAK.split()[0]
    assert len(data["feedback"]["answers"]) == 2


def test_progress_over_time_and_weakest_criteria(client, seeded):
    p = client.get("/api/progress").json()
    assert p["sessions"] == 3  # first attempts of each of your sessions, oldest first
    days = [pt["created_at"] for pt in p["overall"]]
    assert days == sorted(days) and p["overall"][-1]["session_id"] == seeded["sid"]
    crit = {c["id"]: c for c in p["criteria"]}
    assert len(crit["code_correctness"]["points"]) == 3
    keys = {m["key"]: m for m in p["delivery"]}
    assert {"wpm", "fillers_per_min", "time_to_first_word_ms", "talk_share"} <= set(keys)
    assert len(keys["wpm"]["points"]) == 3
    assert p["suggestions"] and len(p["suggestions"]) <= 3
    s = p["suggestions"][0]
    assert s["mean"] < 3 and s["tip"] and s["round"] == "coding" and s["questions"]
    means = [x["mean"] for x in p["suggestions"]]
    assert means == sorted(means)
    assert client.get("/api/progress", params={"limit": 1}).json()["sessions"] == 1
    assert client.get("/api/progress", params={"round": "star"}).json()["sessions"] == 0


def test_openapi_documents_the_review_api(client):
    paths = client.get("/openapi.json").json()["paths"]
    for path in (
        "/api/sessions",
        "/api/sessions/{session_id}",
        "/api/sessions/{session_id}/turns",
        "/api/sessions/{session_id}/feedback",
        "/api/sessions/{session_id}/audio/{track}.wav",
        "/api/sessions/{session_id}/export",
        "/api/progress",
    ):
        assert "get" in paths[path], path
    audio = paths["/api/sessions/{session_id}/audio/{track}.wav"]["get"]["responses"]
    assert {"206", "404", "416"} <= set(audio)
    feedback = paths["/api/sessions/{session_id}/feedback"]["get"]["responses"]["200"]
    assert feedback["content"]["application/json"]["schema"]["$ref"].endswith("FeedbackOut")


# --------------------------------------------------------------------------- restart


def test_replay_survives_a_server_restart(seeded, recognizer, client):
    sid = seeded["sid"]
    before = client.get(f"/api/sessions/{sid}/feedback").json()
    calls = recognizer.calls
    fresh = FillerRecognizer()
    app = create_app(seeded["settings"], services_factory=fake_services(fresh))
    with TestClient(app) as again:
        after = again.get(f"/api/sessions/{sid}/feedback").json()
        audio = again.get(audio_url(seeded, "mix"), headers={"Range": "bytes=0-3"})
    assert after == before
    assert fresh.calls == 0 and recognizer.calls == calls  # filler decodes came from disk
    assert audio.status_code == 206 and audio.content == b"RIFF"
