"""Interviewer engine: decides what the interviewer says next. I/O-free and synchronous.

Fed one finished answer at a time (``on_answer``); returns a ``Reply``. Its whole state is a
JSON-ready snapshot, stored after every turn, so any server node can resume the session.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal, Protocol

ReplyKind = Literal["question", "follow_up", "clarification", "prompt", "feedback", "closing"]


class QuestionLike(Protocol):
    id: str
    round: str
    prompt: str
    vocabulary: tuple[str, ...]
    probes: tuple
    facts: tuple


@dataclass(frozen=True)
class Reply:
    text: str
    kind: ReplyKind
    question_id: str | None = None
    ends_interview: bool = False


@dataclass(frozen=True)
class Answer:
    text: str
    start_ms: int = 0
    end_ms: int = 0


ROUND_NAMES = {
    "coding": "a coding round",
    "system_design": "an ML system design round",
    "ml_depth": "an applied ML depth round",
    "behavioral": "a behavioural round",
    "star": "STAR story practice",
    "loop": "a short full loop: coding, system design, ML depth and behavioural",
}

_REPEAT = re.compile(
    r"\b(repeat|say (that|it) again|come again|pardon|didn'?t (catch|hear)|one more time)\b"
)
_DONT_KNOW = re.compile(
    r"\b(i (really )?(don'?t|do not) know|no idea|not sure how|i'?m not (familiar|sure)|"
    r"i (can'?t|cannot) remember|let'?s (skip|move on)|skip (this|that|it))\b"
)
_QUESTION_START = re.compile(
    r"^(what|how|is|are|can|could|do|does|should|would|which|when|where|who|may i ask)\b"
)


@dataclass
class EngineState:
    question_ids: list[str]
    index: int = 0
    follow_ups: int = 0
    probes_used: list[str] = field(default_factory=list)
    silences: int = 0
    finished: bool = False


class InterviewerEngine:
    """Runs a planned list of questions with follow-ups, clarifications and repeats."""

    max_follow_ups = 1

    def __init__(self, questions: dict[str, QuestionLike], state: EngineState, round: str = "loop"):
        self.questions = questions
        self.state = state
        self.round = round

    # -- state ---------------------------------------------------------------------------
    def snapshot(self) -> dict:
        s = self.state
        return {
            "question_ids": list(s.question_ids),
            "index": s.index,
            "follow_ups": s.follow_ups,
            "probes_used": list(s.probes_used),
            "silences": s.silences,
            "finished": s.finished,
            "round": self.round,
        }

    @classmethod
    def restore(cls, questions: dict[str, QuestionLike], snap: dict) -> InterviewerEngine:
        state = EngineState(
            question_ids=list(snap["question_ids"]),
            index=int(snap.get("index", 0)),
            follow_ups=int(snap.get("follow_ups", 0)),
            probes_used=list(snap.get("probes_used", [])),
            silences=int(snap.get("silences", 0)),
            finished=bool(snap.get("finished", False)),
        )
        return cls(questions, state, snap.get("round", "loop"))

    @property
    def current(self) -> QuestionLike | None:
        s = self.state
        if s.finished or s.index >= len(s.question_ids):
            return None
        return self.questions[s.question_ids[s.index]]

    @property
    def finished(self) -> bool:
        return self.state.finished

    def vocabulary(self) -> str:
        """Technical words of the current question, to prime speech recognition."""
        q = self.current
        return ", ".join(q.vocabulary) + "." if q and q.vocabulary else ""

    # -- conversation --------------------------------------------------------------------
    def opening(self) -> Reply:
        q = self.current
        if q is None:
            return self._close()
        intro = (
            "Hi, thanks for joining. "
            f"Today we'll do {ROUND_NAMES.get(self.round, 'a mock interview')}. "
            "Answer out loud, and pause or press I'm done when you finish. "
        )
        return Reply(intro + "Here's the first question. " + q.prompt, "question", q.id)

    def resume(self) -> Reply:
        q = self.current
        if q is None:
            return self._close()
        return Reply("Welcome back. Let's pick up where we left off. " + q.prompt, "question", q.id)

    def on_answer(self, answer: Answer) -> Reply:
        q = self.current
        if q is None:
            return self._close()
        text = answer.text.strip()
        low = text.lower()
        if not text:
            self.state.silences += 1
            if self.state.silences >= 2:
                self.state.silences = 0
                return self._advance("No problem, let's move on. ")
            return Reply(
                "Take your time. When you're ready, talk me through your thinking out loud.",
                "prompt",
                q.id,
            )
        self.state.silences = 0
        if _REPEAT.search(low) and len(low.split()) < 20:
            return Reply("Sure. " + q.prompt, "question", q.id)
        if _DONT_KNOW.search(low) and len(low.split()) < 25:
            return self._advance("That's fine, it happens in real interviews too. ")
        if self._is_clarifying(low):
            fact = self._find_fact(q, low)
            if fact is not None:
                return Reply(fact, "clarification", q.id)
            return Reply(
                "Good question. Make a reasonable assumption, say it out loud, and go ahead.",
                "clarification",
                q.id,
            )
        if self.state.follow_ups < self.max_follow_ups:
            probe = self._next_probe(q, low)
            if probe is not None:
                self.state.follow_ups += 1
                self.state.probes_used.append(probe)
                return Reply("Thanks. " + probe, "follow_up", q.id)
        return self._advance("Thanks, that's helpful. ")

    # -- helpers -------------------------------------------------------------------------
    def _advance(self, preface: str) -> Reply:
        s = self.state
        s.index += 1
        s.follow_ups = 0
        s.silences = 0
        q = self.current
        if q is None:
            return self._close(preface)
        return Reply(preface + "Next question. " + q.prompt, "question", q.id)

    def _close(self, preface: str = "") -> Reply:
        self.state.finished = True
        return Reply(
            preface + "That's all the questions I had. Thanks for your time, "
            "your feedback is ready on the review page.",
            "closing",
            None,
            ends_interview=True,
        )

    @staticmethod
    def _is_clarifying(low: str) -> bool:
        words = low.split()
        return len(words) <= 30 and (low.endswith("?") or bool(_QUESTION_START.match(low)))

    @staticmethod
    def _find_fact(q: QuestionLike, low: str) -> str | None:
        best, best_hits = None, 0
        for fact in q.facts:
            hits = sum(1 for k in fact.keywords if k.lower() in low)
            if hits > best_hits:
                best, best_hits = fact.answer, hits
        return best

    def _next_probe(self, q: QuestionLike, low: str) -> str | None:
        for probe in q.probes:
            if probe.text not in self.state.probes_used:
                return probe.text
        return None
