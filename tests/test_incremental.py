"""Incremental transcriber with a level-coded fake recognizer (no model, no sockets)."""

import numpy as np

from audio.incremental import IncrementalTranscriber
from audio.stt import Segment, Word
from tests.fakes import FakeRecognizer, frames, silence, word_audio


def feed(tx: IncrementalTranscriber, audio, clock: list[int], voiced=True) -> None:
    for f in frames(audio):
        tx.push(f, at_ms=clock[0], voiced=voiced and any(f))
        clock[0] += 20


def decode(tx, rec, kind):
    job = tx.prepare(kind)
    assert job is not None
    return job, tx.apply(job, rec.recognize(job.audio, prompt=job.prompt))


def test_pause_decode_covering_all_speech_makes_end_of_turn_free():
    rec, tx, clock = FakeRecognizer(), IncrementalTranscriber(), [0]
    feed(tx, silence(1000), clock, voiced=False)
    tx.begin_turn(1000)
    feed(tx, word_audio(["alpha", "bravo", "charlie"]), clock)
    job, caption = decode(tx, rec, "pause")
    assert job.offset_ms == 700  # 300 ms pre-roll
    assert caption == "alpha bravo charlie"
    feed(tx, silence(800), clock, voiced=False)  # the hangover: silence only
    closed = tx.close_turn(1000, 2500)
    assert closed.job is None  # nothing left to decode
    utt = closed.complete()
    assert utt.text == "alpha bravo charlie"
    assert [w.start_ms for w in utt.words] == [1000, 1500, 2000]
    assert len(rec.calls) == 1


def test_agreement_commits_and_only_the_tail_is_decoded_at_end():
    rec, clock = FakeRecognizer(), [0]
    tx = IncrementalTranscriber(keep_context_s=0)
    tx.begin_turn(0)
    feed(tx, word_audio(["alpha", "bravo", "charlie"]), clock)
    decode(tx, rec, "pause")
    feed(tx, word_audio(["delta"]), clock)
    decode(tx, rec, "pause")  # agrees with the first on alpha bravo charlie: committed
    assert tx.buffered_ms <= 600 + 400  # their audio left the buffer (but the last word)
    feed(tx, word_audio(["echo", "foxtrot"]), clock)
    closed = tx.close_turn(0, clock[0])
    assert closed.job is not None
    assert closed.job.audio.size / 16000 <= 2.05  # "charlie delta echo foxtrot", not all
    assert closed.job.prompt.startswith("alpha bravo")  # the words before the buffer
    utt = closed.complete(rec.recognize(closed.job.audio))
    assert utt.text == "alpha bravo charlie delta echo foxtrot"
    starts = [w.start_ms for w in utt.words]
    assert starts == sorted(starts) and starts[3] == 1500


def test_partial_never_commits_a_word_the_buffer_may_have_cut():
    rec, tx, clock = FakeRecognizer(), IncrementalTranscriber(keep_context_s=0), [0]
    tx.begin_turn(0)
    audio = word_audio(["alpha", "bravo", "charlie", "delta", "echo", "foxtrot"])
    cut = 16000 * 3 // 2 + 3200  # inside "delta"
    feed(tx, audio[:cut], clock)
    decode(tx, rec, "partial")
    feed(tx, audio[cut : cut + 1600], clock)  # 100 ms more, still inside "delta"
    decode(tx, rec, "partial")  # agrees on every word; the last one may be cut: not committed
    assert tx.caption() == "alpha bravo charlie delta"
    assert tx.buffered_ms <= 400 + 400  # committed, audio dropped but the last word
    feed(tx, audio[cut + 1600 :], clock)
    closed = tx.close_turn(0, clock[0])
    utt = closed.complete(rec.recognize(closed.job.audio) if closed.job else None)
    assert utt.text == "alpha bravo charlie delta echo foxtrot"


def test_jobs_stop_shortly_after_the_last_voiced_frame():
    rec, tx, clock = FakeRecognizer(), IncrementalTranscriber(tail_ms=300), [0]
    tx.begin_turn(0)
    feed(tx, word_audio(["golf"]), clock)
    feed(tx, silence(3000), clock, voiced=False)
    job = tx.prepare("pause")
    assert job.end_ms - 400 <= 300 + 20  # "golf" ends at 400 ms; 300 ms of tail, no more
    assert rec.recognize(job.audio)[0].text == "golf"


