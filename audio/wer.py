"""Word error rate with a light English normaliser (references differ in case and punctuation)."""

from __future__ import annotations

import re

FILLERS = {"um", "uh", "erm", "er", "hmm", "mm", "ah"}
_SPELLINGS = {
    "dishonoured": "dishonored", "colour": "color", "honour": "honor", "favour": "favor",
    "mr": "mister", "mrs": "missus", "yknow": "you know", "ok": "okay", "forever": "for ever",
}  # fmt: skip
_NUMBERS = {
    "1": "one", "2": "two", "3": "three", "4": "four", "5": "five", "6": "six", "7": "seven",
    "8": "eight", "9": "nine", "10": "ten", "20th": "twentieth",
}  # fmt: skip


def normalize(text: str) -> list[str]:
    text = text.lower().replace("’", "'")
    text = re.sub(r"[-–—/]", " ", text)
    text = re.sub(r"[^\w\s']", " ", text)
    words: list[str] = []
    for raw in text.split():
        w = raw.strip("'")
        if not w or w in FILLERS:
            continue
        w = _NUMBERS.get(w, w)
        words.extend(_SPELLINGS.get(w, w).split())
    return words


def edit_distance(ref: list[str], hyp: list[str]) -> int:
    prev = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        cur = [i] + [0] * len(hyp)
        for j, h in enumerate(hyp, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (r != h))
        prev = cur
    return prev[-1]


def wer(reference: str, hypothesis: str) -> float:
    ref, hyp = normalize(reference), normalize(hypothesis)
    if not ref:
        return 0.0 if not hyp else 1.0
    return edit_distance(ref, hyp) / len(ref)


def corpus_wer(pairs: list[tuple[str, str]]) -> float:
    """Total edits over total reference words."""
    edits = sum(edit_distance(normalize(r), normalize(h)) for r, h in pairs)
    words = sum(len(normalize(r)) for r, _ in pairs)
    return edits / max(1, words)
