"""The FastAPI application factory: settings in, app out. Models load in the lifespan."""

from __future__ import annotations

import asyncio
import logging
import shutil
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, FastAPI, HTTPException, Request, WebSocket
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles

from server.auth import SESSION_COOKIE, UserDep, user_from_cookie
from server.auth import router as auth_router
from server.config import Settings
from server.live import STALE_HEARTBEAT_S, LiveSession
from server.memory import trim_periodically
from server.models import LOCAL_USER_ID, utcnow
from server.recordings import router as recordings_router
from server.recovery import dead_sessions, recover_session
from server.review import router as review_router
from server.services import Services, load_services

log = logging.getLogger("coach.app")


def get_services(request: Request) -> Services:
    return request.app.state.services


ServicesDep = Annotated[Services, Depends(get_services)]


class WebFiles(StaticFiles):
    """The page's static files, minus the editor's build sources (``web/editor/``: its npm
    project and, after ``make editor``, node_modules); the page loads the built bundle from
    ``web/vendor/``."""

    def get_path(self, scope) -> str:  # type: ignore[no-untyped-def]
        path = super().get_path(scope)
        if path == "editor" or path.startswith(("editor/", "editor\\")):
            return "/nonexistent"  # -> 404
        return path


def create_app(
    settings: Settings | None = None,
    *,
    services_factory: Callable[[Settings], Services] = load_services,
) -> FastAPI:
    settings = settings or Settings()
    settings.check()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        services = services_factory(settings)
        stale = dead_sessions(
            services.store, this_node=services.node_id, stale_after_s=STALE_HEARTBEAT_S
        )
        if stale:
            log.info("%d session(s) left active by a stopped server marked interrupted", len(stale))
            for session_id in stale:
                await asyncio.to_thread(
                    recover_session,
                    services.store,
                    services.recognizer,
                    settings.recordings_dir,
                    session_id,
                )
        app.state.services = services
        trimmer = asyncio.create_task(trim_periodically(settings.memory_trim_s))
        log.info("ready")
        yield
        trimmer.cancel()
        services.close()

    app = FastAPI(title="MLE interview coach", version="0.1.0", lifespan=lifespan)
    app.state.settings = settings
    app.include_router(auth_router)
    # Review API: sessions, turns, feedback, audio, progress, export (server/review.py).
    app.include_router(review_router)
    # Score a recorded answer, stateless (server/recordings.py).
    app.include_router(recordings_router)

    @app.get("/api/health")
    def health(services: ServicesDep) -> dict:
        return {
            "status": "ok",
            "node": services.node_id,
            "live_sessions": len(services.live),
            "stt_queue": services.stt.depth,
        }

    @app.delete("/api/sessions/{session_id}", status_code=204)
    def delete_session(session_id: str, services: ServicesDep, user: UserDep) -> None:
        """Delete a session for good: its recordings and every row."""
        row = _owned_session(services, session_id, user)
        if row.id in services.live or _effective_status(row) == "active":
            raise HTTPException(409, "the session is live; end it before deleting it")
        folder = services.settings.recordings_dir / row.id
        if folder.is_dir():
            shutil.rmtree(folder)
        services.store.delete_session(row.id)
        log.info("session %s deleted", row.id)

    @app.websocket("/ws")
    async def live(ws: WebSocket) -> None:
        services: Services = ws.app.state.services
        if not _origin_allowed(ws):
            await ws.close(code=1008, reason="origin not allowed")
            return
        user_id = LOCAL_USER_ID
        if settings.multi_user:
            found = user_from_cookie(services.store.engine, ws.cookies.get(SESSION_COOKIE))
            if found is None:
                await ws.close(code=1008, reason="sign in first")
                return
            user_id = found[0].id
        await ws.accept()
        await LiveSession(ws, services, user_id).run()

    @app.exception_handler(HTTPException)
    async def http_error(_request: Request, exc: HTTPException) -> JSONResponse:
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code)

    if settings.web_dir.is_dir():
        app.mount("/", WebFiles(directory=settings.web_dir, html=True), name="web")
    return app


def _owned_session(services: Services, session_id: str, user: str):
    row = services.store.get_session(session_id)
    if row is None or row.user_id != user:  # another user's session looks like no session
        raise HTTPException(404, f"no session {session_id!r}")
    return row


def _effective_status(row) -> str:
    """A session still marked live whose node stopped heartbeating is shown as interrupted
    (the node may have died without a restart to mark it)."""
    if row.status == "active" and row.live_heartbeat is not None:
        age = (utcnow() - row.live_heartbeat).total_seconds()
        if age > STALE_HEARTBEAT_S:
            return "interrupted"
    return row.status


def _origin_allowed(ws: WebSocket) -> bool:
    """Browsers send Origin; only pages served by this server may open a live session."""
    origin = ws.headers.get("origin")
    if origin is None:
        return True  # not a browser (CLI clients, tests)
    host = ws.headers.get("host", "")
    return urlsplit(origin).netloc == host
