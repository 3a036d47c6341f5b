"""Run candidate code against a suite in an isolated, resource-limited process.

``run_solution`` is the synchronous entry point (CLI, tests, worker threads); ``CodeRunner`` is
the server's: a node-wide semaphore plus a small thread pool, so the event loop never blocks.
Both start ``coding/launcher.py`` as a fresh single-threaded process (``subprocess`` execs it at
once; no ``preexec_fn`` runs in the threaded server), feed it a JSON config on stdin, and read
five pipes: the launcher's status and errors, the candidate's stdout and stderr, and the
harness's per-case results. This side enforces the output cap (and a last-resort deadline);
the launcher enforces wall time and memory; the kernel enforces the rest (see docs/sandbox.md).

Candidate code never reaches the logs: only the question id, counts, limits and timings do.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import os
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from coding.result import LIMIT_NAMES, CaseResult, CodeRunResult
from coding.suites import Suite, load_suite

log = logging.getLogger(__name__)

LAUNCHER = Path(__file__).resolve().with_name("launcher.py")
HARNESS = Path(__file__).resolve().with_name("harness.py")

#: Longest accepted solution (characters); the live protocol allows 60 000.
MAX_CODE_CHARS = 200_000
_MAX_RESULTS_BYTES = 1 << 20
_MAX_DIAGNOSTIC_BYTES = 16_384

IsolationChoice = Literal["auto", "namespaces", "rlimits"]


@dataclass(frozen=True)
class Limits:
    """Per-run limits. CPU and wall in seconds; memory, file and scratch in MB; output in KiB.

    ``memory_mb`` is both the address-space limit of each process and the cap on the summed
    resident memory of all the run's processes; ``processes`` caps how many the run may have
    at once; ``output_kb`` caps stdout + stderr together.
    """

    cpu_s: int = 5
    wall_s: float = 10
    memory_mb: int = 768
    processes: int = 32
    output_kb: int = 64
    file_mb: int = 16
    scratch_mb: int = 32


def describe_limit(limit: str, limits: Limits) -> str:
    """A person-readable sentence for the limit that stopped (or cut short) a run."""
    return {
        "cpu": f"Stopped: the code used more than {limits.cpu_s} s of CPU time "
        "(an infinite loop, or a much slower algorithm than needed?).",
        "wall": f"Stopped: the run took longer than {limits.wall_s:g} s "
        "(waiting or sleeping forever?).",
        "memory": f"Stopped: the code tried to use more than {limits.memory_mb} MB of memory.",
        "processes": f"The code tried to start more than {limits.processes} processes "
        "(a fork bomb?); starting more was refused.",
        "output": f"Stopped: the code printed more than {limits.output_kb} KiB of output.",
        "file_size": f"A file write went over the {limits.file_mb} MB file-size limit "
        f"or the {limits.scratch_mb} MB scratch space.",
    }[limit]


@dataclass
class _Collected:
    """Everything read from one launcher, before it is turned into a ``CodeRunResult``."""

    events: list[dict[str, Any]] = field(default_factory=list)
    records: list[dict[str, Any]] = field(default_factory=list)
    stdout: bytearray = field(default_factory=bytearray)
    stderr: bytearray = field(default_factory=bytearray)
    diagnostics: bytearray = field(default_factory=bytearray)
    output_exceeded: bool = False
    results_exceeded: bool = False
    deadline_killed: bool = False
    cancelled: bool = False

    def event(self, name: str) -> dict[str, Any] | None:
        return next((e for e in self.events if e.get("event") == name), None)


class _NamespaceSupport:
    """Remembers that namespaces failed on this machine, so ``auto`` stops trying them."""

    lock = threading.Lock()
    unavailable_reason: str | None = None
    warned = False

    @classmethod
    def warn_once(cls, reason: str) -> None:
        with cls.lock:
            if cls.warned:
                return
            cls.warned = True
        log.warning(
            "code sandbox: namespaces unavailable (%s); running candidate code with rlimits, "
            "a clean environment and a scratch folder only - weaker isolation, "
            "see docs/sandbox.md",
            reason,
        )


def _lines(buffer: bytearray, sink: list[dict[str, Any]]) -> None:
    """Move complete JSON lines from ``buffer`` into ``sink`` (bad lines are dropped)."""
    while True:
        nl = buffer.find(b"\n")
        if nl < 0:
            return
        line = bytes(buffer[:nl])
        del buffer[: nl + 1]
        try:
            item = json.loads(line)
        except (ValueError, RecursionError):  # the results pipe is candidate-writable
            continue
        if isinstance(item, dict):
            sink.append(item)


def _launch(config: dict[str, Any], limits: Limits, cancel: threading.Event | None) -> _Collected:
    """Start the launcher, feed it ``config`` and read its pipes until everything ends."""
    got = _Collected()
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    res_r, res_w = os.pipe()
    config = {**config, "fds": {"out": out_w, "err": err_w, "results": res_w}}
    try:
        proc = subprocess.Popen(
            [sys.executable, "-I", "-S", str(LAUNCHER)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            pass_fds=(out_w, err_w, res_w),
            env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
            cwd="/",
            start_new_session=True,
        )
    except OSError as exc:  # no interpreter, no fds left...: a coach problem
        for fd in (out_r, err_r, res_r):
            os.close(fd)
        got.events.append({"event": "setup_error", "message": f"starting the launcher: {exc}"})
        return got
    finally:
        for fd in (out_w, err_w, res_w):
            os.close(fd)
    assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
    try:
        proc.stdin.write(json.dumps(config).encode())
        proc.stdin.close()
    except OSError:
        pass  # the launcher died at once; its stderr says why

    cap = limits.output_kb * 1024
    status_buf, results_buf = bytearray(), bytearray()
    sel = selectors.DefaultSelector()
    streams = {
        proc.stdout.fileno(): "status",
        proc.stderr.fileno(): "diagnostics",
        out_r: "stdout",
        err_r: "stderr",
        res_r: "results",
    }
    for fd in streams:
        os.set_blocking(fd, False)
        sel.register(fd, selectors.EVENT_READ)
    hard_deadline = time.monotonic() + limits.wall_s + 10
    terminated = False
    exited_at: float | None = None

    def terminate() -> None:
        nonlocal terminated
        if not terminated:
            terminated = True
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(signal.SIGTERM)  # the launcher kills the whole sandbox

    try:
        while sel.get_map():
            now = time.monotonic()
            if exited_at is None and proc.poll() is not None:
                exited_at = now
            if exited_at is not None and now - exited_at > 1.0:
                break  # fallback mode: a stray process still holds a pipe; stop reading
            if now > hard_deadline and proc.poll() is None:
                got.deadline_killed = True
                proc.kill()  # init dies with it (PR_SET_PDEATHSIG)
            if cancel is not None and cancel.is_set() and not got.cancelled:
                got.cancelled = True
                terminate()
            for key, _ in sel.select(timeout=0.05):
                fd = key.fd
                try:
                    data = os.read(fd, 65536)
                except BlockingIOError:
                    continue
                if not data:
                    sel.unregister(fd)
                    continue
                kind = streams[fd]
                if kind == "status":
                    status_buf += data
                    _lines(status_buf, got.events)
                elif kind == "results":
                    if len(results_buf) + len(data) > _MAX_RESULTS_BYTES:
                        got.results_exceeded = True
                        terminate()
                        continue
                    results_buf += data
                    _lines(results_buf, got.records)
                elif kind == "diagnostics":
                    room = _MAX_DIAGNOSTIC_BYTES - len(got.diagnostics)
                    got.diagnostics += data[: max(0, room)]
                else:
                    room = cap - len(got.stdout) - len(got.stderr)
                    target = got.stdout if kind == "stdout" else got.stderr
                    target += data[: max(0, room)]
                    if len(data) > room:
                        got.output_exceeded = True
                        terminate()
        proc.wait(timeout=limits.wall_s + 15)
    finally:
        sel.close()
        for fd in (out_r, err_r, res_r):
            os.close(fd)
        proc.stdout.close()
        proc.stderr.close()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return got


def _limit_hit(got: _Collected, limits: Limits) -> str | None:
    """Which limit ended the run, from the launcher's report and the harness's records."""
    if got.output_exceeded or got.results_exceeded:
        return "output"
    end = got.event("exit") or {}
    if end.get("memory"):
        return "memory"
    # A fork bomb that swallows its fork errors runs until the wall or CPU limit; name the
    # cause, not the symptom.
    forked_out = int(end.get("peak_processes", 0)) >= limits.processes
    if end.get("wall") or got.deadline_killed:
        return "processes" if forked_out else "wall"
    child = got.event("child")
    if child is not None:
        code = int(child.get("exit_code", 0))
        if code == -signal.SIGXCPU or (
            code == -signal.SIGKILL and float(child.get("cpu_s", 0)) >= limits.cpu_s - 0.05
        ):
            return "processes" if forked_out else "cpu"
        if code == -signal.SIGXFSZ:
            return "file_size"
    return next((r["limit"] for r in got.records if r.get("limit") in LIMIT_NAMES), None)


def _end_reason(got: _Collected, limit: str | None, limits: Limits) -> str | None:
    """Why the harness did not finish every test, or ``None`` if it did."""
    if any(r.get("done") for r in got.records) and limit not in ("output", "wall", "memory"):
        return None
    if limit is not None:
        return describe_limit(limit, limits)
    child = got.event("child")
    if child is None:
        return "The sandbox stopped before the code ran."
    code = int(child.get("exit_code", 0))
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"The program was killed by {name}."
    return f"The program exited (status {code}) before all tests ran."


def _build(
    question_id: str,
    suite: Suite,
    selected: list[str],
    got: _Collected,
    limits: Limits,
    seconds: float,
    isolation: str,
) -> CodeRunResult:
    """Turn the collected records into one ``CodeRunResult`` with every selected case."""
    reported: dict[str, CaseResult] = {}
    started: str | None = None
    for r in got.records:  # candidate-writable: check every field
        if "start" in r:
            started = str(r["start"])
        elif r.get("case") in selected and r["case"] not in reported:
            name = str(r["case"])
            try:
                spent = float(r.get("seconds", 0.0))
            except (TypeError, ValueError):
                spent = 0.0
            spent = spent if math.isfinite(spent) and spent > 0 else 0.0
            info = suite.case(name)
            reported[name] = CaseResult(
                name,
                r.get("ok") is True,
                str(r.get("message", ""))[:1000],
                info.hidden if info else True,
                round(spent, 4),
            )
    limit = _limit_hit(got, limits)
    reason = _end_reason(got, limit, limits)
    setup = got.event("setup_error")
    harness_error = next((r["harness_error"] for r in got.records if "harness_error" in r), None)
    load_error = next((str(r["load_error"])[:1000] for r in got.records if "load_error" in r), None)

    cases: list[CaseResult] = []
    for name in selected:
        info = suite.case(name)
        hidden = info.hidden if info else True
        if name in reported:
            cases.append(reported[name])
            continue
        if setup is not None or harness_error is not None:
            message = "not run: the sandbox failed to start"
        elif name == started:
            message = f"stopped during this test. {reason or ''}".strip()
        elif started is None and not reported:
            message = f"stopped while loading solution.py. {reason or ''}".strip()
        else:
            message = f"not run. {reason or ''}".strip()
        cases.append(CaseResult(name, False, message, hidden, 0.0))

    error: str | None = None
    if setup is not None:
        error = "The sandbox could not start; this is a problem of the coach, not of your code."
    elif harness_error is not None:
        error = "The test suite could not be loaded; this is a problem of the coach."
    elif load_error is not None:
        error = str(load_error)
    elif reason is not None:
        error = reason
    elif limit is not None:
        error = describe_limit(limit, limits)
    passed = sum(c.ok for c in cases)
    return CodeRunResult(
        question_id=question_id,
        passed=passed,
        failed=len(cases) - passed,
        total=len(cases),
        cases=cases,
        stdout=got.stdout.decode("utf-8", errors="replace"),
        stderr=got.stderr.decode("utf-8", errors="replace"),
        limits_hit=limit,  # type: ignore[arg-type]
        seconds=round(seconds, 3),
        error=error,
        isolation="rlimits" if isolation == "rlimits" else "namespaces",
    )


def _rejected(question_id: str, suite: Suite, selected: list[str], reason: str) -> CodeRunResult:
    """A result for code that was not run at all."""
    cases = [
        CaseResult(n, False, f"not run. {reason}", getattr(suite.case(n), "hidden", True), 0.0)
        for n in selected
    ]
    return CodeRunResult(question_id, 0, len(cases), len(cases), cases, "", "", None, 0.0, reason)


def _python_trees() -> list[str]:
    """The Python installation and venv folders the sandbox needs (bound read-only)."""
    trees = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    trees.add(str(Path(sys.executable).resolve().parent.parent))
    return sorted(trees)


def run_solution(
    question_id: str,
    code: str,
    *,
    limits: Limits = Limits(),
    hidden: bool = True,
    suites_root: Path | str | None = None,
    isolation: IsolationChoice = "auto",
    cancel: threading.Event | None = None,
) -> CodeRunResult:
    """Run ``code`` as ``solution.py`` against the question's suite in the sandbox.

    ``hidden=True`` runs the full suite; ``False`` only the visible example tests.
    ``isolation="auto"`` uses namespaces when the kernel allows and falls back to rlimits
    (logged once as a warning). ``cancel`` (set from another thread) stops the run early.
    Raises ``UnknownSuite`` for a question without a suite; everything the candidate's code
    does ends in the returned result.
    """
    suite = load_suite(question_id, suites_root)
    selected = [c.name for c in suite.cases if hidden or not c.hidden]
    code = code.encode("utf-8", errors="replace").decode("utf-8")  # no lone surrogates
    t0 = time.monotonic()
    if len(code) > MAX_CODE_CHARS:
        return _rejected(
            question_id, suite, selected, f"The code is longer than {MAX_CODE_CHARS} characters."
        )
    mode: str = isolation
    if mode == "auto" and _NamespaceSupport.unavailable_reason is not None:
        mode = "rlimits"
    root_dir = tempfile.mkdtemp(prefix="coach-sandbox-")
    try:
        config = {
            "isolation": mode,
            "code": code,
            "cases": selected,
            "limits": asdict(limits),
            "suite_dir": str(suite.path.resolve()),
            "root_dir": root_dir,
            "harness_path": str(HARNESS),
            "python": sys.executable,
            "python_trees": _python_trees(),
        }
        got = _launch(config, limits, cancel)
        iso = got.event("isolation")
        setup = got.event("setup_error")
        if setup is not None:
            # Fail closed: only a refused unshare(2) downgrades to the rlimits fallback,
            # never a later failure (which a strange input must not be able to cause).
            log.error("code sandbox setup failed: %s", setup.get("message"))
        fallback = got.event("fallback")
        if fallback is not None:
            _NamespaceSupport.unavailable_reason = str(fallback.get("reason"))
        used = str((iso or {}).get("mode", mode if mode != "auto" else "namespaces"))
        if used == "rlimits" and isolation == "auto":
            _NamespaceSupport.warn_once(_NamespaceSupport.unavailable_reason or "not available")
        if got.diagnostics:
            log.warning(
                "code sandbox launcher wrote to stderr: %s",
                got.diagnostics.decode(errors="replace")[-2000:],
            )
    finally:
        shutil.rmtree(root_dir, ignore_errors=True)
    result = _build(question_id, suite, selected, got, limits, time.monotonic() - t0, used)
    log.info(
        "code run %s: %d/%d passed, limit=%s, %.2f s, isolation=%s",
        question_id,
        result.passed,
        result.total,
        result.limits_hit,
        result.seconds,
        result.isolation,
    )
    return result


class CodeRunner:
    """Async front of the sandbox for the server: at most ``max_concurrent`` runs per node.

    Runs happen in a dedicated thread pool (the launcher is a separate process; the thread
    only waits on pipes), so the event loop stays responsive. Cancelling ``run`` stops the
    sandbox within about 50 ms.
    """

    def __init__(
        self,
        *,
        max_concurrent: int = 1,
        limits: Limits = Limits(),
        suites_root: Path | str | None = None,
        isolation: IsolationChoice = "auto",
    ) -> None:
        self.limits = limits
        self.suites_root = suites_root
        self.isolation: IsolationChoice = isolation
        self._sem = asyncio.Semaphore(max_concurrent)
        self._pool = ThreadPoolExecutor(max_workers=max_concurrent, thread_name_prefix="sandbox")
        self._running = 0

    @property
    def running(self) -> int:
        """Runs in progress on this node."""
        return self._running

    async def run(self, question_id: str, code: str, *, hidden: bool = True) -> CodeRunResult:
        """Run ``code`` against the question's suite; waits for a free slot first."""
        async with self._sem:
            cancel = threading.Event()
            loop = asyncio.get_running_loop()
            self._running += 1
            try:
                return await loop.run_in_executor(
                    self._pool,
                    lambda: run_solution(
                        question_id,
                        code,
                        limits=self.limits,
                        hidden=hidden,
                        suites_root=self.suites_root,
                        isolation=self.isolation,
                        cancel=cancel,
                    ),
                )
            except asyncio.CancelledError:
                cancel.set()
                raise
            finally:
                self._running -= 1

    def close(self) -> None:
        """Stop the thread pool (runs in progress finish first)."""
        self._pool.shutdown(wait=False, cancel_futures=True)
