"""The code sandbox: every hostile program is contained, each in its own test.

The module needs the namespaces (root on Linux, or unprivileged user namespaces) and is
skipped without them. The rlimits fallback is tested too, by blocking unshare(2) with seccomp
for an ordinary user. The suite under test is a tiny fixture (``add(a, b)``) in a temp folder,
so these tests do not depend on the real suites in rubrics/code. Limits are lowered where a
test waits for one (1 s of CPU, 2-3 s of wall time) to keep the file fast; CPU-bound tests get
a generous wall limit because a loaded 2-core machine may give the sandbox (nice 10) little CPU.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import platform
import shutil
import socket
import subprocess
import tempfile
import textwrap
import time
import uuid
from itertools import pairwise
from pathlib import Path

import pytest

from coding.result import CaseResult, CodeRunResult
from coding.sandbox import CodeRunner, Limits, run_solution
from coding.suites import SuiteError, UnknownSuite, has_suite, load_suite
from tests.conftest import REPO


def _namespaces_available() -> bool:
    """Whether this machine lets us create the namespaces the sandbox uses."""
    if not shutil.which("unshare"):
        return False
    probe = ["unshare", "--user", "--map-root-user", "--mount", "--pid", "--fork", "--net", "true"]
    return subprocess.run(probe, capture_output=True).returncode == 0


pytestmark = pytest.mark.skipif(
    not _namespaces_available(), reason="needs user/mount/pid/net namespaces (see docs/sandbox.md)"
)
SANDBOX_UID = 65534
SUITE_TESTS = '''\
import numpy as np

VISIBLE = ("test_add",)


def test_add(sol):
    """add(2, 3) is 5."""
    got = sol.add(2, 3)
    assert got == 5, f"add(2, 3) returned {got!r}, expected 5"


def test_arrays(sol):
    """add works element-wise on numpy arrays.

    More detail that is not shown.
    """
    a = np.arange(4)
    assert np.array_equal(sol.add(a, a), 2 * a)


def test_negative(sol):
    """add(-1, 1) is 0."""
    assert sol.add(-1, 1) == 0
'''
GOOD = "def add(a, b):\n    return a + b\n"


def _world_readable_dir() -> Path:
    path = Path(tempfile.mkdtemp(prefix="coach-sandbox-test-"))
    path.chmod(0o755)
    return path


@pytest.fixture(scope="module")
def suites() -> Path:
    """A suites root with one suite, ``demo``, readable by any user (fallback tests)."""
    root = _world_readable_dir()
    demo = root / "demo"
    demo.mkdir(mode=0o755)
    (demo / "tests.py").write_text(SUITE_TESTS)
    (demo / "starter.py").write_text("def add(a, b):\n    raise NotImplementedError\n")
    (demo / "solution.py").write_text(GOOD)
    for f in demo.iterdir():
        f.chmod(0o644)
    yield root
    shutil.rmtree(root, ignore_errors=True)


# Other sandbox runs (the server, other test files) may be going on at the same time as
# these tests, so our candidate processes are named: every test program ends by setting its
# process name (inherited by its forks) to this tag, and "nothing left over" means no process
# of the sandbox uid with that name.
TAG = f"sbx{uuid.uuid4().hex[:8]}"
MARK = f"\n\nimport ctypes as _c\n\n_c.CDLL(None).prctl(15, b{TAG!r})\n"


def code_of(code: str) -> str:
    return textwrap.dedent(code) + MARK


def run(suites: Path, code: str, **limits: float) -> CodeRunResult:
    return run_solution("demo", code_of(code), suites_root=suites, limits=Limits(**limits))


def sandbox_processes() -> list[str]:
    """Our tagged candidate processes still alive (of the sandbox uid)."""
    out = subprocess.run(["ps", "-u", str(SANDBOX_UID), "-o", "pid=,comm="], capture_output=True)
    return [line for line in out.stdout.decode().splitlines() if line.split()[-1] == TAG]


def assert_contained(result: CodeRunResult) -> None:
    """Every hostile run: a clear run-level message, every case listed, nothing left over."""
    assert result.total == 3 and len(result.cases) == 3
    assert result.error, "a stopped run explains itself"
    assert all(c.message for c in result.cases if not c.ok)
    assert sandbox_processes() == []


# --- suites and results -------------------------------------------------------------------


def test_suite_loader_reads_cases_in_order_with_visibility(suites):
    suite = load_suite("demo", suites)
    assert [c.name for c in suite.cases] == ["test_add", "test_arrays", "test_negative"]
    assert [c.hidden for c in suite.cases] == [False, True, True]
    assert suite.cases[1].description == "add works element-wise on numpy arrays."
    assert [c.name for c in suite.examples] == ["test_add"]
    assert "NotImplementedError" in suite.starter
    assert has_suite("demo", suites) and not has_suite("nope", suites)
    with pytest.raises(UnknownSuite) as err:
        load_suite("nope", suites)
    assert isinstance(err.value, KeyError) and "no test suite for question 'nope'" in str(err.value)
    with pytest.raises(UnknownSuite):
        load_suite("../demo", suites)


def test_suite_loader_rejects_a_visible_name_without_a_test(tmp_path):
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "tests.py").write_text(
        'VISIBLE = ("test_x",)\n\ndef test_y(sol):\n  pass\n'
    )
    with pytest.raises(SuiteError, match="test_x"):
        load_suite("bad", tmp_path)


def test_result_round_trips_through_json():
    r = CodeRunResult(
        "q",
        1,
        1,
        2,
        [CaseResult("a", True, "", False, 0.1), CaseResult("b", False, "x", True, 0)],
        "out",
        "err",
        "cpu",
        1.5,
        "stopped",
        "rlimits",
    )
    again = CodeRunResult.from_json(json.loads(json.dumps(r.to_json())))
    assert again == r and again.first_failure() == r.cases[1] and not again.all_passed


# --- ordinary programs --------------------------------------------------------------------


def test_a_correct_solution_passes_every_case_quickly(suites):
    result = run(suites, GOOD)
    assert (result.passed, result.failed, result.total) == (3, 0, 3), result
    assert result.limits_hit is None and result.error is None
    assert result.isolation == "namespaces"
    assert [c.hidden for c in result.cases] == [False, True, True]
    assert result.seconds < 3


def test_only_the_examples_run_when_hidden_tests_are_not_asked_for(suites):
    result = run_solution("demo", GOOD, suites_root=suites, hidden=False)
    assert [c.name for c in result.cases] == ["test_add"] and result.passed == 1


def test_a_failing_assertion_names_what_went_wrong(suites):
    result = run(suites, "def add(a, b):\n    return a - b\n")
    first = result.cases[0]
    assert not first.ok and first.message == "add(2, 3) returned -1, expected 5"
    assert result.cases[2].message == "assertion failed"
    assert result.error is None and result.limits_hit is None


def test_a_syntax_error_fails_every_case_with_the_line(suites):
    result = run(suites, "def add(a, b)\n    return a + b\n")
    assert result.passed == 0 and result.failed == 3
    assert all(c.message.startswith("SyntaxError:") for c in result.cases)
    assert "line 1" in result.cases[0].message and result.error == result.cases[0].message


def test_a_solution_that_raises_reports_the_exception_and_its_line(suites):
    result = run(suites, "print('hello')\n\ndef add(a, b):\n    return {}[a]\n")
    assert result.cases[0].message == "KeyError: 2 (solution.py, line 4)"
    assert result.stdout == "hello\n" and result.error is None


# --- hostile programs, one test each ------------------------------------------------------


def test_an_infinite_loop_is_stopped_by_the_cpu_limit(suites):
    result = run(suites, "def add(a, b):\n    while True:\n        pass\n", cpu_s=1, wall_s=20)
    assert result.limits_hit == "cpu"
    assert "1 s of CPU time" in result.error
    assert result.cases[0].message.startswith("stopped during this test")
    assert result.cases[1].message.startswith("not run")
    assert_contained(result)


def test_a_program_that_waits_forever_is_stopped_by_the_wall_clock(suites):
    t0 = time.monotonic()
    result = run(suites, "import time\n\ndef add(a, b):\n    time.sleep(60)\n", wall_s=2)
    assert result.limits_hit == "wall" and "longer than 2 s" in result.error
    assert time.monotonic() - t0 < 6
    assert_contained(result)


def test_a_fork_bomb_hits_the_process_limit_and_leaves_nothing_behind(suites):
    result = run(suites, "import os\n\ndef add(a, b):\n    while True:\n        os.fork()\n")
    assert result.limits_hit == "processes" and "32 processes" in result.error
    assert_contained(result)  # includes: no process of uid 65534 is left
    assert subprocess.run(["true"]).returncode == 0  # the host can still fork


def test_a_fork_bomb_that_swallows_errors_is_stopped_and_named(suites):
    code = """
    import os

    def add(a, b):
        while True:
            try:
                os.fork()
            except OSError:
                pass
    """
    result = run(suites, code, cpu_s=2, wall_s=3)
    assert result.limits_hit in ("processes", "wall")  # "processes" once the scan saw 32
    assert_contained(result)
    assert subprocess.run(["true"]).returncode == 0


def test_a_memory_bomb_hits_the_memory_limit(suites):
    result = run(suites, "def add(a, b):\n    return bytearray(4 << 30)\n")
    assert result.limits_hit == "memory" and "768 MB" in result.error
    assert result.cases[0].message.startswith("MemoryError")
    assert_contained(result)


def test_a_memory_bomb_spread_over_processes_hits_the_memory_limit(suites):
    code = """
    import os, time

    def add(a, b):
        for _ in range(12):
            if os.fork() == 0:
                block = bytearray(500 << 20)   # zero-filled: resident at once
                time.sleep(30)
        time.sleep(30)
    """
    result = run(suites, code, wall_s=20)
    assert result.limits_hit == "memory"
    assert_contained(result)


def test_a_socket_cannot_reach_a_port_on_the_host(suites):
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        server.settimeout(0.2)
        port = server.getsockname()[1]
        code = f"""
        import socket

        def add(a, b):
            socket.create_connection(("127.0.0.1", {port}), timeout=2)
            return a + b
        """
        result = run(suites, code)
        with pytest.raises(TimeoutError):
            server.accept()  # nobody connected
    assert not result.cases[0].ok
    assert "Network is unreachable" in result.cases[0].message
    assert result.passed == 0


def test_the_database_and_repository_are_not_visible(suites, tmp_path):
    db = tmp_path / "coach.db"
    db.write_text("SECRET-ROW")
    code = f"""
    import os

    def add(a, b):
        for path in ({str(db)!r}, {str(REPO / "data" / "coach.db")!r}, {str(REPO / "server")!r}):
            assert not os.path.exists(path), path
        with open({str(db)!r}) as f:
            return f.read()
    """
    result = run(suites, code)
    assert result.cases[0].message.startswith("FileNotFoundError: [Errno 2] No such file")
    assert "SECRET-ROW" not in result.stdout + result.stderr + json.dumps(result.to_json())


def test_environment_variables_of_the_server_are_absent(suites, monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-secret")
    monkeypatch.setenv("COACH_SECRET", "hunter2")
    code = """
    import os

    def add(a, b):
        print(sorted(os.environ))
        print(os.environ.get("ANTHROPIC_API_KEY"), os.environ.get("COACH_SECRET"))
        print(os.path.exists("/proc"))
        return a + b
    """
    result = run(suites, code)
    assert "sk-ant-test-secret" not in result.stdout and "hunter2" not in result.stdout
    assert "None None" in result.stdout
    assert "ANTHROPIC_API_KEY" not in result.stdout
    assert "False" in result.stdout  # no /proc: no way to read another process's environ
    assert result.passed == 3


def test_writes_outside_the_scratch_folder_fail(suites):
    tag = uuid.uuid4().hex
    targets = [f"/tmp/x-{tag}", f"/work/x-{tag}", str(REPO / f"x-{tag}"), f"/x-{tag}"]
    code = f"""
    def add(a, b):
        for path in {targets!r}:
            try:
                with open(path, "w") as f:
                    f.write("pwned")
                print("WROTE", path)
            except OSError as exc:
                print("refused", type(exc).__name__)
        with open("scratch-ok.txt", "w") as f:
            f.write("fine")
        print("scratch ok")
        return a + b
    """
    result = run(suites, code)
    assert "WROTE" not in result.stdout
    assert result.stdout.count("refused") == 3 * len(targets)
    assert "scratch ok" in result.stdout and result.passed == 3
    for path in targets:
        assert not Path(path).exists(), path


def test_an_output_flood_hits_the_output_limit(suites):
    result = run(suites, "def add(a, b):\n    while True:\n        print('x' * 1000)\n")
    assert result.limits_hit == "output" and "64 KiB" in result.error
    assert len(result.stdout) + len(result.stderr) <= 64 * 1024
    assert_contained(result)


def test_a_huge_file_hits_the_file_size_limit(suites):
    code = """
    def add(a, b):
        with open("big.bin", "wb") as f:
            while True:
                f.write(b"x" * (1 << 20))
    """
    result = run(suites, code)
    assert result.limits_hit == "file_size"
    assert "File too large" in result.cases[0].message


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("setpriv"), reason="needs root")
def test_signals_cannot_reach_processes_outside_the_sandbox(suites):
    ids = [f"--reuid={SANDBOX_UID}", f"--regid={SANDBOX_UID}", "--clear-groups"]
    sentinel = subprocess.Popen(["setpriv", *ids, "sleep", "30"])
    code = """
    import os, signal

    def add(a, b):
        for pid in (-1, 1):  # every process it may signal; the sandbox's init
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError as exc:
                print(pid, "refused:", type(exc).__name__)
        return a + b
    """
    try:
        time.sleep(0.2)
        result = run(suites, code)
        assert sentinel.poll() is None, "a host process of the same uid was killed"
    finally:
        sentinel.kill()
        sentinel.wait()
    assert result.passed == 3 and "1 refused: PermissionError" in result.stdout


# --- concurrency, the event loop, cancellation --------------------------------------------


def test_two_concurrent_runs_do_not_interfere(suites):
    runner = CodeRunner(max_concurrent=2, suites_root=suites)
    bomb = "import os\n\ndef add(a, b):\n    while True:\n        os.fork()\n"

    async def both() -> tuple[CodeRunResult, CodeRunResult]:
        return await asyncio.gather(
            runner.run("demo", code_of(bomb)), runner.run("demo", code_of(GOOD))
        )

    try:
        bombed, good = asyncio.run(both())
    finally:
        runner.close()
    assert bombed.limits_hit == "processes"
    assert good.passed == 3 and good.limits_hit is None, good


def test_the_event_loop_keeps_ticking_during_a_run(suites):
    runner = CodeRunner(suites_root=suites, limits=Limits(cpu_s=1, wall_s=20))
    loop_code = "def add(a, b):\n    while True:\n        pass\n"

    async def scenario() -> tuple[CodeRunResult, list[float]]:
        ticks: list[float] = []

        async def ticker() -> None:
            while True:
                ticks.append(time.monotonic())
                await asyncio.sleep(0.01)

        task = asyncio.create_task(ticker())
        result = await runner.run("demo", loop_code)
        task.cancel()
        return result, ticks

    try:
        result, ticks = asyncio.run(scenario())
    finally:
        runner.close()
    assert result.limits_hit == "cpu"
    gaps = [b - a for a, b in pairwise(ticks)]
    assert len(ticks) > 30 and max(gaps) < 0.25, max(gaps)


def test_cancelling_a_run_stops_the_sandbox(suites):
    runner = CodeRunner(suites_root=suites)
    code = "import time\n\ndef add(a, b):\n    time.sleep(60)\n"

    async def scenario() -> None:
        task = asyncio.create_task(runner.run("demo", code_of(code)))
        await asyncio.sleep(0.5)
        assert sandbox_processes(), "the run is under way"
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    try:
        asyncio.run(scenario())
        deadline = time.monotonic() + 2
        while sandbox_processes() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert sandbox_processes() == []
    finally:
        runner.close()


def test_one_run_at_a_time_by_default(suites):
    runner = CodeRunner(suites_root=suites)
    code = "import time\n\ndef add(a, b):\n    time.sleep(0.3)\n    return a + b\n"

    async def scenario() -> float:
        t0 = time.monotonic()
        await asyncio.gather(runner.run("demo", code), runner.run("demo", code))
        return time.monotonic() - t0

    try:
        elapsed = asyncio.run(scenario())
    finally:
        runner.close()
    assert elapsed >= 2 * 3 * 0.3  # the second waited for the first


# --- unprivileged and fallback modes (as an ordinary user, with the system Python) --------

NONROOT_UID = 4242
SYSTEM_PYTHON = "/usr/bin/python3"
PLAIN_TESTS = '''\
VISIBLE = ("test_add",)


def test_add(sol):
    """add(2, 3) is 5."""
    assert sol.add(2, 3) == 5


def test_more(sol):
    """add(1, 1) is 2."""
    assert sol.add(1, 1) == 2


def test_negative(sol):
    """add(-1, 1) is 0."""
    assert sol.add(-1, 1) == 0
'''

# Runs as uid 4242: optionally blocks unshare(2) with seccomp (as Docker's default profile
# does), then runs each program in "auto" mode and prints the results and warning count.
NONROOT_SCRIPT = r"""
import ctypes, json, logging, sys
sys.path.insert(0, sys.argv[1])
if sys.argv[3] == "block-unshare":
    class Filter(ctypes.Structure):
        _fields_ = [("code", ctypes.c_ushort), ("jt", ctypes.c_ubyte), ("jf", ctypes.c_ubyte),
                    ("k", ctypes.c_uint)]
    class Prog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(Filter))]
    insns = (Filter * 4)(Filter(0x20, 0, 0, 0), Filter(0x15, 0, 1, 272),
                         Filter(0x06, 0, 0, 0x00050001), Filter(0x06, 0, 0, 0x7FFF0000))
    libc = ctypes.CDLL(None, use_errno=True)
    assert libc.prctl(38, 1, 0, 0, 0) == 0
    assert libc.prctl(22, 2, ctypes.byref(Prog(4, insns)), 0, 0) == 0
