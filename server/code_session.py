"""The coding workspace of one live session: editor snapshots, test runs, the interviewer's
reaction, and grading that combines the tests with the narration.

``LiveSession`` owns one ``CodeWorkspace`` and calls it at three places: when a question is
asked (``show`` sends ``workspace``), when a ``code``/``run_code`` message arrives
(``handle``), and when an answer is graded (``combine``, in the grader's worker thread).

- Snapshots are stamped with the session clock when they arrive and stored only when the
  text changed, so the review replay can show the code at each moment of the audio.
- A run stores the snapshot, runs the whole suite in the sandbox (``coding.sandbox``, off the
  event loop, one node-wide semaphore), sends ``code_running`` then ``code_result``, stores
  the run, re-combines the stored grading of the question with it, and lets the interviewer
  react: one short line now, or as the next follow-up if the candidate is talking.

Candidate code and outputs are never logged; logs carry session ids, counts and timings.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import TYPE_CHECKING, Any

from coding.result import CodeRunResult
from coding.suites import Suite, has_suite, load_suite
from interviewer.code import CodeOutcome, combine
from interviewer.result import ScoreResult
from server.inference import PRIORITY_PARTIAL
from server.models import CodeRun, CodeSnapshot
from server.protocol import Code, ProtocolError, RunCode

if TYPE_CHECKING:
    from server.live import LiveSession

log = logging.getLogger("coach.code")

OUTPUT_BYTES = 4096  # stdout and stderr, each, in code_result and in the database
MESSAGE_CHARS = 1000  # one failing case's message
_CUT = "\n[... cut at 4 KiB]"


def cut_output(text: str, limit: int = OUTPUT_BYTES) -> str:
    """At most ``limit`` bytes of UTF-8 (a marker says when something was cut)."""
    data = text.encode("utf-8", "replace")
    if len(data) <= limit:
        return text
    keep = limit - len(_CUT.encode())
    return data[:keep].decode("utf-8", "ignore") + _CUT


def result_cases(result: CodeRunResult, suite: Suite | None) -> list[dict[str, Any]]:
    """The run's cases for the page and the database, each with its one-line description."""
    described = {c.name: c.description for c in suite.cases} if suite else {}
    return [
        {
            "name": c.name,
            "ok": bool(c.ok),
            "message": (c.message or "")[:MESSAGE_CHARS],
            "hidden": bool(c.hidden),
            "description": described.get(c.name) or c.name,
        }
        for c in result.cases
    ]


