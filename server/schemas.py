"""Response models of the review API: they document it in the OpenAPI schema (/docs) and
check what the routes return. Times are milliseconds on the session clock."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Problem(BaseModel):
    detail: str = Field(description="what was wrong, in words")


class Evidence(BaseModel):
    quote: str = Field(description="words quoted verbatim from the answer")
    start_ms: int
    end_ms: int


class CriterionResult(BaseModel):
    id: str
    name: str
    score: int = Field(ge=0, description="0-4 on the criterion's anchors")
    max: int
    evidence: list[Evidence]
    missing: str | None = Field(description="what the answer lacked for this criterion")
    source: str = Field(
        default="narration",
        description="narration (scored from what was said) or tests (from the code's test run)",
    )


class FailureMode(BaseModel):
    id: str
    name: str
    fix: str = Field(description="the interview guide's fix")


class TestsGraded(BaseModel):
    """The test run a coding answer was graded with (latest run before grading)."""

    ran: bool = Field(description="false: the code was not run")
    at_ms: int | None = None
    passed: int | None = None
    failed: int | None = None
    total: int | None = None
    failing: list[str] = Field(default_factory=list, description="names of failing cases")
    limits_hit: str | None = None
    summary: str = Field(description="what the tests scored, in words")


class ScoreOut(BaseModel):
    question_id: str
    attempt: int = 1
    round: str
    overall: int = Field(ge=0, le=100)
    engine: str = Field(description="local or claude")
    criteria: list[CriterionResult]
    failure_modes: list[FailureMode]
    summary: str
    improvements: list[str]
    notes: list[str]
    tests: TestsGraded | None = Field(
        default=None, description="coding questions with a test suite: the run graded"
    )


class TurnOut(BaseModel):
    index: int
    speaker: str = Field(description="candidate or interviewer")
    text: str
    start_ms: int
    end_ms: int
    question_id: str | None
    attempt: int
    kind: str
    reason: str
    interrupted: bool
    words: list[tuple[str, int, int]] | None = Field(
        default=None, description="[word, start_ms, end_ms] (candidate turns)"
    )


class AnswerScore(BaseModel):
    question_id: str
    attempt: int
    overall: int


class SessionOut(BaseModel):
    id: str
    created_at: str
    updated_at: str
    status: str = Field(description="active, completed or interrupted")
    round: str
    mode: str = Field(description="study or interview")
    profile: str
    duration_ms: int
    questions: int = Field(description="questions with at least one graded answer")
    answers: int = Field(description="graded answers, retries included")
    overall: int | None = Field(description="mean overall score of first attempts, 0-100")
    graded: list[AnswerScore] = Field(description="overall score of each graded answer")


class SessionDetail(SessionOut):
    turns: list[TurnOut]
    scores: list[ScoreOut] = Field(description="the full grading of every answer")


class Mark(BaseModel):
    text: str
    start_ms: int


class PauseOut(BaseModel):
    start_ms: int
    end_ms: int
    ms: int


class DeliveryOut(BaseModel):
    words: int
    talk_ms: int
    wpm: float | None = Field(description="words per minute of talk time")
    fillers: int
    fillers_per_min: float | None
    filler_counts: dict[str, int]
    filler_marks: list[Mark]
    hedges: int
    hedges_per_min: float | None
    hedge_counts: dict[str, int]
    hedge_marks: list[Mark]
    long_pauses: int = Field(description="silences of 2 s or more inside the answer")
    long_pause_marks: list[PauseOut]
    longest_pause_ms: int
    time_to_first_word_ms: int | None
    pauses_from: str = Field(description="audio (voice activity) or words (word gaps)")


class OutlineStep(BaseModel):
    criterion_id: str
    title: str
    what: str = Field(description="what a good answer does here")
    score: int | None
    covered: bool
    add: list[str] = Field(description="ideas the answer did not mention yet")


class CompareRow(BaseModel):
    criterion_id: str
    name: str
    before: int | None
    after: int


class Comparison(BaseModel):
    previous_attempt: int
    previous_overall: int | None
    overall: int | None
    criteria: list[CompareRow]
    delivery: dict[str, list[float | int | None]] = Field(description="metric: [before, after]")


class AnswerFeedback(BaseModel):
    question_id: str
    attempt: int
    round: str
    prompt: str | None
    start_ms: int
    end_ms: int
    asked_end_ms: int | None
    turns: list[int] = Field(description="indexes of this answer's turns")
    score: ScoreOut | None
    outline: list[OutlineStep]
    delivery: DeliveryOut
    comparison: Comparison | None = Field(description="against the previous attempt")


class Trend(BaseModel):
    values: list[float | int | None] = Field(description="one value per answer, in order")
    slope: float | None = Field(description="least-squares change per answer")


class SessionDelivery(BaseModel):
    candidate_talk_ms: int
    interviewer_talk_ms: int
    talk_share: float | None = Field(description="your share of the talk time, 0-1")
    answers: int
    words: int
    wpm: float | None
    fillers_per_min: float | None
    hedges_per_min: float | None
    long_pauses: int
    time_to_first_word_ms: int | None
    trends: dict[str, Trend]


class FeedbackOut(BaseModel):
    session_id: str
    mode: str
    answers: list[AnswerFeedback]
    delivery: SessionDelivery


class Point(BaseModel):
    session_id: str
    created_at: str
    round: str
    value: float


class CriterionSeries(BaseModel):
    id: str
    name: str
    points: list[Point]
    mean: float
    latest: float


class MetricSeries(BaseModel):
    key: str
    label: str
    unit: str
    points: list[Point]


class PracticeQuestion(BaseModel):
    id: str
    prompt: str


class Suggestion(BaseModel):
    criterion_id: str
    name: str
    mean: float = Field(description="mean score (0-4) over recent sessions")
    answers: int
    tip: str = Field(description="what a good (3/4) answer does")
    round: str | None
    questions: list[PracticeQuestion]


class ProgressOut(BaseModel):
    sessions: int
    answers: int
    overall: list[Point]
    criteria: list[CriterionSeries]
    delivery: list[MetricSeries]
    suggestions: list[Suggestion]


class CodeSnapshotOut(BaseModel):
    question_id: str
    attempt: int
    at_ms: int = Field(description="session clock when the editor held this text")
    text: str


class CodeCaseOut(BaseModel):
    name: str
    ok: bool
    message: str
    hidden: bool
    description: str


class CodeRunOut(BaseModel):
    question_id: str
    attempt: int
    at_ms: int = Field(description="session clock when the run was asked for")
    code: str
    passed: int
    failed: int
    total: int
    cases: list[CodeCaseOut]
    stdout: str
    stderr: str
    limits_hit: str | None = Field(
        description="cpu, wall, memory, processes, output or file_size: the limit that ended it"
    )
    error: str | None = None
    seconds: float


class CodeOut(BaseModel):
    snapshots: list[CodeSnapshotOut] = Field(description="editor texts, oldest first")
    runs: list[CodeRunOut] = Field(description="test runs, oldest first")