def test_buffer_is_bounded_in_unbroken_speech():
    rec, tx, clock = FakeRecognizer(), IncrementalTranscriber(max_buffer_s=5), [0]
    tx.begin_turn(0)
    for i in range(8):
        # Each decode sees a different transcript (no agreement ever): forced commits.
        feed(tx, word_audio([["alpha", "bravo"][i % 2]] * 3), clock)
        job = tx.prepare("partial")
        tx.apply(job, rec.recognize(job.audio)[:1] if i % 2 else [])
    assert tx.buffered_ms <= 5000 + 1600


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


def test_a_fast_caption_hypothesis_is_redone_at_the_pause():
    rec, tx, clock = FakeRecognizer(), IncrementalTranscriber(), [0]
    tx.begin_turn(0)
    feed(tx, word_audio(["alpha", "bravo"]), clock)
    decode(tx, rec, "partial")  # covers all the speech, but greedy
    assert tx.prepare("partial") is None  # nothing new for captions
    job, caption = decode(tx, rec, "pause")  # redone with the full beam
    assert job.kind == "pause" and caption == "alpha bravo"
    feed(tx, silence(500), clock, voiced=False)
    closed = tx.close_turn(0, clock[0])
    assert closed.job is None and closed.complete().text == "alpha bravo"


def test_short_decodes_are_greedy_and_a_greedy_caption_is_not_redone_greedily():
    """With ``greedy_up_to_s``, pause and final decodes of short audio search greedily (as
    captions do), so a caption that already heard every word is not decoded again; audio
    past the limit gets the full beam."""
    rec, tx, clock = FakeRecognizer(), IncrementalTranscriber(greedy_up_to_s=1.2), [0]
    tx.begin_turn(0)
    feed(tx, word_audio(["alpha", "bravo"]), clock)
    job, _ = decode(tx, rec, "partial")
    assert job.fast
    assert tx.prepare("pause") is None  # a greedy redo would give the same words
    feed(tx, word_audio(["charlie"]), clock)
    job = tx.prepare("pause")
    assert job is not None and job.kind == "pause" and not job.fast  # 1.5 s of words
    assert job.audio.size / 16000 > 1.2
    short = IncrementalTranscriber(greedy_up_to_s=1.2)
    short.begin_turn(0)
    clock = [0]
    feed(short, word_audio(["alpha"]), clock)
    closed = short.close_turn(0, clock[0])
    assert closed.job is not None and closed.job.fast and closed.job.kind == "final"


def test_committed_audio_stays_as_context_without_duplicating_words():
    rec, tx, clock = FakeRecognizer(), IncrementalTranscriber(), [0]
    tx.begin_turn(0)
    feed(tx, word_audio(["alpha", "bravo", "charlie"]), clock)
    decode(tx, rec, "pause")
    feed(tx, word_audio(["delta"]), clock)
    job, _ = decode(tx, rec, "pause")  # commits alpha bravo charlie, keeps their audio
    assert tx.buffered_ms >= 2000
    feed(tx, word_audio(["echo"]), clock)
    job, caption = decode(tx, rec, "pause")
    assert caption == "alpha bravo charlie delta echo"
    # Words still inside the buffer are not in the prompt (whisper would skip them).
    assert job.prompt == ""
    closed = tx.close_turn(0, clock[0])
    assert closed.complete().text == "alpha bravo charlie delta echo"


def test_words_laid_over_silence_are_dropped():
    """Whisper invents text in silence; a word where the VAD heard nobody is not kept."""

    class Inventing(FakeRecognizer):
        def recognize(self, audio, *, prompt=None, fast=False):
            segs = super().recognize(audio, prompt=prompt, fast=fast)
            ghost = Word("thanks-for-watching", 2.0, 2.6)  # inside the silence below
            return [Segment(s.text, s.start, s.end, (*s.words, ghost)) for s in segs]

    rec, tx, clock = Inventing(), IncrementalTranscriber(), [0]
    tx.begin_turn(0)
    feed(tx, word_audio(["alpha"]), clock)
    feed(tx, silence(2500), clock, voiced=False)
    feed(tx, word_audio(["bravo"]), clock)
    _job, caption = decode(tx, rec, "pause")
    assert caption == "alpha bravo"


