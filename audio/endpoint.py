"""Does an answer sound finished? A cheap, text-only end-of-turn hint for the segmenter.

Whisper ends almost every decoded fragment with a full stop, so a full stop says little.
What does carry signal: a fragment that ends on a conjunction, an article, a filler or a
comma ("and", "the", "um", ...) is a speaker still thinking; a question, or an explicit
"that's it", is a speaker handing the turn over.
"""

from __future__ import annotations

import re

TRAILING = {
    "and", "or", "but", "so", "because", "then", "the", "a", "an", "to", "of", "with", "for",
    "in", "on", "at", "by", "from", "that", "which", "if", "when", "where", "like", "um", "uh",
    "er", "erm", "hmm", "mm", "is", "are", "was", "were", "be", "we", "i", "my",
    "our", "their", "would", "could", "should", "will", "can",
    "also", "basically", "actually", "first", "second", "maybe",
}  # fmt: skip
# Not here: words that often end a sentence as an object ("forget it", "I told you", "like
# this", "all of these"). Ending on one, an answer that smart-turn heard finished waited the
# trailing-off 2 s (a 1.6 s benchmark answer, "Will we ever forget it?", every run).

HANDOVER = re.compile(
    r"(that'?s (it|all|my answer)|i'?m done|that'?s about it|does that (answer|make sense)"
    r"|any questions)[.!?]?$"
)


def completion_hint(text: str) -> bool | None:
    """True: hands the turn over; False: trails off; None: cannot tell."""
    text = text.strip()
    words = re.findall(r"[\w']+", text.lower())
    if not words:
        return None
    if words[-1] in TRAILING or text.endswith((",", "-", "...", "…", ";", ":")):
        return False
    if text.endswith("?") or HANDOVER.search(text.lower()):
        return True
    return None
