"""Turn segmenter on scripted timelines: voiced frames are non-zero, silence is zeros."""

from audio.pcm import FRAME_BYTES
from audio.segmenter import (
    SegmenterConfig,
    SpeechPaused,
    SpeechResumed,
    SpeechStarted,
    TurnEnded,
    TurnSegmenter,
)

VOICE = b"\x10\x00" * (FRAME_BYTES // 2)
SILENCE = bytes(FRAME_BYTES)


def is_speech(frame: bytes) -> bool:
    return frame != SILENCE


def run(seg: TurnSegmenter, timeline: list[tuple[str, int]]) -> list:
    """timeline: (kind, ms) pieces; returns every event."""
    events = []
    for kind, ms in timeline:
        for _ in range(ms // 20):
            events += seg.push(VOICE if kind == "speech" else SILENCE)
    return events


def test_speech_then_silence_ends_turn_after_hangover():
    seg = TurnSegmenter(is_speech, SegmenterConfig(hangover_ms=900, pause_ms=240))
    events = run(seg, [("silence", 500), ("speech", 2000), ("silence", 1500)])
    kinds = [type(e) for e in events]
    assert kinds == [SpeechStarted, SpeechPaused, TurnEnded]
    start, paused, ended = events
    assert start.at_ms == 500
    assert paused.at_ms == 2500
    assert ended.end_ms == 2500
    assert ended.decided_ms == 2500 + 900
    assert ended.reason == "silence"


def test_short_pause_does_not_end_turn():
    seg = TurnSegmenter(is_speech, SegmenterConfig(hangover_ms=900))
    events = run(seg, [("speech", 1000), ("silence", 600), ("speech", 1000), ("silence", 200)])
    assert not any(isinstance(e, TurnEnded) for e in events)
    assert [type(e) for e in events] == [SpeechStarted, SpeechPaused, SpeechResumed]
    assert seg.in_turn


def test_incomplete_hint_waits_longer_complete_hint_ends_sooner():
    cfg = SegmenterConfig(hangover_ms=900, hangover_complete_ms=500, hangover_incomplete_ms=2000)
    seg = TurnSegmenter(is_speech, cfg)
    run(seg, [("speech", 1000), ("silence", 300)])
    seg.set_completion_hint(False)
    events = run(seg, [("silence", 1500)])  # 1.8 s of silence in total: a thinking pause
    assert not any(isinstance(e, TurnEnded) for e in events)
    events = run(seg, [("silence", 300)])
    assert isinstance(events[-1], TurnEnded) and events[-1].decided_ms - 1000 == 2000

    seg2 = TurnSegmenter(is_speech, cfg)
    run(seg2, [("speech", 1000), ("silence", 300)])
    seg2.set_completion_hint(True)
    events = run(seg2, [("silence", 300)])
    assert isinstance(events[-1], TurnEnded) and events[-1].decided_ms == 1000 + 500


def test_a_finished_sounding_pause_before_any_word_waits_the_default():
    """With ``finished_needs_words``, a click or breath that starts a turn and sounds
    "finished" to the audio judge does not end it after the short wait: only once the
    recognizer has heard words in the turn (which carry over to its later pauses)."""
    cfg = SegmenterConfig(hangover_ms=1600, hangover_complete_ms=300, finished_needs_words=True)
    seg = TurnSegmenter(is_speech, cfg)
    run(seg, [("speech", 160), ("silence", 260)])
    seg.set_completion_hint(True)  # the judge, before any words
    events = run(seg, [("silence", 600)])
    assert not any(isinstance(e, TurnEnded) for e in events)  # 860 ms of silence: no end
    seg.words_heard()  # the pause decode lands with words
    events = run(seg, [("silence", 20)])
    assert isinstance(events[-1], TurnEnded)  # the short wait has long passed
    # A new turn starts without words; words heard at an earlier pause of a turn count.
    run(seg, [("speech", 1000), ("silence", 260)])
    seg.words_heard()
    run(seg, [("speech", 500), ("silence", 260)])
    seg.set_completion_hint(True)
    events = run(seg, [("silence", 60)])
    assert isinstance(events[-1], TurnEnded) and events[-1].decided_ms - events[-1].end_ms == 300


def test_hint_is_forgotten_when_speech_resumes():
    cfg = SegmenterConfig(hangover_ms=900, hangover_complete_ms=400)
    seg = TurnSegmenter(is_speech, cfg)
    run(seg, [("speech", 1000), ("silence", 300)])
    seg.set_completion_hint(True)
    run(seg, [("speech", 500)])
    events = run(seg, [("silence", 600)])
    assert not any(isinstance(e, TurnEnded) for e in events)


def test_isolated_clicks_do_not_start_or_resume():
    seg = TurnSegmenter(is_speech)
    events = []
    for _ in range(20):  # one voiced frame in five: below the onset threshold
        events += run(seg, [("speech", 20), ("silence", 80)])
    assert events == []


def test_force_end_only_during_a_turn():
    seg = TurnSegmenter(is_speech)
    assert seg.force_end() is None
    run(seg, [("speech", 400)])
    ended = seg.force_end()
    assert ended is not None and ended.reason == "button" and ended.start_ms == 0
    assert not seg.in_turn


def test_resumed_clock_and_bad_frame():
    seg = TurnSegmenter(is_speech, start_ms=60_000)
    events = run(seg, [("speech", 300)])
    assert events[0].at_ms == 60_000
    try:
        seg.push(b"\x00" * 100)
    except ValueError as exc:
        assert "640" in str(exc)
    else:
        raise AssertionError("a short frame must be rejected")


def test_a_late_hint_does_not_lengthen_the_default_wait():
    cfg = SegmenterConfig(hangover_ms=900, hangover_incomplete_ms=2000)
    seg = TurnSegmenter(is_speech, cfg)
    run(seg, [("speech", 1000), ("silence", 300)])
    # no judge has spoken yet (a decode is queued behind other sessions): the default applies
    events = run(seg, [("silence", 600)])
    assert isinstance(events[-1], TurnEnded)
    assert events[-1].decided_ms - events[-1].end_ms == 900


def test_hints_combine_trailing_off_wins():
    cfg = SegmenterConfig(hangover_ms=1600, hangover_complete_ms=300, hangover_incomplete_ms=2000)
    seg = TurnSegmenter(is_speech, cfg)
    run(seg, [("speech", 1000), ("silence", 260)])
    seg.set_completion_hint(False)  # the words trail off ("and then")
    seg.set_completion_hint(True)  # the audio model thinks it sounds final: not enough
    seg.set_completion_hint(None)  # cannot tell: changes nothing
    events = run(seg, [("silence", 1700)])
    assert not any(isinstance(e, TurnEnded) for e in events)
    events = run(seg, [("silence", 100)])
    assert isinstance(events[-1], TurnEnded)
    # a new pause starts with no hint; "finished" alone gives the short wait
    run(seg, [("speech", 1000), ("silence", 260)])
    seg.set_completion_hint(True)
    events = run(seg, [("silence", 60)])
    assert isinstance(events[-1], TurnEnded)
    assert events[-1].decided_ms - events[-1].end_ms <= 340
