"""The reference test suites of the coding questions (``rubrics/code/<question-id>/``).

For every coding question in the bank: a suite exists and is well formed; the reference
solution passes every case; each wrong solution fails at least the cases named on its first
line (``# expect-fail: test_a, test_b``); the starter fails every case cleanly with
NotImplementedError. Every run goes through the real sandbox (``coding.sandbox.run_solution``),
one test id per question and per wrong solution; like tests/test_sandbox.py, the runs are
skipped on a machine that cannot create the sandbox's namespaces.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from coding.result import CodeRunResult
from coding.sandbox import Limits, run_solution
from coding.suites import SUITES_ROOT, load_suite
from interviewer.bank import load_bank

CODING = {q.id: q for q in load_bank().questions("coding")}
QUESTION_IDS = sorted(CODING)
WRONG = sorted(
    (qid, path.name) for qid in QUESTION_IDS for path in (SUITES_ROOT / qid / "wrong").glob("*.py")
)
_EXPECT = re.compile(r"^# expect-fail: *(test_\w+(?: *, *test_\w+)*) *$")


def _namespaces_available() -> bool:
    if not shutil.which("unshare"):
        return False
    probe = ["unshare", "--user", "--map-root-user", "--mount", "--pid", "--fork", "--net", "true"]
    return subprocess.run(probe, capture_output=True).returncode == 0


needs_sandbox = pytest.mark.skipif(
    not _namespaces_available(), reason="needs user/mount/pid/net namespaces (see docs/sandbox.md)"
)

#: A reference solution must pass well inside the default 5 s: the kernel enforces this CPU cap.
REFERENCE_LIMITS = Limits(cpu_s=3)


def expected_failures(path: Path) -> list[str]:
    """The case names on a wrong solution's first line."""
    first = path.read_text(encoding="utf-8").splitlines()[0]
    match = _EXPECT.match(first)
    assert match, f"{path}: the first line must be '# expect-fail: test_name[, test_name]'"
    return [name.strip() for name in match.group(1).split(",")]


def describe(result: CodeRunResult) -> str:
    """The failing cases of a run, for assertion messages."""
    lines = [f"{c.name}: {c.message}" for c in result.cases if not c.ok]
    return (
        f"{result.passed}/{result.total} passed, limit={result.limits_hit}, error={result.error}"
        + "".join(f"\n  {line}" for line in lines)
    )


def run(question_id: str, path: Path, limits: Limits | None = None) -> CodeRunResult:
    code = path.read_text(encoding="utf-8")
    return run_solution(question_id, code, limits=limits or Limits())


def test_every_coding_question_has_a_suite():
    assert len(QUESTION_IDS) == 12
    folders = {p.name for p in SUITES_ROOT.iterdir() if p.is_dir() and p.name[0] not in "_."}
    assert not set(QUESTION_IDS) - folders, f"no suite for {sorted(set(QUESTION_IDS) - folders)}"
    assert not folders - set(QUESTION_IDS), f"suites without a question: {folders - set(CODING)}"


@pytest.mark.parametrize("question_id", QUESTION_IDS)
def test_suite_is_well_formed(question_id: str):
    suite = load_suite(question_id)
    folder = suite.path
    assert (folder / "solution.py").is_file() and (folder / "starter.py").is_file()
    assert 4 <= len(suite.cases) <= 9, f"{len(suite.cases)} cases; keep 4 to 9"
    assert 1 <= len(suite.examples) <= 3, f"{len(suite.examples)} visible examples; keep 1 to 3"
    for case in suite.cases:
        assert case.description != case.name, f"{case.name} has no docstring"
        assert len(case.description) <= 60, f"{case.name}: say the docstring in a breath"
    wrong = sorted((folder / "wrong").glob("*.py"))
    least = 3 if CODING[question_id].kind == "ml_from_scratch" else 2
    assert len(wrong) >= least, f"{len(wrong)} wrong solutions, expected at least {least}"
    names = {c.name for c in suite.cases}
    for path in wrong:
        unknown = set(expected_failures(path)) - names
        assert not unknown, f"{path.name} expects unknown cases {sorted(unknown)}"
    # The starter only declares: every function body ends by raising NotImplementedError
    # (CycleError in pipeline-task-order is given to the candidate as it is).
    tree = ast.parse(suite.starter)
    stubs = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("__init__")
    ]
    assert stubs, "the starter declares no functions"
    for node in stubs:
        last = node.body[-1]
        assert isinstance(last, ast.Raise) and "NotImplementedError" in ast.unparse(last), (
            f"starter function {node.name} should end with raise NotImplementedError"
        )


@needs_sandbox
@pytest.mark.parametrize("question_id", QUESTION_IDS)
def test_reference_solution_passes(question_id: str):
    result = run(question_id, SUITES_ROOT / question_id / "solution.py", REFERENCE_LIMITS)
    assert result.all_passed and result.limits_hit is None and result.error is None, describe(
        result
    )


@needs_sandbox
@pytest.mark.parametrize("question_id", QUESTION_IDS)
def test_starter_fails_cleanly(question_id: str):
    result = run(question_id, SUITES_ROOT / question_id / "starter.py")
    assert result.error is None and result.limits_hit is None, describe(result)
    assert result.total == len(load_suite(question_id).cases)
    for case in result.cases:
        assert not case.ok and case.message.startswith("NotImplementedError"), (
            f"{case.name}: {case.message}"
        )


@needs_sandbox
@pytest.mark.parametrize(("question_id", "wrong"), WRONG, ids=[f"{q}/{w}" for q, w in WRONG])
def test_wrong_solution_fails_where_expected(question_id: str, wrong: str):
    path = SUITES_ROOT / question_id / "wrong" / wrong
    expected = expected_failures(path)
    result = run(question_id, path)
    by_name = {c.name: c for c in result.cases}
    for name in expected:
        case = by_name[name]
        assert not case.ok, f"{wrong} should fail {name}; {describe(result)}"
        # Failing because an earlier case used up a limit would prove nothing.
        assert not case.message.startswith("not run"), f"{name} did not run; {describe(result)}"
    # It must fail as a solution, not as a file: no syntax or import error.
    assert result.error is None or result.limits_hit is not None, describe(result)
