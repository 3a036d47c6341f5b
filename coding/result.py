"""Result types of one sandboxed code run.

Plain dataclasses so the live server, the store and the CLI share one shape. ``to_json`` /
``from_json`` round-trip through JSON-compatible dicts (``from_json`` ignores unknown keys so
older stored rows and newer fields both load).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any, Literal

#: Which limit ended (or cut short) a run. ``None``: no limit was reached.
LimitName = Literal["cpu", "wall", "memory", "processes", "output", "file_size"]
LIMIT_NAMES: tuple[str, ...] = ("cpu", "wall", "memory", "processes", "output", "file_size")

#: How strongly the run was isolated: ``namespaces`` (user, mount, pid, net, ipc, uts
#: namespaces + private root + rlimits) or ``rlimits`` (fallback: rlimits, clean environment
#: and a scratch working directory only). See docs/sandbox.md.
Isolation = Literal["namespaces", "rlimits"]


@dataclass(frozen=True)
class CaseResult:
    """One test case of a suite: passed or not, and why not (a person-readable message)."""

    name: str
    ok: bool
    message: str
    hidden: bool
    seconds: float

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CaseResult:
        return cls(
            name=str(data["name"]),
            ok=bool(data["ok"]),
            message=str(data.get("message", "")),
            hidden=bool(data.get("hidden", False)),
            seconds=float(data.get("seconds", 0.0)),
        )


@dataclass(frozen=True)
class CodeRunResult:
    """The outcome of running one solution against a suite.

    ``error`` is a run-level, person-readable explanation (a syntax error, a limit that stopped
    the run, a sandbox failure); ``None`` when the run completed normally, whatever the tests
    said. ``stdout``/``stderr`` are the candidate's own output (capped by the output limit).
    ``seconds`` is the wall time of the whole run, sandbox start-up included.
    """

    question_id: str
    passed: int
    failed: int
    total: int
    cases: list[CaseResult]
    stdout: str
    stderr: str
    limits_hit: LimitName | None
    seconds: float
    error: str | None
    isolation: Isolation = "namespaces"

    @property
    def all_passed(self) -> bool:
        return self.total > 0 and self.passed == self.total

    def first_failure(self) -> CaseResult | None:
        return next((c for c in self.cases if not c.ok), None)

    def to_json(self) -> dict[str, Any]:
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["cases"] = [c.to_json() for c in self.cases]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CodeRunResult:
        limit = data.get("limits_hit")
        return cls(
            question_id=str(data["question_id"]),
            passed=int(data.get("passed", 0)),
            failed=int(data.get("failed", 0)),
            total=int(data.get("total", 0)),
            cases=[CaseResult.from_json(c) for c in data.get("cases", [])],
            stdout=str(data.get("stdout", "")),
            stderr=str(data.get("stderr", "")),
            limits_hit=limit if limit in LIMIT_NAMES else None,
            seconds=float(data.get("seconds", 0.0)),
            error=data.get("error"),
            isolation="rlimits" if data.get("isolation") == "rlimits" else "namespaces",
        )