class CodeWorkspace:
    """Editor snapshots and test runs for the current coding question of one live session."""

    def __init__(self, live: LiveSession) -> None:
        self.live = live
        self._suites: dict[str, Suite | None] = {}
        self._lock = asyncio.Lock()  # snapshots are stored in the order they arrived
        self._last_text: dict[tuple[str, int], str] = {}  # last stored text per attempt
        self._shown: tuple[str | None, int] | None = None  # the workspace the client has
        self._running = False
        self._run_id = 0

    # -- suites ----------------------------------------------------------------------------
    def suite(self, question_id: str | None) -> Suite | None:
        """The question's test suite, or None when it has none (cached; small file reads)."""
        if question_id is None:
            return None
        if question_id not in self._suites:
            root = self.live.settings.rubrics_dir / "code"
            found = has_suite(question_id, root)
            self._suites[question_id] = load_suite(question_id, root) if found else None
        return self._suites[question_id]

    # -- workspace -------------------------------------------------------------------------
    async def show(self, question_id: str | None, attempt: int) -> None:
        """Send ``workspace`` for a question just asked (or re-asked after ``resume``): the
        starter or the last stored snapshot of this attempt, and the visible examples. Not
        sent again for the question the client already has (a repeated prompt)."""
        if self._shown == (question_id, attempt):
            return
        self._shown = (question_id, attempt)
        suite = await asyncio.to_thread(self.suite, question_id)
        if suite is None or question_id is None:
            await self.live._send_json({"type": "workspace", "question_id": None})
            return
        assert self.live.row is not None
        stored = await asyncio.to_thread(
            self.live.svc.store.latest_code_snapshot, self.live.row.id, question_id, attempt
        )
        if stored is not None:
            self._last_text[(question_id, attempt)] = stored.text
        await self.live._send_json(
            {
                "type": "workspace",
                "question_id": question_id,
                "attempt": attempt,
                "language": "python",
                "starter": suite.starter,
                "code": stored.text if stored is not None else suite.starter,
                "examples": [
                    {"name": c.name, "description": c.description}
                    for c in suite.cases
                    if not c.hidden
                ],
            }
        )

    # -- messages --------------------------------------------------------------------------
    def handle(self, msg: Code | RunCode) -> None:
        """A ``code`` or ``run_code`` message, from the read loop: stamped with the session
        clock now, handled in a task (the read loop keeps taking audio)."""
        live = self.live
        assert live.engine is not None and live.seg is not None
        kind = "code" if isinstance(msg, Code) else "run_code"
        question = live.engine.current
        if question is None or self.suite(question.id) is None:
            live._spawn(
                live._error(
                    ProtocolError(
                        "bad_message",
                        f"{kind}: the current question is not a coding question, so there is "
                        "no code workspace; the message was ignored",
                    )
                )
            )
            return
        if msg.question_id is not None and msg.question_id != question.id:
            live._spawn(
                live._error(
                    ProtocolError(
                        "bad_message",
                        f"{kind}: the editor held another question than the current one "
                        f"({question.id}); the message was ignored",
                    )
                )
            )
            return
        at_ms = live.seg.now_ms
        attempt = live.engine.attempt
        if isinstance(msg, Code):
            live._spawn(self._store_snapshot(question.id, attempt, at_ms, msg.text))
            return
        if self._running:
            live._spawn(
                live._error(
                    ProtocolError(
                        "run_in_progress",
                        "your code is already running; wait for its result before running "
                        "it again",
                    )
                )
            )
            return
        self._running = True
        live._spawn(self._run(question.id, attempt, at_ms, msg.text))

    async def _store_snapshot(self, question_id: str, attempt: int, at_ms: int, text: str) -> None:
        async with self._lock:
            key = (question_id, attempt)
            if self._last_text.get(key) == text:
                return
            assert self.live.row is not None
            await asyncio.to_thread(
                self.live.svc.store.add_code_snapshot,
                CodeSnapshot(
                    session_id=self.live.row.id,
                    question_id=question_id,
                    attempt=attempt,
                    at_ms=at_ms,
                    text=text,
                ),
            )
            self._last_text[key] = text

    # -- runs ------------------------------------------------------------------------------
    async def _run(self, question_id: str, attempt: int, at_ms: int, text: str) -> None:
        live = self.live
        try:
            await self._store_snapshot(question_id, attempt, at_ms, text)
            runner = live.svc.code_runner
            if runner is None:
                await live._error(
                    ProtocolError("internal", "running code is not available on this server")
                )
                return
            self._run_id += 1
            run_id = self._run_id
            await live._send_json({"type": "code_running", "run_id": run_id})
            result: CodeRunResult = await runner.run(question_id, text)
            suite = self.suite(question_id)
            cases = result_cases(result, suite)
            message = {
                "type": "code_result",
                "run_id": run_id,
                "question_id": question_id,
                "attempt": attempt,
                "passed": result.passed,
                "failed": result.failed,
                "total": result.total,
                "cases": cases,
                "stdout": cut_output(result.stdout or ""),
                "stderr": cut_output(result.stderr or ""),
                "limits_hit": result.limits_hit,
                "error": result.error,
                "seconds": round(float(result.seconds), 3),
                "at_ms": at_ms,
            }
            await self._store_run(message, text)
            await live._send_json(message)
            log.info(
                "session %s code run %d: %d/%d passed, limit %s, %.2f s",
                live.row.id if live.row else "-",
                run_id,
                result.passed,
                result.total,
                result.limits_hit,
                result.seconds,
            )
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("code run failed")
            await live._error(
                ProtocolError("internal", "your code could not be run (a server fault); try again")
            )
            return
        finally:
            self._running = False
        outcome = CodeOutcome.from_cases(
            question_id,
            cases,
            at_ms=at_ms,
            limits_hit=result.limits_hit,
            error=result.error,
            passed=result.passed,
            total=result.total,
        )
        live._spawn(
            live.svc.grader.run(PRIORITY_PARTIAL, self._regrade, question_id, attempt, outcome)
        )
        await self._react(outcome)

    async def _store_run(self, message: dict[str, Any], code: str) -> None:
        assert self.live.row is not None
        await asyncio.to_thread(
            self.live.svc.store.add_code_run,
            CodeRun(
                session_id=self.live.row.id,
                question_id=message["question_id"],
                attempt=message["attempt"],
                at_ms=message["at_ms"],
                code=code,
                passed=message["passed"],
                failed=message["failed"],
                total=message["total"],
                cases_json=json.dumps(message["cases"]),
                stdout=message["stdout"],
                stderr=message["stderr"],
                limits_hit=message["limits_hit"],
                error=message["error"],
                seconds=message["seconds"],
            ),
        )

    # -- the interviewer -------------------------------------------------------------------
    def _candidate_busy(self) -> bool:
        """The candidate is mid-answer (speaking, or their turn is being transcribed)."""
        seg = self.live.seg
        return bool(seg is not None and seg.in_turn) or bool(self.live._finishing)

    async def _react(self, outcome: CodeOutcome) -> None:
        """Let the interviewer say one line about the run: after the reply playing now, unless
        the candidate is talking, in which case the line becomes the next follow-up."""
        live = self.live
        while not self._candidate_busy() and live.speaking and live._reply_task is not None:
            await asyncio.wait([live._reply_task])
        async with live._turn_lock:
            engine = live.engine
            if engine is None or live._closed or live._ended_reason is not None:
                return
            busy = self._candidate_busy() or live.speaking
            reply = engine.on_code_result(outcome, candidate_talking=busy)
            await live._save_state()
            if reply is not None:
                live._start_reply(reply)

    # -- grading ---------------------------------------------------------------------------
    def combine(self, question_id: str, attempt: int, result: ScoreResult) -> ScoreResult:
        """A grading of a coding answer combined with the latest run of that attempt (worker
        thread; unchanged for questions without a test suite)."""
        if self.suite(question_id) is None or self.live.row is None:
            return result
        run = self.live.svc.store.latest_code_run(self.live.row.id, question_id, attempt)
        return combine(result, outcome_of(run) if run is not None else None)

    def _regrade(self, question_id: str, attempt: int, outcome: CodeOutcome) -> None:
        """After a run, the stored grading of that attempt (if any) takes the new test
        results; the narration part is kept as graded (grader worker thread, so it never
        interleaves with a grading of an answer)."""
        assert self.live.row is not None
        store = self.live.svc.store
        stored = next(
            (
                s
                for s in store.list_scores(self.live.row.id)
                if s.question_id == question_id and s.attempt == attempt
            ),
            None,
        )
        if stored is None:
            return
        result = combine(ScoreResult.from_json(json.loads(stored.result_json)), outcome)
        store.upsert_score(
            session_id=self.live.row.id,
            question_id=question_id,
            result=result.to_json(),
            attempt=attempt,
        )


def outcome_of(run: CodeRun) -> CodeOutcome:
    """A stored run as the grader sees it."""
    return CodeOutcome.from_cases(
        run.question_id,
        json.loads(run.cases_json or "[]"),
        at_ms=run.at_ms,
        limits_hit=run.limits_hit,
        error=run.error,
        passed=run.passed,
        total=run.total,
    )
