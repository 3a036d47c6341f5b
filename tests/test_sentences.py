"""Splitting replies into sentences for synthesis: short first pieces, bounded length."""

from audio.tts import MAX_SENTENCE_CHARS, split_sentences
from server.services import WARM_UP_TEXT


def test_splits_at_sentence_ends():
    assert split_sentences("Got it. Why that metric? Walk me through it!") == [
        "Got it.",
        "Why that metric?",
        "Walk me through it!",
    ]


def test_long_sentence_is_cut_at_a_comma_and_nothing_is_lost():
    long = (
        "You mentioned retraining, which is fine, but tell me how you would detect the drift "
        "first, what signal you would alert on, how often you would check it, and who would "
        "be paged when it fires in the middle of the night"
    )
    parts = split_sentences(long)
    assert len(parts) > 1
    assert all(len(p) <= MAX_SENTENCE_CHARS for p in parts)
    assert all(p.endswith(",") for p in parts[:-1])  # cut after a comma, not mid-phrase
    assert " ".join(parts).split() == long.split()


def test_unbroken_text_is_still_bounded():
    parts = split_sentences("x" * 400)
    assert all(len(p) <= MAX_SENTENCE_CHARS for p in parts)
    assert "".join(parts) == "x" * 400


def test_warm_up_reaches_the_longest_sentence():
    """The warm-up must synthesise a piece as long as any a reply can produce (memory)."""
    longest = max(len(p) for p in split_sentences(WARM_UP_TEXT))
    assert longest >= MAX_SENTENCE_CHARS - 10
