"""A private PostgreSQL server for the tests: Debian's postgresql, on a free loopback port,
in a temporary data folder, started and stopped by the test session (or an existing one
named by COACH_TEST_POSTGRES_URL)."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from tests.conftest import free_port


def _bin(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else shutil.which(name)


class PostgresServer:
    def __init__(self) -> None:
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="coach-pg-"))
        self.url = f"postgresql+psycopg://coach@127.0.0.1:{self.port}/coach"
        self._as_postgres = os.geteuid() == 0  # postgres refuses to run as root

    def _run(self, *cmd: str) -> subprocess.CompletedProcess:
        if self._as_postgres:
            cmd = ("runuser", "-u", "postgres", "--", *cmd)
        return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)

    def start(self) -> PostgresServer:
        initdb, pg_ctl = _bin("initdb"), _bin("pg_ctl")
        if not initdb or not pg_ctl:
            raise RuntimeError(
                "PostgreSQL is not installed (make test installs Debian's postgresql)"
            )
        data = self.dir / "data"
        if self._as_postgres:
            shutil.chown(self.dir, "postgres")
        out = self._run(initdb, "-D", str(data), "-A", "trust", "-U", "coach", "-E", "UTF8")
        if out.returncode:
            raise RuntimeError(f"initdb failed: {out.stderr}")
        opts = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        out = self._run(
            pg_ctl, "-D", str(data), "-o", opts, "-l", str(self.dir / "log"), "-w", "start"
        )
        if out.returncode:
            raise RuntimeError(f"postgres did not start: {out.stderr}\n{self.log()}")
        createdb = _bin("createdb")
        for _ in range(50):
            out = self._run(
                createdb, "-h", "127.0.0.1", "-p", str(self.port), "-U", "coach", "coach"
            )
            if out.returncode == 0:
                return self
            time.sleep(0.1)
        raise RuntimeError(f"createdb failed: {out.stderr}")

    def log(self) -> str:
        path = self.dir / "log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        pg_ctl = _bin("pg_ctl")
        if pg_ctl:
            self._run(pg_ctl, "-D", str(self.dir / "data"), "-m", "fast", "-w", "stop")
        shutil.rmtree(self.dir, ignore_errors=True)
