"""The interviewer's reaction to test runs, and grading that combines the tests with the
narration: pure code, no sockets, no models, no sandbox."""

from __future__ import annotations

from pathlib import Path

import pytest

from interviewer.bank import load_bank
from interviewer.code import CodeOutcome, FailedCase, combine, correctness_level, reaction_text
from interviewer.engine import COMPLEXITY_PROBE, Answer, EngineState, InterviewerEngine
from interviewer.result import AnswerTranscript, ScoreResult
from interviewer.scorer import LocalScorer
from tests.test_engine import QS, P, Q

ANSWERS = Path(__file__).parent / "answers"
KMEANS = "kmeans-from-scratch"


def failing(question_id: str = "kmeans", **kw) -> CodeOutcome:
    return CodeOutcome(
        question_id,
        passed=5,
        failed=2,
        total=7,
        at_ms=61_000,
        failures=(
            FailedCase(
                "test_empty_cluster",
                "an empty cluster",
                "centroid 2 is [nan nan], not finite; an empty cluster must not average zero "
                "points\nTraceback line two",
                hidden=True,
            ),
            FailedCase("test_kmeanspp", "k-means++ initialisation", "AssertionError", True),
        ),
        **kw,
    )


def passing(question_id: str = "kmeans", total: int = 7) -> CodeOutcome:
    return CodeOutcome(question_id, passed=total, failed=0, total=total, at_ms=90_000)


def coding_engine() -> InterviewerEngine:
    questions = {
        **QS,
        "kmeans": Q(
            "kmeans",
            "coding",
            "Implement k-means from scratch.",
            probes=(
                P("code_degenerate_cases", "How would you handle empty clusters?"),
                P("code_complexity", "What does one iteration cost in terms of n, k and d?"),
            ),
        ),
    }
    e = InterviewerEngine(questions, EngineState(["kmeans", "feed"]), "coding")
    e.opening()
    return e


# --------------------------------------------------------------------------- reaction


def test_a_failing_run_gets_one_line_about_the_first_failing_case():
    e = coding_engine()
    reply = e.on_code_result(failing())
    assert reply is not None and reply.kind == "code" and reply.question_id == "kmeans"
    assert reply.text.startswith("5 of 7 tests pass. The test for an empty cluster fails: ")
    assert "centroid 2 is [nan nan]" in reply.text
    assert "Traceback" not in reply.text and "k-means++" not in reply.text  # first case only
    assert reply.text.endswith("What happens there?")
    assert len(reply.text) < 220, "said aloud: it must stay short"


def test_a_passing_run_asks_about_complexity_with_the_questions_own_probe():
    e = coding_engine()
    reply = e.on_code_result(passing())
    assert reply is not None and reply.kind == "code"
    assert reply.text == "All 7 tests pass. What does one iteration cost in terms of n, k and d?"
    # The probe is used now: a second passing run asks something else, not the same again.
    again = e.on_code_result(passing())
    assert again is not None and "one iteration cost" not in again.text
    assert again.text.startswith("All 7 tests pass.")


def test_without_a_complexity_probe_the_plain_complexity_question_is_asked():
    questions = {"q": Q("q", "coding", "Merge intervals.")}
    e = InterviewerEngine(questions, EngineState(["q"]), "coding")
    e.opening()
    reply = e.on_code_result(passing("q", total=1))
    assert reply is not None and reply.text == f"The test passes. {COMPLEXITY_PROBE}"
    assert e.on_code_result(passing("q", total=1)).text == "The test passes."


def test_limits_get_their_own_line():
    e = coding_engine()
    reply = e.on_code_result(
        CodeOutcome("kmeans", 0, 7, 7, limits_hit="wall", error="time limit (10 s) reached")
    )
    assert reply is not None and "ran out of time" in reply.text
    assert "loop that never ends" in reply.text


def test_mid_answer_the_reaction_waits_for_the_next_follow_up_and_survives_a_restore():
    e = coding_engine()
    assert e.on_code_result(failing(), candidate_talking=True) is None
    # Another node picks the session up from the stored snapshot.
    resumed = InterviewerEngine.restore(e.questions, e.snapshot())
    reply = resumed.on_answer(Answer("So I assign each point to its nearest centroid."))
    assert reply.kind == "code" and "The test for an empty cluster fails" in reply.text
    assert reply.text.startswith("Thanks. ")
    # Used once: the next answer gets an ordinary follow-up.
    nxt = resumed.on_answer(Answer("Then I recompute the centroids as the means."))
    assert nxt.kind == "follow_up"


