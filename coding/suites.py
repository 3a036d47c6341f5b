"""Reference test suites of the coding questions: ``rubrics/code/<question-id>/``.

A suite folder holds ``tests.py`` (plain ``def test_xxx(sol):`` functions with a one-line
docstring, and ``VISIBLE = ("test_a", ...)`` naming the example tests shown before a run),
``starter.py`` (what the editor shows first), ``solution.py`` (the reference) and
``wrong/*.py``. The loader only *parses* ``tests.py`` (``ast``): suite code is executed only
inside the sandbox, never in the server process.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

#: Where the suites live: ``rubrics/code/`` at the repository root.
SUITES_ROOT = Path(__file__).resolve().parent.parent / "rubrics" / "code"

_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,99}$")


class UnknownSuite(KeyError):
    """No suite for this question id (not a coding question, or a malformed id)."""

    def __init__(self, question_id: str, root: Path) -> None:
        super().__init__(question_id)
        self.question_id = question_id
        self.message = f"no test suite for question {question_id!r} (looked in {root})"

    def __str__(self) -> str:
        return self.message


class SuiteError(ValueError):
    """A suite exists but is malformed (no tests, VISIBLE names a missing test, ...)."""


@dataclass(frozen=True)
class SuiteCase:
    """One test of a suite, as the candidate sees it."""

    name: str
    description: str
    hidden: bool


@dataclass(frozen=True)
class Suite:
    """A parsed suite: its id, folder, starter code and test cases in definition order."""

    name: str
    path: Path
    starter: str
    cases: tuple[SuiteCase, ...]

    @property
    def tests_path(self) -> Path:
        return self.path / "tests.py"

    @property
    def examples(self) -> tuple[SuiteCase, ...]:
        """The visible cases, shown before a run."""
        return tuple(c for c in self.cases if not c.hidden)

    def case(self, name: str) -> SuiteCase | None:
        return next((c for c in self.cases if c.name == name), None)


def _root(root: Path | str | None) -> Path:
    return Path(root) if root is not None else SUITES_ROOT


def suite_dir(question_id: str, root: Path | str | None = None) -> Path:
    """The folder of a question's suite; raises ``UnknownSuite`` when there is none."""
    base = _root(root)
    if not isinstance(question_id, str) or not _ID.match(question_id):
        raise UnknownSuite(str(question_id), base)
    path = base / question_id
    if not (path / "tests.py").is_file():
        raise UnknownSuite(question_id, base)
    return path


def has_suite(question_id: str, root: Path | str | None = None) -> bool:
    """Whether the question has a suite (so the editor and Run are offered)."""
    try:
        suite_dir(question_id, root)
    except UnknownSuite:
        return False
    return True


def load_suite(question_id: str, root: Path | str | None = None) -> Suite:
    """Parse a question's suite. Raises ``UnknownSuite`` or ``SuiteError``."""
    path = suite_dir(question_id, root)
    source = (path / "tests.py").read_text(encoding="utf-8")
    try:
        tree = ast.parse(source, filename=str(path / "tests.py"))
    except SyntaxError as exc:
        raise SuiteError(f"{question_id}: tests.py does not parse: {exc}") from exc
    visible: tuple[str, ...] = ()
    tests: list[tuple[str, str]] = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
            doc = ast.get_docstring(node) or ""
            first = doc.strip().splitlines()[0].strip() if doc.strip() else node.name
            tests.append((node.name, first))
        elif isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "VISIBLE" for t in node.targets
        ):
            try:
                value = ast.literal_eval(node.value)
            except ValueError as exc:
                raise SuiteError(f"{question_id}: VISIBLE must be a literal tuple") from exc
            if isinstance(value, str) or not all(isinstance(v, str) for v in value):
                raise SuiteError(f"{question_id}: VISIBLE must be a tuple of test names")
            visible = tuple(value)
    if not tests:
        raise SuiteError(f"{question_id}: tests.py defines no test_* functions")
    names = [n for n, _ in tests]
    if len(set(names)) != len(names):
        raise SuiteError(f"{question_id}: a test name is defined twice")
    missing = [v for v in visible if v not in names]
    if missing:
        raise SuiteError(f"{question_id}: VISIBLE names unknown tests: {', '.join(missing)}")
    starter_path = path / "starter.py"
    starter = starter_path.read_text(encoding="utf-8") if starter_path.is_file() else ""
    cases = tuple(SuiteCase(n, d, n not in visible) for n, d in tests)
    return Suite(name=question_id, path=path, starter=starter, cases=cases)
