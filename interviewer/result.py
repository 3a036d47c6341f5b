"""The grading result: one object for the CLI, the live session, the database and the review
pages, whichever engine (local or Claude) produced it.

JSON shape (``ScoreResult.to_json``)::

    {"question_id": str, "round": str, "overall": int 0-100, "engine": "local" | "claude",
     "criteria": [{"id", "name", "score": int 0-4, "max": 4,
                   "evidence": [{"quote": str, "start_ms": int, "end_ms": int}],
                   "missing": str | null,
                   "source": "narration" | "tests"}],
     "failure_modes": [{"id", "name", "fix"}],
     "summary": str, "improvements": [str], "notes": [str],
     "tests": {...}}   # coding questions with a test suite only (interviewer/code.py)

``source`` says where a criterion's score came from: what the candidate said (narration), or
the question's test suite run on their code (tests, coding questions only).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from audio.incremental import TimedWord

SCORE_MAX = 4
Source = Literal["narration", "tests"]


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

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> Evidence:
        return cls(str(d["quote"]), int(d["start_ms"]), int(d["end_ms"]))


@dataclass(frozen=True)
class CriterionScore:
    id: str
    name: str
    score: int  # 0..SCORE_MAX, on the criterion's anchors
    evidence: tuple[Evidence, ...] = ()
    missing: str | None = None  # what the answer lacked for this criterion, if anything
    max: int = SCORE_MAX
    source: Source = "narration"  # what the candidate said, or the code's test run

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "score": self.score,
            "max": self.max,
            "evidence": [e.to_json() for e in self.evidence],
            "missing": self.missing,
            "source": self.source,
        }

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> CriterionScore:
        return cls(
            id=str(d["id"]),
            name=str(d["name"]),
            score=int(d["score"]),
            evidence=tuple(Evidence.from_json(e) for e in d.get("evidence", ())),
            missing=d.get("missing"),
            max=int(d.get("max", SCORE_MAX)),
            source="tests" if d.get("source") == "tests" else "narration",
        )


@dataclass(frozen=True)
class FailureModeHit:
    id: str
    name: str
    fix: str

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "fix": self.fix}

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> FailureModeHit:
        return cls(str(d["id"]), str(d["name"]), str(d["fix"]))


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
    # The test run graded with it (coding questions with a suite; interviewer/code.py).
    tests: Mapping[str, Any] | None = field(default=None, hash=False)

    def to_json(self) -> dict[str, Any]:
        out = {
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
        if self.tests is not None:
            out["tests"] = dict(self.tests)
        return out

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> ScoreResult:
        """The inverse of ``to_json`` (a stored grading, to combine it with a newer run)."""
        return cls(
            question_id=str(d["question_id"]),
            round=str(d.get("round", "")),
            overall=int(d["overall"]),
            criteria=tuple(CriterionScore.from_json(c) for c in d.get("criteria", ())),
            summary=str(d.get("summary", "")),
            improvements=tuple(str(x) for x in d.get("improvements", ())),
            failure_modes=tuple(FailureModeHit.from_json(f) for f in d.get("failure_modes", ())),
            engine=str(d.get("engine", "local")),
            notes=tuple(str(x) for x in d.get("notes", ())),
            tests=d.get("tests"),
        )

    def weakest(self) -> list[CriterionScore]:
        """Criteria from lowest to highest score (ties keep the question's order)."""
        return sorted(self.criteria, key=lambda c: c.score)


class Scorer(Protocol):
    """Grades one answer against the question's rubric. Blocking: run off the event loop."""

    def score(self, question_id: str, answer: AnswerTranscript) -> ScoreResult: ...
