"""Technical vocabulary, restored after decoding: "caymines" -> "k-means".

Why not prime whisper with the vocabulary? Measured on the shared clips (tiny.en): giving the
question's terms as a prompt or as hotwords raised the word error rate from 4.3 % to 11-15 %,
and up to 50 % for some term lists, because the model skips stretches of speech it cannot fit
to the terms. A correction pass cannot drop words: it only replaces a run of one to four
words whose sound matches a term, and only when the run is not plain English: one of its
words is rare (not a single token in whisper's vocabulary), or plain words run together into
one term ("K means" -> "k-means").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from audio.incremental import TimedWord

_RULES = [
    (r"\+", " plus "),
    (r"ph", "f"),
    (r"ck", "k"),
    (r"c(?=[eiy])", "s"),
    (r"c", "k"),
    (r"q", "k"),
    (r"x", "ks"),
    (r"z", "s"),
    (r"dg", "j"),
    (r"gh", ""),
    (r"^kn", "n"),
    (r"wh", "w"),
    (r"th", "0"),
    (r"sh", "x"),
]


def sound_key(text: str) -> str:
    """A rough phonetic key: consonant skeleton with common spelling variants folded."""
    s = text.lower()
    s = re.sub(r"\+", " plus ", s)
    s = re.sub(r"[^a-z0-9 ]", "", s).replace(" ", "")
    for pattern, repl in _RULES[1:]:
        s = re.sub(pattern, repl, s)
    if not s:
        return ""
    first, rest = s[0], re.sub(r"[aeiouyhw]", "", s[1:])
    key = (first if first not in "aeiouyhw" else "") + rest
    return re.sub(r"(.)\1+", r"\1", key)


@dataclass(frozen=True)
class _Term:
    text: str
    key: str
    words: int


def _plain(word: str) -> str:
    return re.sub(r"[^\w+'-]", "", word)


class VocabularyCorrector:
    """Replaces mis-heard renderings of known terms in a word sequence."""

    def __init__(self, terms: Iterable[str], is_common: Callable[[str], bool]) -> None:
        self._is_common = is_common
        self._terms = [
            _Term(t, sound_key(t), len(t.split()))
            for t in dict.fromkeys(terms)
            if len(sound_key(t)) >= 3
        ]

    def correct(self, words: Sequence[TimedWord]) -> list[TimedWord]:
        out: list[TimedWord] = []
        i = 0
        while i < len(words):
            hit = self._match(words, i)
            if hit is None:
                out.append(words[i])
                i += 1
                continue
            term, n = hit
            first, last = words[i], words[i + n - 1]
            trailing = re.search(r"[.,?!;:]+$", last.text)
            text = term.text + (trailing.group(0) if trailing else "")
            out.append(TimedWord(text, first.start_ms, last.end_ms))
            i += n
        return out

    def _match(self, words: Sequence[TimedWord], i: int) -> tuple[_Term, int] | None:
        for n in (4, 3, 2, 1):
            window = [_plain(w.text) for w in words[i : i + n]]
            if len(window) < n or not all(window):
                continue
            joined = " ".join(window)
            key = sound_key(joined)
            for term in self._terms:
                if term.key != key or abs(term.words - n) > 3:
                    continue
                if joined.lower() == term.text.lower():
                    return None  # already right
                if n == 1 and self._is_common(window[0]):
                    continue  # a real English word that happens to sound alike
                if n > 1 and all(self._is_common(w) for w in window) and term.words == n:
                    continue
                return term, n
        return None
