"""``coach check-code``: runs a solution file in the sandbox and prints the result.

Exit status: 0 all tests pass, 1 a test failed or a limit stopped the run, 2 bad request.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from coding.suites import SUITES_ROOT
from tests.conftest import REPO
from tests.test_sandbox import pytestmark  # noqa: F401 - same requirement: namespaces

TESTS = '''\
VISIBLE = ("test_add",)


def test_add(sol):
    """add(2, 3) is 5."""
    assert sol.add(2, 3) == 5, "add(2, 3) is not 5"


def test_zero(sol):
    """add(0, 0) is 0."""
    assert sol.add(0, 0) == 0
'''


@pytest.fixture()
def suites(tmp_path: Path) -> Path:
    (tmp_path / "demo").mkdir()
    (tmp_path / "demo" / "tests.py").write_text(TESTS)
    return tmp_path


def coach(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "server.cli", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )


def check(suites: Path, tmp_path: Path, code: str, *extra: str) -> subprocess.CompletedProcess:
    sol = tmp_path / "sol.py"
    sol.write_text(code)
    return coach(
        "check-code", "--question", "demo", "--file", str(sol), "--suites-root", str(suites), *extra
    )


def test_a_passing_solution_prints_json_and_exits_0(suites, tmp_path):
    out = check(suites, tmp_path, "def add(a, b):\n    return a + b\n", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert (data["passed"], data["failed"], data["limits_hit"]) == (2, 0, None)
    assert [c["name"] for c in data["cases"]] == ["test_add", "test_zero"]
    assert all({"name", "ok", "message"} <= set(c) for c in data["cases"])
    assert isinstance(data["seconds"], float) and data["isolation"] == "namespaces"


def test_a_failing_solution_names_the_case_and_exits_1(suites, tmp_path):
    out = check(suites, tmp_path, "def add(a, b):\n    return a * b\n", "--json")
    assert out.returncode == 1
    data = json.loads(out.stdout)
    assert data["passed"] == 1 and data["failed"] == 1
    failing = next(c for c in data["cases"] if not c["ok"])
    assert failing == {**failing, "name": "test_add", "message": "add(2, 3) is not 5"}


def test_a_limit_is_reported_and_exits_1(suites, tmp_path):
    out = check(suites, tmp_path, "def add(a, b):\n    while True:\n        print(a)\n", "--json")
    assert out.returncode == 1
    assert json.loads(out.stdout)["limits_hit"] == "output"


def test_plain_text_output(suites, tmp_path):
    out = check(suites, tmp_path, "def add(a, b)\n")
    assert out.returncode == 1
    assert "demo: 0/2 passed" in out.stdout and "FAIL test_add: SyntaxError" in out.stdout


def test_an_unknown_question_or_missing_file_exits_2_naming_the_problem(suites, tmp_path):
    sol = tmp_path / "sol.py"
    sol.write_text("x = 1\n")
    unknown = coach("check-code", "--question", "no-such-question", "--file", str(sol))
    assert unknown.returncode == 2
    assert "no test suite for question 'no-such-question'" in unknown.stderr
    missing = coach("check-code", "--question", "demo", "--file", str(tmp_path / "nope.py"))
    assert missing.returncode == 2 and "no such solution file" in missing.stderr


@pytest.mark.skipif(
    not (SUITES_ROOT / "kmeans-from-scratch" / "solution.py").is_file(),
    reason="the k-means suite is not in rubrics/code yet",
)
def test_the_kmeans_reference_solution_passes_its_real_suite():
    sol = SUITES_ROOT / "kmeans-from-scratch" / "solution.py"
    out = coach("check-code", "--question", "kmeans-from-scratch", "--file", str(sol), "--json")
    assert out.returncode == 0, out.stdout[-2000:]
    data = json.loads(out.stdout)
    assert data["failed"] == 0 and data["passed"] == len(data["cases"]) > 0