from coding.sandbox import Limits, run_solution
warnings = []
class Keep(logging.Handler):
    def emit(self, record):
        if record.levelno >= logging.WARNING:
            warnings.append(record.getMessage())
logging.getLogger("coding").addHandler(Keep())
out = {}
for name, code in json.loads(sys.argv[4]).items():
    r = run_solution("demo", code, suites_root=sys.argv[2], limits=Limits(cpu_s=1, wall_s=15))
    out[name] = r.to_json()
out["warnings"] = warnings
print(json.dumps(out))
"""
NONROOT_PROGRAMS = {
    "good": GOOD,
    "env": "import os\n\ndef add(a, b):\n    print(os.environ.get('COACH_SECRET'))\n"
    "    return a + b\n",
    "loop": "def add(a, b):\n    while True:\n        pass\n",
    "fork": "import os\n\ndef add(a, b):\n    while True:\n        os.fork()\n",
    "flood": "def add(a, b):\n    while True:\n        print('x' * 1000)\n",
    "net": "import socket\n\ndef add(a, b):\n    socket.create_connection(('127.0.0.1', 9))\n",
}


def _run_as_user(mode: str) -> dict:
    if os.geteuid() != 0 or not shutil.which("setpriv") or not Path(SYSTEM_PYTHON).exists():
        pytest.skip("needs root (to become another user), setpriv and /usr/bin/python3")
    if mode == "block-unshare" and platform.machine() != "x86_64":
        pytest.skip("the seccomp filter here knows the x86_64 syscall number only")
    root = _world_readable_dir()
    try:
        # The other user imports the sandbox from a copy: the checkout itself may not be
        # readable by other users (a clone in a 0700 temporary folder, say).
        package = root / "pkg" / "coding"
        shutil.copytree(REPO / "coding", package, ignore=shutil.ignore_patterns("__pycache__"))
        for path in [root / "pkg", *package.rglob("*"), package]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        (root / "demo").mkdir(mode=0o755)
        (root / "demo" / "tests.py").write_text(PLAIN_TESTS)
        (root / "demo" / "tests.py").chmod(0o644)
        cmd = [
            "setpriv", f"--reuid={NONROOT_UID}", f"--regid={NONROOT_UID}", "--clear-groups",
            "env", "-i", "PATH=/usr/bin:/bin", "COACH_SECRET=hunter2",
            SYSTEM_PYTHON, "-I", "-c", NONROOT_SCRIPT,
            str(root / "pkg"), str(root), mode, json.dumps(NONROOT_PROGRAMS),
        ]  # fmt: skip
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd="/")
        assert out.returncode == 0, out.stderr[-3000:]
        # Every process of the runs is gone. Killed ones may take a moment to be reaped on a
        # loaded machine; escaped ones would still be there (and are shown).
        for _ in range(50):
            leftovers = subprocess.run(
                ["ps", "-u", str(NONROOT_UID), "-o", "pid=,ppid=,stat=,etimes=,args="],
                capture_output=True,
                text=True,
            )
            if not leftovers.stdout.strip():
                break
            time.sleep(0.1)
        assert leftovers.stdout.strip() == "", leftovers.stdout
        return json.loads(out.stdout)
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def unprivileged() -> dict:
    return _run_as_user("plain")


@pytest.fixture(scope="module")
def fallback() -> dict:
    return _run_as_user("block-unshare")


def test_an_ordinary_user_gets_namespaces_too(unprivileged):
    assert unprivileged["good"]["isolation"] == "namespaces"
    assert unprivileged["good"]["passed"] == 3
    assert "hunter2" not in unprivileged["env"]["stdout"]
    assert unprivileged["loop"]["limits_hit"] == "cpu"
    assert unprivileged["fork"]["limits_hit"] == "processes"
    assert unprivileged["flood"]["limits_hit"] == "output"
    assert "Network is unreachable" in unprivileged["net"]["cases"][0]["message"]
    assert unprivileged["warnings"] == []


def test_without_namespaces_the_fallback_still_contains_and_says_so(fallback):
    assert all(fallback[k]["isolation"] == "rlimits" for k in NONROOT_PROGRAMS)
    assert fallback["good"]["passed"] == 3
    assert "hunter2" not in fallback["env"]["stdout"]
    assert fallback["loop"]["limits_hit"] == "cpu"
    assert fallback["fork"]["limits_hit"] == "processes"
    assert fallback["flood"]["limits_hit"] == "output"
    assert len(fallback["warnings"]) == 1 and "weaker isolation" in fallback["warnings"][0]


def test_empty_run_overhead_is_well_under_a_second(suites, caplog):
    caplog.set_level(logging.INFO, logger="coding")
    times = []
    for _ in range(3):
        t0 = time.monotonic()
        result = run(suites, GOOD)
        times.append(time.monotonic() - t0)
        assert result.passed == 3
    assert min(times) < 1.0, times
    assert GOOD not in caplog.text  # candidate code never reaches the logs


def test_nested_user_namespaces_are_refused(suites):
    code = """
    import ctypes, os

    def add(a, b):
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.unshare(0x10000000) != 0:  # CLONE_NEWUSER
            print("unshare refused:", os.strerror(ctypes.get_errno()))
        return a + b
    """
    result = run(suites, code)
    assert result.passed == 3 and "unshare refused" in result.stdout


def test_forged_result_lines_cannot_break_the_server(suites):
    code = """
    import os

    def add(a, b):
        junk = [
            b'{"case": "test_negative", "ok": "yes", "seconds": "NaN"}',
            b'{"limit": "everything"}',
            b"[" * 100000,
            b'{"case": ["test_add"], "ok": true}',
            b"not json",
        ]
        for line in junk:
            os.write(3, line + b"\\n")
        return a + b
    """
    result = run(suites, code)
    assert result.limits_hit is None
    assert result.cases[2].ok is False and result.cases[2].seconds == 0.0  # forged "ok": "yes"
    json.dumps(result.to_json(), allow_nan=False)
