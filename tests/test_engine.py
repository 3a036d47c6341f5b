"""Interviewer engine on scripted transcripts (no audio, no sockets)."""

from dataclasses import dataclass

from interviewer.engine import Answer, EngineState, InterviewerEngine
from interviewer.result import CriterionScore, ScoreResult


@dataclass(frozen=True)
class F:
    topic: str
    keywords: tuple[str, ...]
    answer: str


@dataclass(frozen=True)
class P:
    criterion: str
    text: str


@dataclass(frozen=True)
class Q:
    id: str
    round: str
    prompt: str
    vocabulary: tuple[str, ...] = ()
    probes: tuple = ()
    facts: tuple = ()
    time_budget_s: int = 600


QS = {
    "kmeans": Q(
        "kmeans",
        "coding",
        "Implement k-means from scratch.",
        ("k-means", "centroid"),
        (
            P("empty_clusters", "How would you handle empty clusters?"),
            P("init", "How do you initialise the centroids?"),
        ),
        (F("data", ("how many points", "data size", "dimensions"), "About a million points."),),
    ),
    "feed": Q(
        "feed",
        "system_design",
        "Design the home feed.",
        ("ranking",),
        (P("monitoring", "What would you monitor?"), P("data", "Where do labels come from?")),
        time_budget_s=2400,
    ),
}


def engine() -> InterviewerEngine:
    return InterviewerEngine(QS, EngineState(["kmeans", "feed"]), "loop")


def test_opening_asks_first_question_and_vocabulary_primes_recognizer():
    e = engine()
    reply = e.opening()
    assert reply.kind == "question" and reply.question_id == "kmeans"
    assert reply.text.endswith("Implement k-means from scratch.")
    assert e.vocabulary() == "k-means, centroid."


def test_follow_up_probe_then_next_question():
    e = engine()
    e.opening()
    r1 = e.on_answer(Answer("I would pick k random points and iterate assignments."))
    assert r1.kind == "follow_up" and "empty clusters" in r1.text
    r2 = e.on_answer(Answer("I would re-seed an empty cluster with the farthest point."))
    assert r2.kind == "follow_up" and "initialise" in r2.text
    r3 = e.on_answer(Answer("k-means plus plus seeding."))
    assert r3.kind == "question" and r3.question_id == "feed"


def test_clarifying_question_answered_from_scenario_facts():
    e = engine()
    e.opening()
    r = e.on_answer(Answer("How many points are in the data set?"))
    assert r.kind == "clarification" and r.text == "About a million points."
    assert e.current.id == "kmeans"


def test_repeat_dont_know_and_silence():
    e = engine()
    e.opening()
    assert e.on_answer(Answer("Sorry, can you repeat the question?")).text.endswith(
        "Implement k-means from scratch."
    )
    assert e.on_answer(Answer("")).kind == "prompt"
    moved = e.on_answer(Answer("Honestly I don't know."))
    assert moved.question_id == "feed"


def test_snapshot_round_trip_and_closing():
    e = engine()
    e.opening()
    e.on_answer(Answer("Assign points to the nearest centroid then update."))
    restored = InterviewerEngine.restore(QS, e.snapshot())
    assert restored.current.id == "kmeans" and restored.state.follow_ups == 1
    restored.on_answer(Answer("Re-seed it."))
    restored.on_answer(Answer("Random restarts."))
    last = restored.on_answer(Answer("Candidates, ranking, then monitoring."))
    assert last.kind in ("follow_up", "closing")
    while not restored.finished:
        last = restored.on_answer(Answer("More detail about serving."))
    assert last.ends_interview and last.kind == "closing"


def grading(**scores: int) -> ScoreResult:
    return ScoreResult(
        "kmeans",
        "coding",
        50,
        tuple(CriterionScore(cid, cid, score) for cid, score in scores.items()),
        "",
    )


def test_follow_up_probes_the_weakest_criterion():
    e = engine()
    e.opening()
    r = e.on_answer(
        Answer("Lloyd's algorithm, with empty clusters re-seeded."),
        grading(empty_clusters=3, init=0),
    )
    assert r.kind == "follow_up" and "initialise" in r.text


def test_strong_answer_moves_on_without_probing():
    e = engine()
    e.opening()
    r = e.on_answer(Answer("A complete answer."), grading(empty_clusters=4, init=3))
    assert r.kind == "question" and r.question_id == "feed"


def test_time_budget_moves_on_and_time_is_called_out_loud():
    e = engine()
    e.opening()
    r = e.on_answer(Answer("Still going.", 0, 601_000))  # past the 10-minute budget
    assert r.question_id == "feed" and "at time" in r.text
    # 40-minute design question: at 31 minutes the interviewer says ten minutes are left
    t = 601_000 + 31 * 60_000
    r = e.on_answer(Answer("Candidate generation first.", t - 30_000, t))
    assert "about ten minutes left" in r.text and r.kind == "follow_up"
    r = e.on_answer(Answer("More.", t, t + 60_000))
    assert "minutes left" not in r.text  # said once per mark


def test_rambling_answer_is_cut_off_politely():
    e = engine()
    e.opening()
    r = e.on_answer(Answer("and then and then " * 200, 1_000, 1_000 + 250_000))
    assert r.text.startswith("Let me stop you there") and r.kind == "follow_up"
