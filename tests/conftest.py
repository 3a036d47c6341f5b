"""Shared fixtures: the speech clips in ../shared, and a real server on a loopback port."""

from __future__ import annotations

import csv
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("COACH_SHARED", REPO.parent / "shared"))


@dataclass(frozen=True)
class Clip:
    path: Path
    seconds: float
    transcript: str


def read_manifest(folder: Path) -> list[Clip]:
    with open(folder / "manifest.tsv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    return [Clip(folder / r["file"], float(r["seconds"]), r["transcript"]) for r in rows]


@pytest.fixture(scope="session")
def speech_clips() -> list[Clip]:
    folder = SHARED / "speech"
    if not (folder / "manifest.tsv").is_file():
        pytest.fail(f"speech clips not found at {folder} (set COACH_SHARED)")
    return read_manifest(folder)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class ServerProcess:
    proc: subprocess.Popen
    base_url: str
    ws_url: str
    data_dir: Path
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def start_server(data_dir: Path, env_extra: dict[str, str] | None = None) -> ServerProcess:
    """``coach serve`` on a free loopback port with the real models; waits until healthy."""
    port = free_port()
    data_dir.mkdir(parents=True, exist_ok=True)
    log_path = data_dir / "server.log"
    env = {
        **os.environ,
        "COACH_DATA_DIR": str(data_dir),
        "COACH_PORT": str(port),
        "COACH_HOST": "127.0.0.1",
        **(env_extra or {}),
    }
    env.pop("ANTHROPIC_API_KEY", None) if "ANTHROPIC_API_KEY" not in (env_extra or {}) else None
    log_file = open(log_path, "wb")  # noqa: SIM115 - lives as long as the server
    proc = subprocess.Popen(
        [sys.executable, "-m", "server.cli", "serve"],
        cwd=REPO,
        env=env,
        stdout=log_file,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited early:\n{log_path.read_text(errors='replace')}")
        try:
            if httpx.get(base + "/api/health", timeout=1).status_code == 200:
                return ServerProcess(proc, base, f"ws://127.0.0.1:{port}/ws", data_dir, log_path)
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise RuntimeError("server did not become healthy in 120 s")


def stop_server(server: ServerProcess) -> None:
    server.proc.terminate()
    try:
        server.proc.wait(20)
    except subprocess.TimeoutExpired:
        server.proc.kill()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> ServerProcess:
    server = start_server(tmp_path_factory.mktemp("server-data"))
    yield server
    stop_server(server)


@pytest.fixture(scope="session")
def postgres_url():
    """A real PostgreSQL server for the session (COACH_TEST_POSTGRES_URL, or a private one)."""
    url = os.environ.get("COACH_TEST_POSTGRES_URL")
    if url:
        yield url
        return
    from tests.pg import PostgresServer

    server = PostgresServer().start()
    yield server.url
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """Each persistence test runs against SQLite and against PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'coach.db'}"
    url = request.getfixturevalue("postgres_url")
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:  # a clean schema per test
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    return url
