"""Coding questions: a test run as the interviewer and the grader see it. Pure, I/O-free.

``CodeOutcome`` is what is left of a sandbox run (``coding.result.CodeRunResult``) once the
suite's case descriptions are attached: counts, the failing cases in suite order, the limit
that stopped it. Two things are made from it here:

- the interviewer's one-line reaction (``reaction_text``): the first failing case, briefly,
  or "All N tests pass." followed by a probe the engine picks;
- the grading that combines the test results with the narration criteria (``combine``): the
  correctness criterion is scored from the tests (``source: "tests"``), every other criterion
  keeps the scorer's score for what was said (``source: "narration"``), and the summary says
  which came from where. No run: the tests part says "code was not run".
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from interviewer.result import SCORE_MAX, CriterionScore, ScoreResult

TESTS_CRITERION = "code_correctness"
"""The rubric criterion the test suite scores; the others are scored from the narration."""

TESTS_CRITERION_NAME = "Produces a correct solution"
NOT_RUN = "code was not run"
SPOKEN_MESSAGE_CHARS = 100  # a failing case's message, cut for speech
_WHERE = re.compile(r"\s*\(solution\.py, line (\d+)\)")  # the harness's location note

_LIMITS = {
    "cpu": "ran out of CPU time",
    "wall": "ran out of time",
    "memory": "ran out of memory",
    "processes": "started too many processes",
    "output": "printed too much output",
    "file_size": "wrote too large a file",
}
_LIMIT_QUESTIONS = {
    "cpu": "Is there a loop that never ends, or a step slower than it needs to be?",
    "wall": "Is there a loop that never ends, or a step slower than it needs to be?",
    "memory": "Where does it hold more in memory than it needs?",
    "processes": "Why does it need more processes?",
    "output": "Can you take the prints out and run it again?",
    "file_size": "What is it writing?",
}


@dataclass(frozen=True)
class FailedCase:
    name: str
    description: str  # the test's one-line docstring, a noun phrase ("an empty cluster")
    message: str  # the assertion message or "ExceptionType: message"
    hidden: bool = False


@dataclass(frozen=True)
class CodeOutcome:
    """One test run of the candidate's code, for one attempt at one question."""

    question_id: str
    passed: int
    failed: int
    total: int
    at_ms: int = 0  # session clock when the run was asked for
    failures: tuple[FailedCase, ...] = ()  # failing cases in suite order
    limits_hit: str | None = None  # cpu | wall | memory | processes | output | file_size
    error: str | None = None  # the run did not complete (sandbox fault)

    @property
    def all_pass(self) -> bool:
        return (
            self.total > 0 and self.failed == 0 and self.limits_hit is None and self.error is None
        )

    @classmethod
    def from_cases(
        cls,
        question_id: str,
        cases: Sequence[Mapping[str, Any]],
        *,
        at_ms: int = 0,
        limits_hit: str | None = None,
        error: str | None = None,
        passed: int | None = None,
        total: int | None = None,
    ) -> CodeOutcome:
        """From ``code_result``-shaped cases ({name, ok, message, hidden, description})."""
        failures = tuple(
            FailedCase(
                name=str(c.get("name", "")),
                description=str(c.get("description") or c.get("name", "")),
                message=str(c.get("message") or ""),
                hidden=bool(c.get("hidden", False)),
            )
            for c in cases
            if not c.get("ok")
        )
        n_passed = sum(1 for c in cases if c.get("ok")) if passed is None else passed
        n_total = len(cases) if total is None else total
        return cls(
            question_id=question_id,
            passed=n_passed,
            failed=max(0, n_total - n_passed),
            total=n_total,
            at_ms=at_ms,
            failures=failures,
            limits_hit=limits_hit,
            error=error,
        )


# --------------------------------------------------------------------------- reaction


def _brief(text: str, limit: int = SPOKEN_MESSAGE_CHARS) -> str:
    """The first line of a message, cut at a word boundary: said aloud, so short."""
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    line = _WHERE.sub(r" on line \1", line)
    if len(line) <= limit:
        return line.rstrip(".")
    cut = line[:limit].rsplit(" ", 1)[0] or line[:limit]
    return cut.rstrip(" ,.;:") + "..."


def _counts(outcome: CodeOutcome) -> str:
    if outcome.total == 1:
        return "The test passes." if outcome.passed else "The test fails."
    if outcome.passed == 0:
        return f"None of the {outcome.total} tests pass."
    return f"{outcome.passed} of {outcome.total} tests pass."


def reaction_text(outcome: CodeOutcome, probe: str | None = None) -> str:
    """One short spoken line about a run. ``probe`` follows "All N tests pass." when the code
    passes (the engine picks it, e.g. the question's complexity probe)."""
    if outcome.limits_hit in _LIMITS:
        return (
            f"Your code {_LIMITS[outcome.limits_hit]} on the tests, so I stopped it. "
            + _LIMIT_QUESTIONS[outcome.limits_hit]
        )
    if outcome.all_pass:
        head = "The test passes." if outcome.total == 1 else f"All {outcome.total} tests pass."
        return f"{head} {probe}" if probe else head
    if outcome.failures:
        first = outcome.failures[0]
        message = _brief(first.message)
        end = "" if message.endswith("...") else "."
        if outcome.total > 1 and outcome.passed == 0 and message and all(
            f.message == first.message for f in outcome.failures
        ):  # the same error everywhere: the code does not load (syntax, import)
            return f"Your code fails before any test runs: {message}{end} Can you fix that?"
        what = _brief(first.description) or first.name
        fails = f"The test for {what} fails" + (f": {message}{end}" if message else ".")
        lead = "" if outcome.total == 1 else _counts(outcome) + " "
        return f"{lead}{fails} What happens there?"
    if outcome.error:
        return "I couldn't run your tests that time. Take a look and run it again."
    return "There were no tests to run for this one."


