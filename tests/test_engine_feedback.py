"""Study-mode feedback, the interview-mode summary and "Try again" in the interviewer engine."""

from interviewer.engine import (
    Answer,
    EngineState,
    InterviewerEngine,
    interview_summary,
    study_feedback,
)
from interviewer.result import CriterionScore, ScoreResult
from tests.test_engine import QS


def grading(question_id: str, scores: dict[str, int], overall: int = 50) -> ScoreResult:
    names = {
        "data": "Opens with the data: sources and refresh",
        "monitoring": "Monitors the model in production",
        "init": "Narrates initialisation and its sensitivity",
        "empty_clusters": "Handles degenerate states of the algorithm",
    }
    criteria = tuple(CriterionScore(cid, names[cid], s) for cid, s in scores.items())
    return ScoreResult(question_id, "coding", overall, criteria, "summary")


def engine(mode: str) -> InterviewerEngine:
    e = InterviewerEngine(QS, EngineState(["kmeans", "feed"]), "loop", mode)
    e.opening()
    return e


def answer_until_moved_on(e: InterviewerEngine, result: ScoreResult):
    replies = []
    for _ in range(5):
        replies.append(e.on_answer(Answer("I would do it this way, step by step."), result))
        if replies[-1].kind != "follow_up":
            break
    return replies


def test_study_mode_gives_spoken_feedback_when_moving_on():
    e = engine("study")
    result = grading("kmeans", {"init": 3, "empty_clusters": 1}, overall=55)
    replies = answer_until_moved_on(e, result)
    follow_ups, moved_on = replies[:-1], replies[-1]
    assert all("feedback" not in r.text.lower() for r in follow_ups)  # nothing mid-question
    assert moved_on.kind == "question" and moved_on.question_id == "feed"
    assert moved_on.feedback_for == "kmeans"
    assert "Quick feedback: you narrated initialisation and its sensitivity, good." in (
        moved_on.text
    )
    assert "To make it stronger, handle degenerate states of the algorithm." in moved_on.text
    assert moved_on.text.endswith("Design the home feed.")


def test_interview_mode_says_nothing_until_a_closing_summary():
    e = engine("interview")
    first = answer_until_moved_on(e, grading("kmeans", {"init": 3, "empty_clusters": 1}, 60))
    assert "feedback" not in first[-1].text.lower() and first[-1].feedback_for is None
    closing = answer_until_moved_on(e, grading("feed", {"data": 0, "monitoring": 2}, 40))[-1]
    assert closing.kind == "closing" and closing.ends_interview
    assert "Here's a short summary. Across 2 questions, your answers averaged 50 out of 100." in (
        closing.text
    )
    assert "Your strongest moment: you narrated initialisation" in closing.text
    assert "The main thing to work on: open with the data" in closing.text


def test_study_feedback_without_strengths_or_gaps():
    weak = {"overall": 10, "best": "Monitors the model in production", "best_score": 1}
    weak |= {"gap": "Opens with the data", "gap_score": 0}
    assert study_feedback(weak) == (
        "Quick feedback: that one needs more depth. To make it stronger, open with the data. "
    )
    strong = {**weak, "best_score": 4, "gap_score": 3}
    assert study_feedback(strong).endswith("That was a solid answer. ")
    assert study_feedback({"overall": 0}) == ""
    assert interview_summary([]) == ""


def test_retry_after_feedback_asks_the_same_question_again_as_attempt_two():
    e = engine("study")
    moved_on = answer_until_moved_on(e, grading("kmeans", {"init": 3, "empty_clusters": 1}))[-1]
    assert moved_on.question_id == "feed" and moved_on.attempt == 1
    again = e.retry(now_ms=90_000)
    assert again.kind == "question" and again.question_id == "kmeans" and again.attempt == 2
    assert again.text == "Sure, let's try that one again. Implement k-means from scratch."
    assert e.current.id == "kmeans" and e.attempt == 2
    # The second attempt gets its own follow-ups, then the interview goes on where it was.
    replies = answer_until_moved_on(e, grading("kmeans", {"init": 3, "empty_clusters": 2}))
    assert replies[0].kind == "follow_up" and replies[0].attempt == 2
    assert replies[-1].question_id == "feed" and replies[-1].attempt == 1
    assert replies[-1].feedback_for == "kmeans"
    solid = e.retry()
    assert solid.attempt == 3
    replies = answer_until_moved_on(e, grading("kmeans", {"init": 4, "empty_clusters": 3}))
    assert len(replies) == 1 and "That was a solid answer." in replies[0].text


def test_retry_mid_question_restarts_it_and_before_any_answer_just_repeats():
    e = engine("study")
    assert e.retry().attempt == 1  # nothing answered yet: the same attempt, asked again
    e.on_answer(Answer("I would pick k random points and iterate."))
    again = e.retry()
    assert again.question_id == "kmeans" and again.attempt == 2
    assert e.state.follow_ups == 0 and e.state.probes_used == []


def test_retry_during_the_closing_reopens_the_last_question():
    e = InterviewerEngine(QS, EngineState(["kmeans"]), "coding", "study")
    e.opening()
    closing = answer_until_moved_on(e, grading("kmeans", {"init": 2, "empty_clusters": 1}))[-1]
    assert closing.kind == "closing" and closing.feedback_for == "kmeans" and e.finished
    again = e.retry()
    assert not e.finished and again.question_id == "kmeans" and again.attempt == 2


def test_snapshot_keeps_mode_attempts_and_notes():
    e = engine("interview")
    answer_until_moved_on(e, grading("kmeans", {"init": 3, "empty_clusters": 1}))
    e.retry()
    restored = InterviewerEngine.restore(QS, e.snapshot())
    assert restored.mode == "interview"
    assert restored.attempt == 2 and restored.current.id == "kmeans"
    assert restored.state.notes == e.state.notes
    # Snapshots from before these fields existed still load.
    old = {"question_ids": ["kmeans", "feed"], "index": 1, "round": "loop"}
    legacy = InterviewerEngine.restore(QS, old)
    assert legacy.mode == "study" and legacy.attempt == 1
