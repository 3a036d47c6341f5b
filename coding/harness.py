"""Runs INSIDE the sandbox: the candidate's ``solution.py`` against a suite's ``tests.py``.

Started by ``coding.launcher`` as ``python -I -B harness.py CONFIG_JSON``. It imports the suite,
loads the candidate's file as the module ``solution`` and calls every selected ``test_*``
function in definition order as ``test_fn(solution_module)``. Results go as JSON lines to a
separate pipe (``results_fd``), never to stdout/stderr, which belong to the candidate.

This file must only use the standard library: it runs in a minimal root with no project code.
The candidate runs in this same process, so it *could* forge result lines; that only cheats
its own mock interview (see docs/sandbox.md).
"""

from __future__ import annotations

import contextlib
import errno
import importlib.util
import json
import os
import sys
import time
import traceback
from types import ModuleType
from typing import Any

_MAX_MESSAGE = 500


class _Results:
    """Line-oriented JSON writer on the results pipe; silent if the candidate closed it."""

    def __init__(self, fd: int) -> None:
        self._fd = fd

    def send(self, **record: Any) -> None:
        data = (json.dumps(record) + "\n").encode()
        try:
            while data:
                data = data[os.write(self._fd, data) :]
        except OSError:
            pass


def _cut(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 1] + "…"


def _solution_line(exc: BaseException, solution_path: str) -> int | None:
    """The last line of the candidate's file in the traceback, if any."""
    line = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename == solution_path:
            line = frame.lineno
    return line


def _limit_of(exc: BaseException) -> str | None:
    """Which sandbox limit an exception points at (as reported in ``limits_hit``)."""
    if isinstance(exc, MemoryError):
        return "memory"
    if isinstance(exc, OSError):
        if exc.errno == errno.EAGAIN and isinstance(exc, BlockingIOError):
            return "processes"
        if exc.errno in (errno.EFBIG, errno.ENOSPC):
            return "file_size"
    return None


def describe(exc: BaseException, solution_path: str, limits: dict[str, int]) -> str:
    """A person-readable one-line message for an exception raised by a test."""
    if isinstance(exc, AssertionError):
        text = str(exc).strip()
        return _cut(text or "assertion failed")
    if isinstance(exc, SyntaxError) and exc.filename == solution_path:
        return _cut(f"SyntaxError: {exc.msg} (solution.py, line {exc.lineno})")
    text = str(exc).strip()
    name = type(exc).__name__
    message = f"{name}: {text}" if text else name
    limit = _limit_of(exc)
    if limit == "memory":
        message += f" (the memory limit of {limits.get('memory_mb')} MB was reached)"
    elif limit == "processes":
        message += f" (the limit of {limits.get('processes')} processes was reached)"
    elif limit == "file_size":
        message += (
            f" (the file size limit of {limits.get('file_mb')} MB or the scratch space of "
            f"{limits.get('scratch_mb')} MB was reached)"
        )
    line = _solution_line(exc, solution_path)
    if line is not None:
        message += f" (solution.py, line {line})"
    return _cut(message)


def _load(name: str, path: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def run(config: dict[str, Any]) -> int:
    """Run the selected tests; returns the process exit code (0 unless the harness broke)."""
    out = _Results(int(config["results_fd"]))
    main_pid = os.getpid()
    limits: dict[str, int] = config.get("limits", {})
    solution_path: str = config["solution"]
    try:
        tests = _load("suite_tests", config["tests"])
    except BaseException as exc:  # a broken suite is our bug, not the candidate's
        out.send(harness_error=f"the test suite failed to load: {type(exc).__name__}: {exc}")
        return 3
    selected: list[str] = list(config["cases"])
    functions = {n: getattr(tests, n, None) for n in selected}

    t0 = time.perf_counter()
    try:
        solution = _load("solution", solution_path)
        load_error = None
    except BaseException as exc:  # the candidate's module failed to import (any reason)
        if os.getpid() != main_pid:
            os._exit(0)
        load_error = describe(exc, solution_path, limits)
        limit = _limit_of(exc)
        if limit:
            out.send(limit=limit)
        if isinstance(exc, SyntaxError):
            out.send(load_error=load_error)
    load_seconds = time.perf_counter() - t0

    for name in selected:
        if load_error is not None:
            out.send(case=name, ok=False, message=load_error, seconds=round(load_seconds, 4))
            continue
        fn = functions[name]
        out.send(start=name)
        t0 = time.perf_counter()
        try:
            if not callable(fn):
                raise RuntimeError(f"the suite has no test {name}")
            fn(solution)
            ok, message = True, ""
        except BaseException as exc:  # every failure, incl. SystemExit from the candidate
            if os.getpid() != main_pid:  # a forked copy of the candidate: not ours to report
                os._exit(0)
            ok, message = False, describe(exc, solution_path, limits)
            limit = _limit_of(exc)
            if limit:
                out.send(limit=limit)
        if os.getpid() != main_pid:
            os._exit(0)
        out.send(case=name, ok=ok, message=message, seconds=round(time.perf_counter() - t0, 4))
    out.send(done=True)
    return 0


def main(argv: list[str]) -> int:
    return run(json.loads(argv[1]))


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(BaseException):  # the candidate may have closed them
            stream.flush()


if __name__ == "__main__":
    try:
        code = main(sys.argv)
    except BaseException:
        code = 3
    _flush()
    # os._exit: no atexit handlers or finalizers registered by the candidate run after us.
    os._exit(code)
