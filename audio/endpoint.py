"""Does an answer sound finished? A cheap, text-only end-of-turn hint for the segmenter.

Whisper punctuates: a sentence that ends in a full stop after several words usually is the
end of a thought; one that ends on a conjunction, an article or a filler ("and", "the",
"um") is a speaker still thinking.
"""

from __future__ import annotations

import re

TRAILING = {
    "and", "or", "but", "so", "because", "then", "the", "a", "an", "to", "of", "with", "for",
    "in", "on", "at", "by", "from", "that", "which", "if", "when", "where", "like", "um", "uh",
    "er", "erm", "hmm", "mm", "is", "are", "was", "were", "be", "we", "i", "you", "it", "my",
    "our", "their", "this", "these", "those", "would", "could", "should", "will", "can",
    "also", "basically", "actually", "first", "second", "maybe",
}  # fmt: skip


def completion_hint(text: str) -> bool | None:
    """True: sounds complete; False: trails off; None: cannot tell (too little text)."""
    text = text.strip()
    if not text:
        return None
    words = re.findall(r"[\w']+", text.lower())
    if not words:
        return None
    if words[-1] in TRAILING or text.endswith((",", "-", "...", "…")):
        return False
    if text.endswith((".", "?", "!")) and len(words) >= 3:
        return True
    return None
