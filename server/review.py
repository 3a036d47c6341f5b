"""The review API: stored sessions, their turns, feedback, audio (with HTTP range requests),
progress over time and export. Thin routes over ``server.reports``; every route checks that
the session belongs to the signed-in user (another user's session looks like no session)."""

from __future__ import annotations

import asyncio
import re
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from fastapi.responses import FileResponse, JSONResponse, Response

from server import reports
from server.auth import UserDep
from server.models import InterviewSession
from server.protocol import ROUNDS
from server.schemas import (
    CodeOut,
    FeedbackOut,
    ProgressOut,
    SessionDetail,
    SessionOut,
    TurnOut,
)
from server.services import Services

router = APIRouter(prefix="/api", tags=["review"])


def _services(request: Request) -> Services:
    return request.app.state.services


ServicesDep = Annotated[Services, Depends(_services)]

Round = Literal[ROUNDS]  # type: ignore[valid-type]
Status = Literal["active", "completed", "interrupted"]
SessionId = Annotated[str, Path(description="the session id from `ready`", max_length=64)]
NOT_FOUND = {404: {"description": "no such session (or not yours)"}}

_RANGE = re.compile(r"^\s*(\d*)\s*-\s*(\d*)\s*$")


def _owned(services: Services, session_id: str, user: str) -> InterviewSession:
    row = services.store.get_session(session_id)
    if row is None or row.user_id != user:  # another user's session looks like no session
        raise HTTPException(404, f"no session {session_id!r}")
    return row


async def _feedback(services: Services, row: InterviewSession) -> tuple[dict[str, Any], Any, Any]:
    """The session's feedback, with its turns and scores (for export)."""
    turns = await asyncio.to_thread(services.store.list_turns, row.id)
    scores = await asyncio.to_thread(services.store.list_scores, row.id)
    folder = services.settings.recordings_dir / row.id
    disfluency = await reports.ensure_disfluency(services.stt, services.recognizer, folder, turns)
    feedback = await asyncio.to_thread(
        reports.session_feedback,
        services.bank,
        row,
        turns,
        scores,
        services.settings.recordings_dir,
        disfluency,
    )
    return feedback, turns, scores


async def _owned_async(services: Services, session_id: str, user: str) -> InterviewSession:
    return await asyncio.to_thread(_owned, services, session_id, user)


@router.get("/sessions", response_model=list[SessionOut])
def list_sessions(
    services: ServicesDep,
    user: UserDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
    status: Status | None = None,
    round: Round | None = None,
) -> list[dict]:
    """Your sessions, newest first, with their scores."""
    rows = [
        r
        for r in services.store.list_sessions(user_id=user)
        if (status is None or r.status == status) and (round is None or r.round == round)
    ][offset : offset + limit]
    scores = services.store.scores_for_sessions([r.id for r in rows])
    by_session: dict[str, list] = {}
    for s in scores:
        by_session.setdefault(s.session_id, []).append(s)
    return [reports.session_json(r, by_session.get(r.id, [])) for r in rows]


@router.get("/sessions/{session_id}", response_model=SessionDetail, responses=NOT_FOUND)
def get_session(session_id: SessionId, services: ServicesDep, user: UserDep) -> dict:
    """One session: its turns (without word times) and the full grading of every answer."""
    row = _owned(services, session_id, user)
    scores = services.store.list_scores(row.id)
    out = reports.session_json(row, scores)
    out["turns"] = [reports.turn_json(t) for t in services.store.list_turns(row.id)]
    out["scores"] = [reports.score_json(s) for s in scores]
    return out


@router.get("/sessions/{session_id}/turns", response_model=list[TurnOut], responses=NOT_FOUND)
def get_turns(session_id: SessionId, services: ServicesDep, user: UserDep) -> list[dict]:
    """Every turn in order, with word times for the candidate's turns."""
    row = _owned(services, session_id, user)
    return [reports.turn_json(t, words=True) for t in services.store.list_turns(row.id)]


def _code(services: Services, session_id: str) -> dict[str, Any]:
    return reports.code_json(
        services.store.list_code_snapshots(session_id), services.store.list_code_runs(session_id)
    )


@router.get("/sessions/{session_id}/code", response_model=CodeOut, responses=NOT_FOUND)
def get_code(session_id: SessionId, services: ServicesDep, user: UserDep) -> dict:
    """The coding workspace: every stored editor snapshot and test run, oldest first, on the
    session clock (the replay shows the last snapshot at or before the audio's time)."""
    row = _owned(services, session_id, user)
    return _code(services, row.id)


@router.get("/sessions/{session_id}/feedback", response_model=FeedbackOut, responses=NOT_FOUND)
async def get_feedback(session_id: SessionId, services: ServicesDep, user: UserDep) -> dict:
    """Per-answer feedback cards (rubric scores with evidence, gaps, the guide's failure
    modes, an outline of a stronger answer, delivery metrics, the previous attempt for
    retries) and the session's delivery summary with trends across answers."""
    row = await _owned_async(services, session_id, user)
    return (await _feedback(services, row))[0]