def test_a_stretched_end_time_on_a_committed_word_loses_nothing():
    """Whisper often stretches the last word of a hypothesis over audio it has not really
    heard yet; committed words are found again by text, so the words after survive."""

    class Stretching(FakeRecognizer):
        def recognize(self, audio, *, prompt=None, fast=False):
            segs = super().recognize(audio, prompt=prompt, fast=fast)
            out = []
            for s in segs:
                words = list(s.words)
                words[-1] = Word(words[-1].text, words[-1].start, len(audio) / 16000)
                out.append(Segment(s.text, s.start, s.end, tuple(words)))
            return out

    rec, tx, clock = Stretching(), IncrementalTranscriber(), [0]
    tx.begin_turn(0)
    feed(tx, word_audio(["alpha", "bravo"]), clock)
    decode(tx, rec, "pause")
    feed(tx, word_audio(["charlie"]), clock)
    decode(tx, rec, "partial")  # commits "alpha bravo"; "bravo" looks like it ends at 1.5 s
    feed(tx, word_audio(["delta", "echo"]), clock)
    _job, caption = decode(tx, rec, "pause")
    assert caption == "alpha bravo charlie delta echo"


def decode_as_live(tx, rec, kind):
    """As ``decode``, with the job's own search (greedy or beam), as the server runs it."""
    job = tx.prepare(kind)
    assert job is not None
    return job, tx.apply(job, rec.recognize(job.audio, prompt=job.prompt, fast=job.fast))


class _MishearsWithoutContext(FakeRecognizer):
    """Hears "bravo" as "delta" in a greedy decode (a caption of part of the answer)."""

    def recognize(self, audio, *, prompt=None, fast=False) -> list[Segment]:
        segments = super().recognize(audio, prompt=prompt, fast=fast)
        if not fast:
            return segments
        out = []
        for s in segments:
            words = tuple(
                Word("delta" if w.text == "bravo" else w.text, w.start, w.end) for w in s.words
            )
            out.append(Segment(" ".join(w.text for w in words), s.start, s.end, words))
        return out


def _two_agreeing_captions(
    **options,
) -> tuple[_MishearsWithoutContext, IncrementalTranscriber, list[int]]:
    """An answer whose two greedy captions agree on "alpha delta charlie" (committed)."""
    rec, clock = _MishearsWithoutContext(), [0]
    tx = IncrementalTranscriber(**options)
    tx.begin_turn(0)
    feed(tx, word_audio(["alpha", "bravo", "charlie"]), clock)
    decode_as_live(tx, rec, "partial")
    feed(tx, word_audio(["echo"]), clock)
    decode_as_live(tx, rec, "partial")
    return rec, tx, clock


def _caption_errors_then_pause(whole_answer_wins: bool) -> tuple[str, str]:
    rec, tx, clock = _two_agreeing_captions(whole_answer_wins=whole_answer_wins)
    _, caption = decode_as_live(tx, rec, "pause")  # the whole answer, full beam: "bravo"
    feed(tx, silence(500), clock, voiced=False)
    closed = tx.close_turn(0, clock[0])
    return caption, closed.complete().text


def test_a_pause_decode_of_the_whole_answer_replaces_what_captions_committed():
    assert _caption_errors_then_pause(True) == ("alpha bravo charlie echo",) * 2
    # without it, the captions' agreement stands
    assert _caption_errors_then_pause(False) == ("alpha delta charlie echo",) * 2


def test_a_final_decode_of_the_whole_answer_replaces_what_captions_committed():
    for wins, expected in ((True, "alpha bravo charlie echo"), (False, "alpha delta charlie echo")):
        rec, tx, clock = _two_agreeing_captions(whole_answer_wins=wins)
        closed = tx.close_turn(0, clock[0])
        assert closed.job is not None and not closed.job.fast and closed.job.offset_ms == 0
        assert (
            closed.complete(rec.recognize(closed.job.audio, fast=closed.job.fast)).text == expected
        )


def test_once_the_buffer_dropped_the_answer_start_committed_words_stay():
    rec, tx, _ = _two_agreeing_captions(whole_answer_wins=True, keep_context_s=0)
    # committed, and their audio dropped
    job, caption = decode_as_live(tx, rec, "pause")
    assert job.offset_ms > 0 and caption.startswith("alpha delta")


def test_a_greedy_decode_of_the_whole_answer_leaves_the_captions_agreement():
    rec, tx, clock = _two_agreeing_captions(whole_answer_wins=True, greedy_up_to_s=20)
    feed(tx, word_audio(["golf"]), clock)
    job, caption = decode_as_live(tx, rec, "pause")
    assert job.fast and job.offset_ms == 0
    assert caption == "alpha delta charlie echo golf"
