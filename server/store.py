"""Persistence: keyword-only functions over a SQLModel session. Routes and the live session
call these; nothing else touches the tables."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from server.models import (
    LOCAL_USER_ID,
    CodeRun,
    CodeSnapshot,
    InterviewSession,
    Score,
    Turn,
    User,
    utcnow,
)


class Store:
    """The persistence layer, bound to one engine. Blocking: call from a worker thread in async
    code (the calls are short)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def ensure_local_user(self) -> None:
        with Session(self.engine) as db:
            if db.get(User, LOCAL_USER_ID) is None:
                db.add(User(id=LOCAL_USER_ID, email="local@localhost"))
                db.commit()

    def create_session(
        self,
        *,
        user_id: str,
        round: str,
        mode: str,
        profile: str,
        job_description: str = "",
        engine_state: dict | None = None,
    ) -> InterviewSession:
        row = InterviewSession(
            engine_state=json.dumps(engine_state or {}),
            id=uuid.uuid4().hex,
            user_id=user_id,
            round=round,
            mode=mode,
            profile=profile,
            job_description=job_description,
        )
        with Session(self.engine) as db:
            db.add(row)
            db.commit()
            db.refresh(row)
        return row

    def get_session(self, session_id: str) -> InterviewSession | None:
        with Session(self.engine) as db:
            return db.get(InterviewSession, session_id)

    def list_sessions(self, *, user_id: str) -> Sequence[InterviewSession]:
        with Session(self.engine) as db:
            stmt = (
                select(InterviewSession)
                .where(InterviewSession.user_id == user_id)
                .order_by(InterviewSession.created_at.desc())
            )
            return db.exec(stmt).all()

    def update_session(self, session_id: str, **fields) -> None:
        with Session(self.engine) as db:
            row = db.get(InterviewSession, session_id)
            if row is None:
                return
            for key, value in fields.items():
                setattr(row, key, value)
            row.updated_at = utcnow()
            db.add(row)
            db.commit()

    def save_engine_state(self, session_id: str, state: dict, *, clock_ms: int) -> None:
        self.update_session(session_id, engine_state=json.dumps(state), clock_ms=clock_ms)

    def add_turn(self, turn: Turn) -> Turn:
        with Session(self.engine) as db:
            db.add(turn)
            db.commit()
            db.refresh(turn)
        return turn

    def update_turn(self, turn_id: int, **fields) -> None:
        with Session(self.engine) as db:
            row = db.get(Turn, turn_id)
            if row is None:
                return
            for key, value in fields.items():
                setattr(row, key, value)
            db.add(row)
            db.commit()

    def list_turns(self, session_id: str) -> Sequence[Turn]:
        with Session(self.engine) as db:
            stmt = select(Turn).where(Turn.session_id == session_id).order_by(Turn.index)
            return db.exec(stmt).all()

    def next_turn_index(self, session_id: str) -> int:
        turns = self.list_turns(session_id)
        return (turns[-1].index + 1) if turns else 0

    def add_score(self, score: Score) -> Score:
        with Session(self.engine) as db:
            db.add(score)
            db.commit()
            db.refresh(score)
        return score

    def upsert_score(
        self, *, session_id: str, question_id: str, result: dict, attempt: int = 1
    ) -> Score:
        """The latest grading of everything said for one attempt at one question."""
        with Session(self.engine) as db:
            row = db.exec(
                select(Score).where(
                    Score.session_id == session_id,
                    Score.question_id == question_id,
                    Score.attempt == attempt,
                )
            ).first()
            if row is None:
                row = Score(session_id=session_id, question_id=question_id, attempt=attempt)
            row.overall = int(result["overall"])
            row.result_json = json.dumps(result)
            row.created_at = utcnow()
            db.add(row)
            db.commit()
            db.refresh(row)
            return row

    def list_scores(self, session_id: str) -> Sequence[Score]:
        with Session(self.engine) as db:
            stmt = (
                select(Score)
                .where(Score.session_id == session_id)
                .order_by(Score.question_id, Score.attempt)
            )
            return db.exec(stmt).all()

    def scores_for_sessions(self, session_ids: Sequence[str]) -> Sequence[Score]:
        """Every grading of the given sessions (for progress over time)."""
        if not session_ids:
            return []
        with Session(self.engine) as db:
            return db.exec(select(Score).where(Score.session_id.in_(session_ids))).all()

    def turns_for_sessions(self, session_ids: Sequence[str]) -> Sequence[Turn]:
        if not session_ids:
            return []
        with Session(self.engine) as db:
            stmt = select(Turn).where(Turn.session_id.in_(session_ids)).order_by(Turn.index)
            return db.exec(stmt).all()

    # -- coding workspace ------------------------------------------------------------------
    def add_code_snapshot(self, snapshot: CodeSnapshot) -> CodeSnapshot:
        with Session(self.engine) as db:
            db.add(snapshot)
            db.commit()
            db.refresh(snapshot)
        return snapshot

    def latest_code_snapshot(
        self, session_id: str, question_id: str, attempt: int
    ) -> CodeSnapshot | None:
        """The editor text last stored for one attempt at a question (None: never edited)."""
        with Session(self.engine) as db:
            stmt = (
                select(CodeSnapshot)
                .where(
                    CodeSnapshot.session_id == session_id,
                    CodeSnapshot.question_id == question_id,
                    CodeSnapshot.attempt == attempt,
                )
                .order_by(CodeSnapshot.at_ms.desc(), CodeSnapshot.id.desc())
            )
            return db.exec(stmt).first()

    def list_code_snapshots(self, session_id: str) -> Sequence[CodeSnapshot]:
        with Session(self.engine) as db:
            stmt = (
                select(CodeSnapshot)
                .where(CodeSnapshot.session_id == session_id)
                .order_by(CodeSnapshot.at_ms, CodeSnapshot.id)
            )
            return db.exec(stmt).all()

    def add_code_run(self, run: CodeRun) -> CodeRun:
        with Session(self.engine) as db:
            db.add(run)
            db.commit()
            db.refresh(run)
        return run

    def latest_code_run(self, session_id: str, question_id: str, attempt: int) -> CodeRun | None:
        """The last run of one attempt at a question (what grading combines with narration)."""
        with Session(self.engine) as db:
            stmt = (
                select(CodeRun)
                .where(
                    CodeRun.session_id == session_id,
                    CodeRun.question_id == question_id,
                    CodeRun.attempt == attempt,
                )
                .order_by(CodeRun.at_ms.desc(), CodeRun.id.desc())
            )
            return db.exec(stmt).first()

    def list_code_runs(self, session_id: str) -> Sequence[CodeRun]:
        with Session(self.engine) as db:
            stmt = (
                select(CodeRun)
                .where(CodeRun.session_id == session_id)
                .order_by(CodeRun.at_ms, CodeRun.id)
            )
            return db.exec(stmt).all()

    def delete_session(self, session_id: str) -> None:
        """Every row of a session: code runs and snapshots, scores, turns, the session."""
        with Session(self.engine) as db:
            for model in (CodeRun, CodeSnapshot, Score, Turn):
                for row in db.exec(select(model).where(model.session_id == session_id)).all():
                    db.delete(row)
            row = db.get(InterviewSession, session_id)
            if row is not None:
                db.delete(row)
            db.commit()

    def active_sessions(self) -> Sequence[InterviewSession]:
        with Session(self.engine) as db:
            return db.exec(
                select(InterviewSession).where(InterviewSession.status == "active")
            ).all()