def test_a_run_for_a_question_already_left_is_ignored_and_pending_lines_do_not_leak():
    e = coding_engine()
    assert e.on_code_result(failing("feed")) is None
    e.on_code_result(failing(), candidate_talking=True)
    e.on_answer(Answer("I don't know."))  # moves on to the next question
    assert e.current.id == "feed" and e.state.code_pending is None
    assert e.on_code_result(failing()) is None


def test_reaction_text_cuts_long_messages_at_a_word():
    outcome = CodeOutcome(
        "q", 0, 1, 1, failures=(FailedCase("test_a", "sorted input", "word " * 60, False),)
    )
    text = reaction_text(outcome)
    assert text.startswith("The test fails") is False
    assert "The test for sorted input fails: word word" in text and "..." in text
    assert len(text) < 160


# --------------------------------------------------------------------------- grading


@pytest.fixture(scope="module")
def narration() -> ScoreResult:
    bank = load_bank()
    text = (ANSWERS / f"{KMEANS}.strong.txt").read_text()
    return LocalScorer(bank).score(KMEANS, AnswerTranscript.from_text(text))


def test_tests_level_follows_the_correctness_anchors():
    assert correctness_level(None) == 0
    assert correctness_level(passing(total=7)) == 4
    hidden_only = CodeOutcome("q", 6, 1, 7, failures=(FailedCase("t", "edge", "m", True),))
    assert correctness_level(hidden_only) == 3
    visible = CodeOutcome("q", 6, 1, 7, failures=(FailedCase("t", "example", "m", False),))
    assert correctness_level(visible) == 2
    assert correctness_level(CodeOutcome("q", 1, 6, 7)) == 1
    assert correctness_level(CodeOutcome("q", 0, 7, 7)) == 0


def test_a_coding_grading_says_which_criteria_came_from_tests_and_narration(narration):
    combined = combine(narration, failing(KMEANS))
    sources = {c["id"]: c["source"] for c in combined.to_json()["criteria"]}
    assert sources.pop("code_correctness") == "tests"
    assert sources and set(sources.values()) == {"narration"}
    # The narration criteria keep the scorer's scores.
    before = {c.id: c.score for c in narration.criteria}
    for c in combined.criteria:
        if c.source == "narration":
            assert c.score == before[c.id]
    assert "From the tests: 5 of 7 tests pass in the run at 1:01" in combined.summary
    assert "every other criterion is scored from what you said" in combined.summary
    assert combined.tests is not None and combined.tests["failing"][0] == "test_empty_cluster"
    assert combined.summary.startswith(narration.summary)


def test_passing_and_failing_runs_change_only_the_tests_part(narration):
    good = combine(narration, passing(KMEANS))
    bad = combine(narration, failing(KMEANS))
    good_scores = {c.id: c.score for c in good.criteria}
    bad_scores = {c.id: c.score for c in bad.criteria}
    assert good_scores["code_correctness"] == 4 and bad_scores["code_correctness"] == 2
    assert good.overall > bad.overall
    for cid, value in good_scores.items():
        if cid != "code_correctness":
            assert bad_scores[cid] == value
    worst = combine(narration, CodeOutcome(KMEANS, 0, 7, 7, at_ms=5000))
    assert {c.id: c.score for c in worst.criteria}["code_correctness"] == 0
    assert worst.overall < bad.overall


def test_no_run_says_code_was_not_run(narration):
    combined = combine(narration, None)
    tested = next(c for c in combined.criteria if c.source == "tests")
    assert tested.score == 0 and "Code was not run" in (tested.missing or "")
    assert "From the tests: code was not run" in combined.summary
    assert combined.tests == {"ran": False, "summary": combined.tests["summary"]}


def test_combining_again_with_a_newer_run_replaces_the_tests_part(narration):
    first = combine(narration, failing(KMEANS))
    stored = ScoreResult.from_json(first.to_json())  # as the database gives it back
    again = combine(stored, passing(KMEANS))
    assert again.summary.count("From the tests:") == 1
    assert "all 7 tests pass" in again.summary
    assert again.to_json()["criteria"] == combine(narration, passing(KMEANS)).to_json()["criteria"]
    assert again.overall == combine(narration, passing(KMEANS)).overall


def test_code_that_does_not_load_is_named_once_not_per_test():
    error = "SyntaxError: invalid syntax (solution.py, line 3)"
    outcome = CodeOutcome(
        "q", 0, 4, 4, failures=tuple(FailedCase(f"test_{i}", "x", error) for i in range(4))
    )
    text = reaction_text(outcome)
    assert text == (
        "Your code fails before any test runs: SyntaxError: invalid syntax on line 3. "
        "Can you fix that?"
    )
