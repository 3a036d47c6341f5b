"""Interviewer engine on scripted transcripts (no audio, no sockets)."""

from dataclasses import dataclass

from interviewer.engine import Answer, EngineState, InterviewerEngine


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


QS = {
    "kmeans": Q(
        "kmeans",
        "coding",
        "Implement k-means from scratch.",
        ("k-means", "centroid"),
        (P("empty_clusters", "How would you handle empty clusters?"),),
        (F("data", ("how many points", "data size", "dimensions"), "About a million points."),),
    ),
    "feed": Q("feed", "system_design", "Design the home feed.", ("ranking",)),
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
    assert r2.kind == "question" and r2.question_id == "feed"


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
    last = restored.on_answer(Answer("Candidates, ranking, then monitoring."))
    assert last.kind in ("follow_up", "closing")
    while not restored.finished:
        last = restored.on_answer(Answer("More detail about serving."))
    assert last.ends_interview and last.kind == "closing"