AUDIO_PATH = "/sessions/{session_id}/audio/{track}.wav"
AUDIO_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {"audio/wav": {}}, "description": "16 kHz mono 16-bit PCM WAV"},
    206: {"content": {"audio/wav": {}}, "description": "the requested byte range"},
    404: {"description": "no such session, track or recording"},
    416: {"description": "malformed or unsatisfiable Range header"},
}


@router.head(AUDIO_PATH, operation_id="head_audio", responses=AUDIO_RESPONSES)
@router.get(AUDIO_PATH, response_class=FileResponse, responses=AUDIO_RESPONSES)
def get_audio(
    session_id: SessionId,
    track: Annotated[str, Path(description="candidate, interviewer, or mix (both voices)")],
    request: Request,
    services: ServicesDep,
    user: UserDep,
) -> Response:
    """A recording as WAV, on the session clock from 0. ``mix`` holds both voices. Supports
    ``Range: bytes=...`` (206), so players can seek."""
    if track not in reports.TRACKS:
        raise HTTPException(404, f"unknown track {track!r}; use one of {', '.join(reports.TRACKS)}")
    row = _owned(services, session_id, user)
    folder = services.settings.recordings_dir / row.id
    path = reports.mix_track(folder) if track == "mix" else folder / f"{track}.wav"
    if path is None or not path.is_file():
        raise HTTPException(404, f"session {session_id} has no {track} recording")
    size = path.stat().st_size
    header = request.headers.get("range")
    if header is not None and (problem := range_problem(header, size)):
        return JSONResponse(
            {"detail": problem}, status_code=416, headers={"Content-Range": f"bytes */{size}"}
        )
    return FileResponse(path, media_type="audio/wav", headers={"Cache-Control": "no-cache"})


def range_problem(header: str, size: int) -> str | None:
    """Why a ``Range`` header cannot be served (None when it can): malformed, or a range
    starting at or past the end of the file (RFC 9110: 416 either way)."""
    unit, _, spec = header.partition("=")
    if unit.strip().lower() != "bytes" or not spec.strip():
        return f"malformed Range header {header[:60]!r}; use bytes=START-END"
    for part in spec.split(","):
        m = _RANGE.match(part)
        if m is None or (not m.group(1) and not m.group(2)):
            return f"malformed Range header {header[:60]!r}; use bytes=START-END"
        first, last = m.group(1), m.group(2)
        if first and last and int(last) < int(first):
            return f"range {part.strip()!r} ends before it starts"
        if first and int(first) >= size:
            return f"range {part.strip()!r} starts past the end ({size} bytes)"
        if not first and int(last) == 0:
            return "an empty suffix range (bytes=-0) selects nothing"
    if size == 0:
        return "the recording is empty"
    return None


@router.get(
    "/sessions/{session_id}/export",
    responses={
        **NOT_FOUND,
        200: {"content": {"text/markdown": {}, "application/json": {}}},
    },
)
async def export_session(
    session_id: SessionId,
    services: ServicesDep,
    user: UserDep,
    format: Literal["markdown", "json"] = "markdown",
) -> Response:
    """Download the session: a Markdown report, or everything as JSON (turns with word
    times, gradings, feedback and delivery, the code written and its test runs)."""
    row = await _owned_async(services, session_id, user)
    feedback, turns, scores = await _feedback(services, row)
    code = await asyncio.to_thread(_code, services, row.id)
    name = f"interview-{row.created_at:%Y%m%d-%H%M}-{row.id[:8]}"
    if format == "json":
        return JSONResponse(
            reports.export_json(row, turns, scores, feedback, code),
            headers={"Content-Disposition": f'attachment; filename="{name}.json"'},
        )
    return Response(
        reports.export_markdown(row, turns, scores, feedback, code),
        media_type="text/markdown; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.md"'},
    )


@router.get("/progress", response_model=ProgressOut)
async def get_progress(
    services: ServicesDep,
    user: UserDep,
    limit: Annotated[int, Query(ge=1, le=200, description="most recent sessions")] = 50,
    round: Round | None = None,
) -> dict:
    """Each rubric criterion and delivery metric over time (one point per session, oldest
    first), and the weakest recent criteria to practise next."""
    rows = await asyncio.to_thread(services.store.list_sessions, user_id=user)
    rows = [r for r in rows if round is None or r.round == round][:limit][::-1]
    ids = [r.id for r in rows]
    turns = await asyncio.to_thread(services.store.turns_for_sessions, ids)
    scores = await asyncio.to_thread(services.store.scores_for_sessions, ids)
    disfluency = {}
    for row in rows:
        mine = [t for t in turns if t.session_id == row.id]
        folder = services.settings.recordings_dir / row.id
        disfluency[row.id] = await reports.ensure_disfluency(
            services.stt, services.recognizer, folder, mine
        )
    sessions = await asyncio.to_thread(
        reports.sessions_feedback,
        services.bank,
        rows,
        turns,
        scores,
        services.settings.recordings_dir,
        disfluency,
    )
    return await asyncio.to_thread(reports.progress, services.bank, sessions)