# --------------------------------------------------------------------------- grading


def correctness_level(outcome: CodeOutcome | None) -> int:
    """The correctness criterion's level (0-4) from a run, on its anchors: 4 every test
    passes (edge cases included); 3 correct on normal inputs (three quarters pass and only
    hidden edge-case tests fail); 2 a bug that breaks some inputs (half pass); 1 the right
    idea, core step wrong (something passes); 0 nothing passes, or no run."""
    if outcome is None or outcome.total == 0:
        return 0
    if outcome.all_pass:
        return SCORE_MAX
    ratio = outcome.passed / outcome.total
    only_hidden = all(f.hidden for f in outcome.failures)
    if ratio >= 0.75 and only_hidden and outcome.limits_hit is None:
        return 3
    if ratio >= 0.5:
        return 2
    return 1 if outcome.passed > 0 else 0


def _clock(ms: int) -> str:
    s = max(0, ms) // 1000
    return f"{s // 60}:{s % 60:02d}"


def summary_sentence(outcome: CodeOutcome | None, criterion_name: str, level: int) -> str:
    """The sentence of the summary that says what came from the tests."""
    scored = f'"{criterion_name}" ({level}/{SCORE_MAX})'
    rest = "every other criterion is scored from what you said."
    if outcome is None:
        return f"From the tests: {NOT_RUN}, so {scored} could not be checked; {rest}"
    when = f"the run at {_clock(outcome.at_ms)}"
    if outcome.limits_hit in _LIMITS:
        result = f"{when} {_LIMITS[outcome.limits_hit]} ({outcome.passed} of {outcome.total} pass)"
    elif outcome.all_pass:
        result = f"all {outcome.total} tests pass in {when}"
    else:
        result = f"{outcome.passed} of {outcome.total} tests pass in {when}"
        if outcome.failures:
            result += f", first failure: {_brief(outcome.failures[0].description, 80)}"
    return f"From the tests: {result}, which scored {scored}; {rest}"


def _tests_missing(outcome: CodeOutcome | None, level: int) -> str | None:
    if outcome is None:
        return "Code was not run: run it against the tests to show it works."
    if level >= SCORE_MAX:
        return None
    if outcome.limits_hit in _LIMITS:
        return f"The code {_LIMITS[outcome.limits_hit]} on the tests."
    names = "; ".join(_brief(f.description, 80) for f in outcome.failures[:3])
    more = "" if len(outcome.failures) <= 3 else f" and {len(outcome.failures) - 3} more"
    failing = f" Failing: {names}{more}." if names else ""
    return f"{outcome.passed} of {outcome.total} tests pass.{failing}"


def tests_block(outcome: CodeOutcome | None, summary: str) -> dict[str, Any]:
    """The ``tests`` block of a combined grading (what the review shows beside the score)."""
    if outcome is None:
        return {"ran": False, "summary": summary}
    return {
        "ran": True,
        "at_ms": outcome.at_ms,
        "passed": outcome.passed,
        "failed": outcome.failed,
        "total": outcome.total,
        "failing": [f.name for f in outcome.failures],
        "limits_hit": outcome.limits_hit,
        "summary": summary,
    }


def overall_from(criteria: Sequence[CriterionScore]) -> int:
    """0-100: the mean criterion score as a percentage of the maximum, rounded half up."""
    top = sum(c.max for c in criteria)
    if not top:
        return 0
    return (200 * sum(c.score for c in criteria) + top) // (2 * top)


def combine(result: ScoreResult, outcome: CodeOutcome | None) -> ScoreResult:
    """A coding answer's grading: the narration criteria as scored from what was said, the
    correctness criterion from the latest run (``None``: the code was not run).

    Idempotent: a grading combined before can be combined again with a newer run.
    """
    previous = result.tests or {}
    summary = result.summary
    old_tests_sentence = str(previous.get("summary") or "")
    if old_tests_sentence and summary.endswith(old_tests_sentence):
        summary = summary[: -len(old_tests_sentence)].rstrip()
    level = correctness_level(outcome)
    name = next(
        (c.name for c in result.criteria if c.id == TESTS_CRITERION), TESTS_CRITERION_NAME
    )
    tested = CriterionScore(
        id=TESTS_CRITERION,
        name=name,
        score=level,
        evidence=(),
        missing=_tests_missing(outcome, level),
        source="tests",
    )
    criteria = [
        tested if c.id == TESTS_CRITERION else replace(c, source="narration")
        for c in result.criteria
    ]
    if all(c.id != TESTS_CRITERION for c in result.criteria):
        criteria.append(tested)
    sentence = summary_sentence(outcome, name, level)
    improvements = [i for i in result.improvements if not i.startswith(f"{name} (")]
    if level < SCORE_MAX:
        fix = (
            "run your code against the tests before you call it done"
            if outcome is None
            else "fix the failing tests, say why they failed, and run again"
        )
        improvements.insert(0, f"{name} ({level}/{SCORE_MAX} from the tests): {fix}.")
    return replace(
        result,
        criteria=tuple(criteria),
        overall=overall_from(criteria),
        summary=f"{summary} {sentence}".strip(),
        improvements=tuple(improvements),
        tests=tests_block(outcome, sentence),
    )
