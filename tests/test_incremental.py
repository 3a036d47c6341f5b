"""Incremental transcriber with a level-coded fake recognizer (no model, no sockets)."""

import numpy as np

from audio.incremental import IncrementalTranscriber
from tests.fakes import FakeRecognizer, frames, silence, word_audio


def feed(tx: IncrementalTranscriber, audio, clock: list[int], voiced=True) -> None:
    for f in frames(audio):
        tx.push(f, at_ms=clock[0], voiced=voiced and any(f))
        clock[0] += 20


def test_pause_commit_then_only_tail_is_decoded_at_end():
    rec, tx, clock = FakeRecognizer(), IncrementalTranscriber(vocabulary="Glossary."), [0]
    feed(tx, silence(1000), clock)
    tx.begin_turn(1000)
    feed(tx, word_audio(["alpha", "bravo", "charlie"]), clock)
    job = tx.prepare("pause")
    assert job is not None and job.offset_ms == 700  # 300 ms pre-roll
    caption = tx.apply(job, rec.recognize(job.audio, prompt=job.prompt))
    assert caption == "alpha bravo charlie"
    feed(tx, word_audio(["delta", "echo"]), clock)
    closed = tx.close_turn(1000, clock[0])
    assert closed.job is not None
    # Only the audio after the pause commit is left: 2 words, 1 s, not the whole answer.
    assert closed.job.audio.size / 16000 <= 1.05
    assert "alpha bravo charlie" in closed.job.prompt  # context for the recognizer
    utt = closed.complete(rec.recognize(closed.job.audio))
    assert utt.text == "alpha bravo charlie delta echo"
    starts = [w.start_ms for w in utt.words]
    assert starts == sorted(starts) and starts[0] == 1000 and starts[3] == 2500


def test_nothing_to_decode_at_end_when_pause_covered_everything():
    rec, tx, clock = FakeRecognizer(), IncrementalTranscriber(), [0]
    tx.begin_turn(0)
    feed(tx, word_audio(["golf", "hotel"]), clock)
    job = tx.prepare("pause")
    tx.apply(job, rec.recognize(job.audio))
    feed(tx, silence(600), clock, voiced=False)
    closed = tx.close_turn(0, 1000)
    assert closed.job is None
    assert closed.complete().text == "golf hotel"


def test_local_agreement_commits_stable_prefix_and_trims_buffer():
    rec, tx, clock = FakeRecognizer(), IncrementalTranscriber(), [0]
    tx.begin_turn(0)
    words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot"]
    audio = word_audio(words)
    half = len(audio) // 2 + 800  # cut inside "delta"
    feed(tx, audio[:half], clock)
    j1 = tx.prepare("partial")
    tx.apply(j1, rec.recognize(j1.audio))
    assert tx.caption().startswith("alpha bravo charlie")
    feed(tx, audio[half:], clock)
    j2 = tx.prepare("partial")
    tx.apply(j2, rec.recognize(j2.audio))
    # Agreed words are committed and their audio dropped from the buffer.
    assert tx.buffered_ms < len(audio) * 1000 // 16000 - 1000
    closed = tx.close_turn(0, clock[0])
    utt = closed.complete(rec.recognize(closed.job.audio) if closed.job else None)
    assert utt.text == " ".join(words)


def test_stale_job_from_an_ended_turn_is_ignored():
    rec, tx, clock = FakeRecognizer(), IncrementalTranscriber(), [0]
    tx.begin_turn(0)
    feed(tx, word_audio(["india"]), clock)
    job = tx.prepare("pause")
    closed = tx.close_turn(0, clock[0])
    tx.begin_turn(clock[0])
    assert tx.apply(job, rec.recognize(job.audio)) == ""
    assert closed.complete(rec.recognize(closed.job.audio)).text == "india"


def test_buffer_outside_a_turn_stays_small():
    tx, clock = IncrementalTranscriber(preroll_ms=300), [0]
    feed(tx, silence(10_000), clock, voiced=False)
    assert tx.buffered_ms <= 320
    assert tx.prepare("partial") is None


def test_no_words_recognised_gives_empty_utterance():
    tx, clock = IncrementalTranscriber(), [0]
    tx.begin_turn(0)
    feed(tx, (np.ones(3200) * 5).astype("<i2"), clock)
    closed = tx.close_turn(0, 200)
    assert closed.complete([]).text == ""
