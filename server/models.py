"""Database tables (SQLModel). One family per entity; rows are what another node needs."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


LOCAL_USER_ID = "local"


class User(SQLModel, table=True):
    id: str = Field(primary_key=True)
    email: str = Field(index=True, unique=True)
    password_hash: str = ""
    created_at: datetime = Field(default_factory=utcnow)


class InterviewSession(SQLModel, table=True):
    """One mock interview. ``engine_state`` is the interviewer's snapshot after the last turn,
    so any node can resume the session."""

    __tablename__ = "interview_session"

    id: str = Field(primary_key=True)
    user_id: str = Field(index=True, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    status: str = "active"  # active | completed | interrupted
    round: str = "loop"
    mode: str = "study"
    profile: str = "big_tech"
    job_description: str = ""
    engine_state: str = "{}"
    clock_ms: int = 0
    live_node: str | None = None
    live_heartbeat: datetime | None = None


class Turn(SQLModel, table=True):
    """One spoken turn, by the candidate or the interviewer, on the session clock."""

    id: int | None = Field(default=None, primary_key=True)
    session_id: str = Field(index=True, foreign_key="interview_session.id")
    index: int
    speaker: str  # candidate | interviewer
    text: str = ""
    start_ms: int = 0
    end_ms: int = 0
    question_id: str | None = None
    kind: str = ""  # interviewer: question, follow_up...; candidate: answer
    reason: str = ""  # candidate: silence | button | disconnect
    interrupted: bool = False
    words_json: str = "[]"
    attempt: int = 1  # which attempt at question_id ("Try again" starts the next one)
    created_at: datetime = Field(default_factory=utcnow)


class Score(SQLModel, table=True):
    """A graded answer: the scorer's result object as JSON."""

    id: int | None = Field(default=None, primary_key=True)
    session_id: str = Field(index=True, foreign_key="interview_session.id")
    turn_id: int | None = Field(default=None, foreign_key="turn.id")
    question_id: str
    attempt: int = 1  # one grading per attempt at a question
    overall: int = 0
    result_json: str = "{}"
    created_at: datetime = Field(default_factory=utcnow)


class CodeSnapshot(SQLModel, table=True):
    """The coding workspace's editor text at one moment of the session clock (stored when it
    changes), so the review replay can show the code as it was at each moment of the audio."""

    __tablename__ = "code_snapshot"

    id: int | None = Field(default=None, primary_key=True)
    session_id: str = Field(index=True, foreign_key="interview_session.id")
    question_id: str
    attempt: int = 1
    at_ms: int = 0  # session clock when the snapshot arrived
    text: str = ""
    created_at: datetime = Field(default_factory=utcnow)


class CodeRun(SQLModel, table=True):
    """One run of the candidate's code against the question's test suite, with its result."""

    __tablename__ = "code_run"

    id: int | None = Field(default=None, primary_key=True)
    session_id: str = Field(index=True, foreign_key="interview_session.id")
    question_id: str
    attempt: int = 1
    at_ms: int = 0  # session clock when the run was asked for
    code: str = ""
    passed: int = 0
    failed: int = 0
    total: int = 0
    cases_json: str = "[]"  # [{name, ok, message, hidden, description, seconds}]
    stdout: str = ""
    stderr: str = ""
    limits_hit: str | None = None  # cpu | wall | memory | processes | output | file_size
    error: str | None = None  # why the run could not complete (syntax error, sandbox fault)
    seconds: float = 0.0
    created_at: datetime = Field(default_factory=utcnow)
