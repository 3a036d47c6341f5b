"""Interviewer engine: decides what the interviewer says next. I/O-free and synchronous.

Fed one finished answer at a time (``on_answer``); returns a ``Reply``. Its whole state is a
JSON-ready snapshot, stored after every turn, so any server node can resume the session.

Feedback follows the session's mode: in ``study`` mode, moving on from a question starts with
one or two sentences of spoken feedback (the best criterion and the biggest gap of the
grading passed to ``on_answer``); in ``interview`` mode nothing is said until the closing
reply, which summarises the whole interview. ``retry`` re-asks the question just answered
("Try again"); each attempt is numbered.

During a coding question the candidate runs code against the question's tests;
``on_code_result`` turns the result into one short line (kind ``"code"``): the first failing
case, or "All N tests pass." with a probe (complexity first). While the candidate is talking
the line waits, in the snapshot, and becomes the next follow-up instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Literal, Protocol

from interviewer.code import CodeOutcome, reaction_text
from interviewer.result import ScoreResult

ReplyKind = Literal[
    "question", "follow_up", "clarification", "prompt", "feedback", "closing", "code"
]

CODE_PROBE_CRITERIA = (
    "code_complexity",
    "code_edge_cases_tests",
    "code_memory_efficiency",
    "code_numerical_stability",
)
"""What to ask once the tests pass, in order: the question's probe for the first criterion
here that it has a probe for and that was not asked yet."""
COMPLEXITY_PROBE = "What's the time and space complexity of your solution?"


class QuestionLike(Protocol):
    id: str
    round: str
    prompt: str
    vocabulary: tuple[str, ...]
    probes: tuple
    facts: tuple
    time_budget_s: int


@dataclass(frozen=True)
class Reply:
    text: str
    kind: ReplyKind
    question_id: str | None = None
    ends_interview: bool = False
    attempt: int = 1  # which attempt at ``question_id`` this reply belongs to
    feedback_for: str | None = None  # the reply opens with feedback on this question's answer


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

RAMBLE_S = 240  # an answer running this long without a pause gets cut off politely
_SPOKEN_MINUTES = {10: "ten", 5: "five", 2: "two"}

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
    asked_at_ms: int = 0  # session clock when the current question was asked
    time_calls: list[int] = field(default_factory=list)  # minutes-left already announced
    answered: bool = False  # the current question (this attempt) got an answer
    attempts: dict[str, int] = field(default_factory=dict)  # question id -> attempt (from 1)
    notes: dict[str, dict] = field(default_factory=dict)  # question id -> grading summary
    code_pending: str | None = None  # a reaction to a test run, for the next follow-up


class InterviewerEngine:
    """Runs a planned list of questions with follow-ups, clarifications and repeats."""

    def __init__(
        self,
        questions: dict[str, QuestionLike],
        state: EngineState,
        round: str = "loop",
        mode: str = "study",
    ):
        self.questions = questions
        self.state = state
        self.round = round
        self.mode = mode  # study: feedback after each question; interview: at the end

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
            "asked_at_ms": s.asked_at_ms,
            "time_calls": list(s.time_calls),
            "answered": s.answered,
            "attempts": dict(s.attempts),
            "notes": {k: dict(v) for k, v in s.notes.items()},
            "code_pending": s.code_pending,
            "round": self.round,
            "mode": self.mode,
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
            asked_at_ms=int(snap.get("asked_at_ms", 0)),
            time_calls=list(snap.get("time_calls", [])),
            answered=bool(snap.get("answered", False)),
            attempts={str(k): int(v) for k, v in snap.get("attempts", {}).items()},
            notes={str(k): dict(v) for k, v in snap.get("notes", {}).items()},
            code_pending=snap.get("code_pending") or None,
        )
        return cls(questions, state, snap.get("round", "loop"), snap.get("mode", "study"))

    @property
    def current(self) -> QuestionLike | None:
        s = self.state
        if s.finished or s.index >= len(s.question_ids):
            return None
        return self.questions[s.question_ids[s.index]]

    @property
    def finished(self) -> bool:
        return self.state.finished

    def attempt_for(self, question_id: str | None) -> int:
        """The attempt number at ``question_id`` (1 until the candidate asks to try again)."""
        return self.state.attempts.get(question_id, 1) if question_id else 1

    @property
    def attempt(self) -> int:
        q = self.current
        return self.attempt_for(q.id if q else None)

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
        return self._stamp(
            Reply("Welcome back. Let's pick up where we left off. " + q.prompt, "question", q.id)
        )

    def retry(self, now_ms: int = 0) -> Reply:
        """ "Try again": ask the question just answered once more, as a new attempt. That is
        the current question if it has an answer, else the one before (the interviewer has
        already moved on, e.g. after study-mode feedback, or is closing the interview)."""
        s = self.state
        index = min(s.index, len(s.question_ids) - 1)
        if not s.answered and s.index > 0:
            index = s.index - 1
        if not s.question_ids:
            return self._close()
        question_id = s.question_ids[index]
        is_new_attempt = index != s.index or s.answered or s.finished
        s.index = index
        s.finished = False
        s.follow_ups = 0
        s.probes_used = []
        s.silences = 0
        s.asked_at_ms = now_ms
        s.time_calls = []
        s.answered = False
        s.code_pending = None
        if is_new_attempt:
            s.attempts[question_id] = self.attempt_for(question_id) + 1
        q = self.questions[question_id]
        return self._stamp(Reply("Sure, let's try that one again. " + q.prompt, "question", q.id))

    def on_answer(self, answer: Answer, assessment: ScoreResult | None = None) -> Reply:
        """Decide the reply to one answer. ``assessment`` is the grading of everything said
        for the current question so far; its weakest criteria choose the follow-up, and it is
        what study-mode feedback and the interview-mode summary are made of."""
        q = self.current
        if q is not None and assessment is not None and assessment.question_id == q.id:
            self.state.notes[q.id] = _note(assessment)
        return self._stamp(self._on_answer(answer, assessment))

    def _on_answer(self, answer: Answer, assessment: ScoreResult | None) -> Reply:
        q = self.current
        if q is None:
            return self._close()
        text = answer.text.strip()
        low = text.lower()
        if not text:
            self.state.silences += 1
            if self.state.silences >= 2:
                self.state.silences = 0
                return self._advance("No problem, let's move on. ", answer.end_ms)
            return Reply(
                "Take your time. When you're ready, talk me through your thinking out loud.",
                "prompt",
                q.id,
            )
        self.state.silences = 0
        if _REPEAT.search(low) and len(low.split()) < 20:
            return Reply("Sure. " + q.prompt, "question", q.id)
        if _DONT_KNOW.search(low) and len(low.split()) < 25:
            self.state.answered = True
            return self._advance("That's fine, it happens in real interviews too. ", answer.end_ms)
        if self._is_clarifying(low):
            fact = self._find_fact(q, low)
            if fact is not None:
                return Reply(fact, "clarification", q.id)
            return Reply(
                "Good question. Make a reasonable assumption, say it out loud, and go ahead.",
                "clarification",
                q.id,
            )
        self.state.answered = True
        elapsed_s = max(0, answer.end_ms - self.state.asked_at_ms) / 1000
        budget_s = q.time_budget_s
        if elapsed_s >= budget_s:
            return self._advance(
                "We're at time for this question, so let's move on. ", answer.end_ms
            )
        preface = "Thanks. "
        if (answer.end_ms - answer.start_ms) / 1000 > RAMBLE_S:
            preface = "Let me stop you there so we keep moving. "
        preface += self._time_call(budget_s - elapsed_s, budget_s)
        if self.state.code_pending:  # a test run came back while they were talking
            line, self.state.code_pending = self.state.code_pending, None
            self.state.follow_ups += 1
            return Reply(preface + line, "code", q.id)
        if self.state.follow_ups < self.max_follow_ups(q):
            probe = self._next_probe(q, assessment)
            if probe is not None:
                self.state.follow_ups += 1
                self.state.probes_used.append(probe)
                return Reply(preface + probe, "follow_up", q.id)
        return self._advance("Thanks, that's helpful. ", answer.end_ms)

    def on_code_result(
        self, outcome: CodeOutcome, *, candidate_talking: bool = False
    ) -> Reply | None:
        """React to a test run of the current question: one short line of kind ``"code"``
        about the first failing case, or "All N tests pass." and a probe. While the candidate
        is talking, nothing is said now: the line becomes the next follow-up (it is kept in
        the snapshot). ``None`` when there is nothing to say now."""
        q = self.current
        if q is None or outcome.question_id != q.id:
            return None  # a run for a question the interview has left
        probe = self._code_probe(q) if outcome.all_pass else None
        text = reaction_text(outcome, probe)
        if candidate_talking:
            self.state.code_pending = text
            return None
        self.state.code_pending = None
        return self._stamp(Reply(text, "code", q.id))

    def _code_probe(self, q: QuestionLike) -> str | None:
        """A rubric probe for code that passes: complexity first (the question's own probe,
        else a plain one, unless complexity was asked already), then edge cases, memory and
        numerical stability; marked as used."""
        used = set(self.state.probes_used)
        for criterion in CODE_PROBE_CRITERIA:
            own = [p.text for p in q.probes if p.criterion == criterion]
            fresh = [text for text in own if text not in used]
            if criterion == "code_complexity" and not own and COMPLEXITY_PROBE not in used:
                fresh = [COMPLEXITY_PROBE]
            if fresh:
                self.state.probes_used.append(fresh[0])
                return fresh[0]
        return None

    def reword_follow_up(self, reply: Reply, text: str) -> Reply:
        """Swap the probe of a follow-up reply for another wording of it (e.g. Claude's, aimed
        at the same gap but in the candidate's own terms)."""
        if reply.kind != "follow_up" or not self.state.probes_used:
            return reply
        probe = self.state.probes_used[-1]
        if not reply.text.endswith(probe):
            return reply
        self.state.probes_used[-1] = text
        self.state.probes_used.append(probe)  # the bank's wording counts as used too
        return replace(reply, text=reply.text[: -len(probe)] + text)

    def max_follow_ups(self, q: QuestionLike) -> int:
        """Design questions get more probing than a short depth or behavioural question."""
        return 3 if q.round == "system_design" else 2

    def _time_call(self, remaining_s: float, budget_s: int) -> str:
        """Keep time out loud, once per mark, as interviewers do: "about ten minutes left"."""
        for minutes in (10, 5, 2):
            if budget_s >= minutes * 60 * 2 and remaining_s <= minutes * 60:
                if minutes not in self.state.time_calls:
                    self.state.time_calls.append(minutes)
                    return f"We have about {_SPOKEN_MINUTES[minutes]} minutes left on this one. "
                break
        return ""

    # -- helpers -------------------------------------------------------------------------
    def _stamp(self, reply: Reply) -> Reply:
        return replace(reply, attempt=self.attempt_for(reply.question_id))

    def _advance(self, preface: str, now_ms: int = 0) -> Reply:
        s = self.state
        left = self.current
        feedback = ""
        if self.mode == "study" and left is not None and left.id in s.notes:
            feedback = study_feedback(s.notes[left.id])
        s.index += 1
        s.follow_ups = 0
        s.silences = 0
        s.code_pending = None
        s.asked_at_ms = now_ms
        s.time_calls = []
        s.answered = False
        q = self.current
        reply = (
            self._close(preface + feedback)
            if q is None
            else Reply(preface + feedback + "Next question. " + q.prompt, "question", q.id)
        )
        return replace(reply, feedback_for=left.id) if feedback and left else reply

    def _close(self, preface: str = "") -> Reply:
        self.state.finished = True
        summary = ""
        if self.mode == "interview" and self.state.notes:
            summary = interview_summary(list(self.state.notes.values()))
        return Reply(
            preface + "That's all the questions I had. " + summary + "Thanks for your time, "
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

    def _next_probe(self, q: QuestionLike, assessment: ScoreResult | None) -> str | None:
        """The question's probe for its weakest criterion not yet probed; without a grading,
        the question's probes in order."""
        used = set(self.state.probes_used)
        if assessment is not None:
            for crit in assessment.weakest():
                if crit.score >= 3:
                    return None  # nothing weak left to probe: move on
                for probe in q.probes:
                    if probe.criterion == crit.id and probe.text not in used:
                        return probe.text
            return None
        for probe in q.probes:
            if probe.text not in used:
                return probe.text
        return None


# -- spoken feedback -------------------------------------------------------------------------
# Criterion names are third-person verb phrases ("Opens with the data: sources and refresh");
# feedback turns them into "you opened with the data" and "open with the data".

_PAST = {
    "sets": "set",
    "keeps": "kept",
    "chooses": "chose",
    "writes": "wrote",
    "gives": "gave",
    "says": "said",
    "debugs": "debugged",
    "ties": "tied",
}
_PRONOUNS = {"they": "you", "their": "your", "them": "you", "themselves": "yourself"}
# Second verbs after "and" ("rolls out safely and runs an A/B test"): past, base form.
_SECOND_VERBS = {
    "runs": ("ran", "run"),
    "states": ("stated", "state"),
    "tests": ("tested", "test"),
    "says": ("said", "say"),
}


def _speakable(name: str, form: int) -> list[str]:
    name = re.sub(r"^STAR:\s*", "", name).replace(" / ", " or ").replace("A/B", "A B")
    words = [_PRONOUNS.get(w, w) for w in name.split()]
    for i in range(2, len(words)):
        if words[i - 1] == "and" and words[i] in _SECOND_VERBS:
            words[i] = _SECOND_VERBS[words[i]][form]
    return words


def _you_did(name: str) -> str:
    """ "Opens with the data" -> "you opened with the data"."""
    verb, *rest = _speakable(name, 0)
    v = verb.lower()
    if v in _PAST:
        past = _PAST[v]
    elif v.endswith("ies") and len(v) > 4:
        past = v[:-3] + "ied"
    elif v.endswith("s"):
        base = v[:-1]
        past = base + ("d" if base.endswith("e") else "ed")
    else:
        return "you did well on " + name[0].lower() + name[1:]
    return " ".join(["you", past, *rest])


def _do(name: str) -> str:
    """ "Monitors the model in production" -> "monitor the model in production"."""
    verb, *rest = _speakable(name, 1)
    v = verb.lower()
    if v == "ties":
        base = "tie"
    elif v.endswith("ies") and len(v) > 4:
        base = v[:-3] + "y"
    elif v.endswith("s"):
        base = v[:-1]
    else:
        return "work on " + name[0].lower() + name[1:]
    return " ".join([base, *rest])


def _note(result: ScoreResult) -> dict:
    """What feedback needs from a grading: the overall score, best criterion, biggest gap."""
    ranked = result.weakest()
    if not ranked:
        return {"overall": result.overall}
    best = max(result.criteria, key=lambda c: c.score)  # first of the best, in rubric order
    gap = ranked[0]
    return {
        "overall": result.overall,
        "best": best.name,
        "best_score": best.score,
        "gap": gap.name,
        "gap_score": gap.score,
    }


def study_feedback(note: dict) -> str:
    """One or two spoken sentences on the answer just given."""
    if "best" not in note:
        return ""
    if note["best_score"] >= 2:
        praise = f"Quick feedback: {_you_did(note['best'])}, good. "
    else:
        praise = "Quick feedback: that one needs more depth. "
    if note["gap_score"] >= 3:
        return praise + "That was a solid answer. "
    return praise + f"To make it stronger, {_do(note['gap'])}. "


def interview_summary(notes: list[dict]) -> str:
    """The spoken end-of-interview summary (interview mode)."""
    graded = [n for n in notes if "best" in n]
    if not graded:
        return ""
    average = round(sum(n["overall"] for n in graded) / len(graded))
    count = "one question" if len(graded) == 1 else f"{len(graded)} questions"
    text = f"Here's a short summary. Across {count}, your answers averaged {average} out of 100. "
    best = max(graded, key=lambda n: n["best_score"])
    gap = min(graded, key=lambda n: n["gap_score"])
    if best["best_score"] >= 2:
        text += f"Your strongest moment: {_you_did(best['best'])}. "
    if gap["gap_score"] < 3:
        text += f"The main thing to work on: {_do(gap['gap'])}. "
    return text
