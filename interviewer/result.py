"""The grading result: one object for the CLI, the live session, the database and the review
pages, whichever engine (local or Claude) produced it.

JSON shape (``ScoreResult.to_json``)::

    {"question_id": str, "round": str, "overall": int 0-100, "engine": "local" | "claude",
     "criteria": [{"id", "name", "score": int 0-4, "max": 4,
                   "evidence": [{"quote": str, "start_ms": int, "end_ms": int}],
                   "missing": str | null}],
     "failure_modes": [{"id", "name", "fix"}],
     "summary": str, "improvements": [str], "notes": [str]}
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from audio.incremental import TimedWord

SCORE_MAX = 4


@dataclass(frozen=True)
class AnswerTranscript:
    """What the candidate said for one question, with word times on the session clock.

    ``words`` may be empty (a typed answer file); evidence then carries times of 0.
    """

    text: str
    words: tuple[TimedWord, ...] = ()
    start_ms: int = 0
    end_ms: int = 0

    @classmethod
    def from_text(cls, text: str) -> AnswerTranscript:
        return cls(text=text)


@dataclass(frozen=True)
class Evidence:
    quote: str  # words quoted verbatim from the transcript
    start_ms: int
    end_ms: int

    def to_json(self) -> dict[str, Any]:
        return {"quote": self.quote, "start_ms": self.start_ms, "end_ms": self.end_ms}


@dataclass(frozen=True)
class CriterionScore:
    id: str
    name: str
    score: int  # 0..SCORE_MAX, on the criterion's anchors
    evidence: tuple[Evidence, ...] = ()
    missing: str | None = None  # what the answer lacked for this criterion, if anything
    max: int = SCORE_MAX

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "score": self.score,
            "max": self.max,
            "evidence": [e.to_json() for e in self.evidence],
            "missing": self.missing,
        }


@dataclass(frozen=True)
class FailureModeHit:
    id: str
    name: str
    fix: str

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "fix": self.fix}


@dataclass(frozen=True)
class ScoreResult:
    question_id: str
    round: str
    overall: int  # 0..100
    criteria: tuple[CriterionScore, ...]
    summary: str
    improvements: tuple[str, ...] = ()
    failure_modes: tuple[FailureModeHit, ...] = ()
    engine: str = "local"
    notes: tuple[str, ...] = field(default=())  # e.g. "Claude timed out; scored locally"

    def to_json(self) -> dict[str, Any]:
        return {
            "question_id": self.question_id,
            "round": self.round,
            "overall": self.overall,
            "engine": self.engine,
            "criteria": [c.to_json() for c in self.criteria],
            "failure_modes": [f.to_json() for f in self.failure_modes],
            "summary": self.summary,
            "improvements": list(self.improvements),
            "notes": list(self.notes),
        }

    def weakest(self) -> list[CriterionScore]:
        """Criteria from lowest to highest score (ties keep the question's order)."""
        return sorted(self.criteria, key=lambda c: c.score)


class Scorer(Protocol):
    """Grades one answer against the question's rubric. Blocking: run off the event loop."""

    def score(self, question_id: str, answer: AnswerTranscript) -> ScoreResult: ...
