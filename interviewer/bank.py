"""The question bank: questions, rubric criteria, failure modes and company profiles.

The bank is plain TOML under ``rubrics/`` (see ``rubrics/README.md``)::

    rubrics/criteria.toml             [[criterion]]
    rubrics/failure_modes.toml        [[failure_mode]]
    rubrics/profiles.toml             [[profile]]
    rubrics/questions/<round>.toml    [[question]], one file per round in ROUNDS

``load_bank`` reads and validates all of it and returns an immutable ``Bank``. Every
problem is reported as a ``BankError`` naming the file and the field path, e.g.::

    rubrics/questions/coding.toml: question[3] (id 'kmeans-scratch').time_budget_s:
    expected a positive integer, got 'ten'

Nothing is read at import time.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, NoReturn, TypeVar

__all__ = [
    "CODING_KINDS",
    "ROUNDS",
    "SCORE_LEVELS",
    "SOURCES",
    "Bank",
    "BankError",
    "Concept",
    "Criterion",
    "Fact",
    "FailureMode",
    "Probe",
    "Profile",
    "Question",
    "UnknownIdError",
    "default_bank_dir",
    "load_bank",
    "normalise_transcript",
]

ROUNDS: tuple[str, ...] = ("coding", "system_design", "ml_depth", "behavioral", "star")
"""Round ids, in the order a full loop runs them."""

CODING_KINDS: tuple[str, ...] = ("algorithm", "ml_from_scratch")
"""Values of ``Question.kind`` (coding questions only)."""

SOURCES: tuple[str, ...] = ("guide", "bank")
"""``guide``: a sample question of the interview guide, verbatim; ``bank``: ours."""

SCORE_LEVELS: tuple[int, ...] = (0, 1, 2, 3, 4)
"""Rubric scores; every criterion has one anchor per level."""

DEFAULT_LEVEL = "L4 / IC3"

_SNAKE_ID = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
_KEBAB_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_TAG = _KEBAB_ID


class BankError(ValueError):
    """The bank on disk is invalid; the message names the file and the field path."""


class UnknownIdError(KeyError):
    """Lookup of an id the bank does not have (a ``KeyError`` with a readable message)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown id"


# --------------------------------------------------------------------------- types


def normalise_transcript(text: str) -> str:
    """Lower-case a transcript for phrase matching ("8%" becomes "8 percent")."""
    text = text.lower().replace("\u2019", "'").replace("%", " percent ")
    return " ".join(text.split())


@lru_cache(maxsize=4096)
def _phrase_pattern(phrase: str) -> re.Pattern[str]:
    return re.compile(r"(?<![a-z0-9])" + re.escape(phrase))


@dataclass(frozen=True)
class Concept:
    """One idea a good answer mentions, with the ways a candidate may say it aloud.

    ``phrases`` are lower case and include speech-recognition renderings
    ("k means", "k-means", "kmeans"). A phrase matches where it starts at a word
    boundary of the normalised transcript; it need not end at one, so a stem such as
    "initializ" matches "initialization" and "initialize".
    """

    name: str
    phrases: tuple[str, ...]

    def matched_phrases(self, text: str) -> tuple[str, ...]:
        """The phrases of this concept found in ``text`` (any case, raw or normalised)."""
        norm = normalise_transcript(text)
        return tuple(p for p in self.phrases if _phrase_pattern(p).search(norm))

    def matches(self, text: str) -> bool:
        """Whether any phrase of this concept occurs in ``text``."""
        return bool(self.matched_phrases(text))


@dataclass(frozen=True)
class Criterion:
    """A rubric criterion, scored 0-4 against concrete ``anchors``."""

    id: str
    name: str
    rounds: tuple[str, ...]
    description: str
    source: str
    anchors: tuple[str, str, str, str, str]
    """``anchors[score]`` describes an answer at that score (0-4)."""
    concepts: tuple[Concept, ...]
    probe: str
    """Generic follow-up asked when this criterion is missing from an answer."""
    missing: str
    """One line for feedback naming what was missing."""
    failure_mode: str | None = None
    """Id of the failure mode that the absence of this criterion amounts to."""

    def matched_concepts(self, text: str) -> tuple[Concept, ...]:
        """The concepts of this criterion mentioned in ``text``."""
        return tuple(c for c in self.concepts if c.matches(text))

    def anchor(self, score: int) -> str:
        """The anchor text for ``score`` (0-4)."""
        if score not in SCORE_LEVELS:
            raise ValueError(f"score must be one of {SCORE_LEVELS}, got {score!r}")
        return self.anchors[score]


@dataclass(frozen=True)
class FailureMode:
    """A way candidates fail the loop, in the guide's words, with the guide's fix."""

    id: str
    name: str
    guide_text: str
    fix: str


@dataclass(frozen=True)
class Fact:
    """A scenario fact the interviewer reveals when the candidate asks about ``topic``."""

    topic: str
    keywords: tuple[str, ...]
    """Lower-case phrases that signal the candidate is asking about this topic."""
    answer: str
    """What the interviewer says (one or two spoken sentences)."""


@dataclass(frozen=True)
class Probe:
    """A question-specific follow-up for when ``criterion`` is missing."""

    criterion: str
    text: str


@dataclass(frozen=True)
class Question:
    """One interview question and everything needed to run and score it."""

    id: str
    round: str
    prompt: str
    """What the interviewer says aloud."""
    source: str
    """``guide`` (verbatim sample question of the guide) or ``bank``."""
    kind: str | None
    """Coding only: ``algorithm`` or ``ml_from_scratch``; ``None`` elsewhere."""
    time_budget_s: int
    criteria: tuple[str, ...]
    """Criterion ids, in the order they matter for this question."""
    vocabulary: tuple[str, ...]
    """Terms likely to be said in the answer, to prime speech recognition."""
    tags: tuple[str, ...]
    """Skills and domains, for job-description and profile matching."""
    facts: tuple[Fact, ...] = ()
    probes: tuple[Probe, ...] = ()

    def probes_for(self, criterion_id: str) -> tuple[Probe, ...]:
        """This question's probes for one criterion (may be empty)."""
        return tuple(p for p in self.probes if p.criterion == criterion_id)


@dataclass(frozen=True)
class Profile:
    """A company profile: how a full loop is weighted at that kind of company."""

    id: str
    name: str
    description: str
    level: str
    round_weights: Mapping[str, float]
    """Round id -> relative weight (share of a full loop); absent rounds weigh 0."""
    tag_weights: Mapping[str, float]
    """Question tag (or coding kind) -> multiplier when picking questions; default 1."""
    criterion_weights: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    """Criterion id -> multiplier when aggregating scores; default 1."""
    companies: tuple[str, ...] = ()
    """Example companies the guide names for this profile."""

    def tag_weight(self, question: Question) -> float:
        """Product of the weights of the question's tags and coding kind (1.0 if none)."""
        weight = 1.0
        keys = (*question.tags, question.kind) if question.kind else question.tags
        for key in dict.fromkeys(keys):
            weight *= self.tag_weights.get(key, 1.0)
        return weight


_T = TypeVar("_T")


def _index(items: Iterable[_T], key: Callable[[_T], str]) -> Mapping[str, _T]:
    return MappingProxyType({key(item): item for item in items})


@dataclass(frozen=True)
class Bank:
    """The validated, immutable question bank."""

    criteria: tuple[Criterion, ...]
    failure_modes: tuple[FailureMode, ...]
    all_questions: tuple[Question, ...]
    """All questions, grouped by round in ``ROUNDS`` order, file order within a round."""
    profiles: tuple[Profile, ...]
    _criteria_by_id: Mapping[str, Criterion] = field(init=False, repr=False, compare=False)
    _questions_by_id: Mapping[str, Question] = field(init=False, repr=False, compare=False)
    _profiles_by_id: Mapping[str, Profile] = field(init=False, repr=False, compare=False)
    _failure_modes_by_id: Mapping[str, FailureMode] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_criteria_by_id", _index(self.criteria, lambda c: c.id))
        object.__setattr__(self, "_questions_by_id", _index(self.all_questions, lambda q: q.id))
        object.__setattr__(self, "_profiles_by_id", _index(self.profiles, lambda p: p.id))
        object.__setattr__(self, "_failure_modes_by_id", _index(self.failure_modes, lambda f: f.id))

    def question(self, id: str) -> Question:
        """The question with this id; ``UnknownIdError`` (a ``KeyError``) if none."""
        return _lookup(self._questions_by_id, id, "question")

    def questions(self, round: str | None = None) -> list[Question]:
        """All questions, or those of one round (``ValueError`` for an unknown round)."""
        if round is None:
            return list(self.all_questions)
        if round not in ROUNDS:
            raise ValueError(f"unknown round {round!r}; expected one of {', '.join(ROUNDS)}")
        return [q for q in self.all_questions if q.round == round]

    def criterion(self, id: str) -> Criterion:
        """The criterion with this id; ``UnknownIdError`` (a ``KeyError``) if none."""
        return _lookup(self._criteria_by_id, id, "criterion")

    def criteria_for(self, question: Question | str) -> list[Criterion]:
        """The criteria that apply to a question (or question id), in its order."""
        q = self.question(question) if isinstance(question, str) else question
        return [self.criterion(cid) for cid in q.criteria]

    def profile(self, id: str) -> Profile:
        """The company profile with this id; ``UnknownIdError`` if none."""
        return _lookup(self._profiles_by_id, id, "profile")

    def failure_mode(self, id: str) -> FailureMode:
        """The failure mode with this id; ``UnknownIdError`` if none."""
        return _lookup(self._failure_modes_by_id, id, "failure mode")

    def to_json(self, round: str | None = None) -> list[dict[str, Any]]:
        """Questions as JSON-ready dicts (for ``coach questions --json``).

        Each dict has the question's fields, with ``criteria`` expanded to
        ``{"id", "name", "missing"}`` objects and facts/probes as objects.
        """
        out: list[dict[str, Any]] = []
        for q in self.questions(round):
            out.append(
                {
                    "id": q.id,
                    "round": q.round,
                    "prompt": q.prompt,
                    "source": q.source,
                    "kind": q.kind,
                    "time_budget_s": q.time_budget_s,
                    "criteria": [
                        {"id": c.id, "name": c.name, "missing": c.missing}
                        for c in self.criteria_for(q)
                    ],
                    "vocabulary": list(q.vocabulary),
                    "tags": list(q.tags),
                    "facts": [
                        {"topic": f.topic, "keywords": list(f.keywords), "answer": f.answer}
                        for f in q.facts
                    ],
                    "probes": [{"criterion": p.criterion, "text": p.text} for p in q.probes],
                }
            )
        return out


def _lookup(index: Mapping[str, _T], id: str, what: str) -> _T:
    try:
        return index[id]
    except KeyError:
        close = difflib.get_close_matches(str(id), list(index), n=3)
        hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise UnknownIdError(f"unknown {what} id {id!r}{hint}") from None


# --------------------------------------------------------------------------- loading


def default_bank_dir() -> Path:
    """The repository's ``rubrics/`` directory."""
    return Path(__file__).resolve().parent.parent / "rubrics"


def load_bank(directory: Path | None = None) -> Bank:
    """Read and validate the bank under ``directory`` (default: ``default_bank_dir()``).

    Raises ``BankError`` naming the file and field path of the first problem found.
    """
    directory = Path(directory) if directory is not None else default_bank_dir()
    if not directory.is_dir():
        raise BankError(f"{directory}: bank directory not found")

    failure_modes = _load_failure_modes(directory)
    criteria = _load_criteria(directory, {f.id for f in failure_modes})
    questions = _load_questions(directory, criteria)
    tags_used = {t for q in questions for t in q.tags} | {q.kind for q in questions if q.kind}
    profiles = _load_profiles(directory, {c.id for c in criteria}, tags_used)
    return Bank(
        criteria=tuple(criteria),
        failure_modes=tuple(failure_modes),
        all_questions=tuple(questions),
        profiles=tuple(profiles),
    )


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    return repr(value)


class _Table:
    """A TOML table being validated; tracks which keys were read to reject unknown ones."""

    def __init__(self, file: str, path: str, data: Any) -> None:
        self.file = file
        self.path = path
        if not isinstance(data, dict):
            self.fail(f"expected a table, got {_describe(data)}")
        self.data: dict[str, Any] = data
        self.seen: set[str] = set()

    def fail(self, problem: str, key: str | None = None) -> NoReturn:
        where = self.path if key is None else (f"{self.path}.{key}" if self.path else key)
        prefix = f"{self.file}: {where}: " if where else f"{self.file}: "
        raise BankError(prefix + problem)

    def has(self, key: str) -> bool:
        return key in self.data

    def raw(self, key: str, *, required: bool = True) -> Any:
        self.seen.add(key)
        if key not in self.data:
            if required:
                self.fail("missing required field", key)
            return None
        return self.data[key]

    def string(
        self,
        key: str,
        *,
        pattern: re.Pattern[str] | None = None,
        choices: tuple[str, ...] | None = None,
        what: str = "",
    ) -> str:
        value = self.raw(key)
        return _check_string(self, key, value, pattern=pattern, choices=choices, what=what)

    def opt_string(
        self,
        key: str,
        *,
        pattern: re.Pattern[str] | None = None,
        choices: tuple[str, ...] | None = None,
        what: str = "",
    ) -> str | None:
        if not self.has(key):
            self.seen.add(key)
            return None
        return self.string(key, pattern=pattern, choices=choices, what=what)

    def strings(
        self,
        key: str,
        *,
        required: bool = True,
        min_items: int = 1,
        pattern: re.Pattern[str] | None = None,
        lower: bool = False,
        choices: tuple[str, ...] | None = None,
        what: str = "",
    ) -> tuple[str, ...]:
        value = self.raw(key, required=required)
        if value is None:
            return ()
        if not isinstance(value, list):
            self.fail(f"expected an array of strings, got {_describe(value)}", key)
        if len(value) < min_items:
            self.fail(f"expected at least {min_items} item(s), got {len(value)}", key)
        out: list[str] = []
        for i, item in enumerate(value):
            s = _check_string(
                self, f"{key}[{i}]", item, pattern=pattern, choices=choices, what=what
            )
            if lower and s != s.lower():
                self.fail(f"expected lower case, got {s!r}", f"{key}[{i}]")
            if s in out:
                self.fail(f"duplicate value {s!r}", f"{key}[{i}]")
            out.append(s)
        return tuple(out)

    def positive_int(self, key: str) -> int:
        value = self.raw(key)
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            self.fail(f"expected a positive integer, got {_describe(value)}", key)
        return value

    def table(self, key: str) -> _Table:
        value = self.raw(key)
        return _Table(self.file, f"{self.path}.{key}" if self.path else key, value)

    def tables(
        self, key: str, *, required: bool = True, min_items: int = 1, label: str | None = None
    ) -> list[_Table]:
        value = self.raw(key, required=required)
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(f"expected an array of tables, got {_describe(value)}", key)
        if len(value) < min_items:
            self.fail(f"expected at least {min_items} item(s), got {len(value)}", key)
        label = label or key
        out: list[_Table] = []
        for i, item in enumerate(value):
            item_path = f"{label}[{i}]"
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                item_path += f" (id {item['id']!r})"
            out.append(
                _Table(self.file, f"{self.path}.{item_path}" if self.path else item_path, item)
            )
        return out

    def weights(
        self, key: str, *, required: bool = True, allow_zero: bool = False
    ) -> dict[str, float]:
        if not required and not self.has(key):
            self.seen.add(key)
            return {}
        t = self.table(key)
        out: dict[str, float] = {}
        for k, v in t.data.items():
            t.seen.add(k)
            if (
                isinstance(v, bool)
                or not isinstance(v, int | float)
                or v < 0
                or (v == 0 and not allow_zero)
            ):
                expected = "a non-negative number" if allow_zero else "a positive number"
                t.fail(f"expected {expected}, got {_describe(v)}", k)
            out[k] = float(v)
        return out

    def finish(self) -> None:
        unknown = [k for k in self.data if k not in self.seen]
        if unknown:
            allowed = ", ".join(sorted(self.seen))
            self.fail(f"unknown key (allowed: {allowed})", unknown[0])


def _check_string(
    t: _Table,
    key: str,
    value: Any,
    *,
    pattern: re.Pattern[str] | None,
    choices: tuple[str, ...] | None,
    what: str,
) -> str:
    if not isinstance(value, str):
        t.fail(f"expected a string, got {_describe(value)}", key)
    if not value.strip():
        t.fail("expected a non-empty string", key)
    if value != value.strip():
        t.fail(f"leading or trailing whitespace in {value!r}", key)
    if choices is not None and value not in choices:
        t.fail(f"unknown {what or 'value'} {value!r}; expected one of {', '.join(choices)}", key)
    if pattern is not None and not pattern.match(value):
        t.fail(f"{value!r} is not a valid {what or 'value'}", key)
    return value


def _read_toml(directory: Path, relative: str, top_key: str) -> tuple[str, list[_Table]]:
    label = f"{directory.name}/{relative}"
    path = directory / relative
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise BankError(f"{label}: file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise BankError(f"{label}: invalid TOML: {exc}") from None
    root = _Table(label, "", data)
    tables = root.tables(top_key, min_items=1)
    root.finish()
    return label, tables


def _check_unique(t: _Table, kind: str, ident: str, where: dict[str, str]) -> None:
    if ident in where:
        t.fail(f"duplicate {kind} id {ident!r} (first defined at {where[ident]})", "id")
    where[ident] = f"{t.file}: {t.path}"


def _load_failure_modes(directory: Path) -> list[FailureMode]:
    _, tables = _read_toml(directory, "failure_modes.toml", "failure_mode")
    seen: dict[str, str] = {}
    out: list[FailureMode] = []
    for t in tables:
        fm = FailureMode(
            id=t.string("id", pattern=_SNAKE_ID, what="snake_case id"),
            name=t.string("name"),
            guide_text=t.string("guide_text"),
            fix=t.string("fix"),
        )
        t.finish()
        _check_unique(t, "failure mode", fm.id, seen)
        out.append(fm)
    return out


def _load_criteria(directory: Path, failure_mode_ids: set[str]) -> list[Criterion]:
    _, tables = _read_toml(directory, "criteria.toml", "criterion")
    seen: dict[str, str] = {}
    out: list[Criterion] = []
    for t in tables:
        cid = t.string("id", pattern=_SNAKE_ID, what="snake_case id")
        _check_unique(t, "criterion", cid, seen)
        rounds = t.strings("rounds", choices=ROUNDS, what="round")
        anchors_t = t.table("anchors")
        anchors = tuple(anchors_t.string(str(level)) for level in SCORE_LEVELS)
        anchors_t.finish()
        concepts: list[Concept] = []
        for ct in t.tables("concepts"):
            concept = Concept(name=ct.string("name"), phrases=ct.strings("phrases", lower=True))
            ct.finish()
            concepts.append(concept)
        criterion = Criterion(
            id=cid,
            name=t.string("name"),
            rounds=rounds,
            description=t.string("description"),
            source=t.string("source"),
            anchors=(anchors[0], anchors[1], anchors[2], anchors[3], anchors[4]),
            concepts=tuple(concepts),
            probe=t.string("probe"),
            missing=t.string("missing"),
            failure_mode=t.opt_string("failure_mode"),
        )
        if criterion.failure_mode is not None and criterion.failure_mode not in failure_mode_ids:
            t.fail(f"unknown failure mode {criterion.failure_mode!r}", "failure_mode")
        t.finish()
        out.append(criterion)
    return out


def _load_questions(directory: Path, criteria: list[Criterion]) -> list[Question]:
    qdir = directory / "questions"
    if not qdir.is_dir():
        raise BankError(f"{directory.name}/questions: directory not found")
    for path in sorted(qdir.iterdir()):
        if path.suffix == ".toml" and path.stem not in ROUNDS:
            raise BankError(
                f"{directory.name}/questions/{path.name}: unknown round {path.stem!r}; "
                f"expected one of {', '.join(ROUNDS)}"
            )
    by_id = {c.id: c for c in criteria}
    seen: dict[str, str] = {}
    out: list[Question] = []
    for round_id in ROUNDS:
        _, tables = _read_toml(directory, f"questions/{round_id}.toml", "question")
        for t in tables:
            out.append(_load_question(t, round_id, by_id, seen))
    return out


def _load_question(
    t: _Table, round_id: str, criteria: dict[str, Criterion], seen: dict[str, str]
) -> Question:
    qid = t.string("id", pattern=_KEBAB_ID, what="kebab-case id")
    _check_unique(t, "question", qid, seen)
    qround = t.string("round", choices=ROUNDS, what="round")
    if qround != round_id:
        t.fail(f"round {qround!r} does not match the file, which holds {round_id!r}", "round")
    if round_id == "coding":
        kind: str | None = t.string("kind", choices=CODING_KINDS, what="coding kind")
    else:
        if t.has("kind"):
            t.fail("only coding questions have a kind", "kind")
        kind = None
    ids = t.strings("criteria", pattern=_SNAKE_ID, what="criterion id")
    for i, cid in enumerate(ids):
        if cid not in criteria:
            t.fail(f"unknown criterion {cid!r}", f"criteria[{i}]")
        if round_id not in criteria[cid].rounds:
            t.fail(
                f"criterion {cid!r} does not apply to round {round_id!r} "
                f"(its rounds: {', '.join(criteria[cid].rounds)})",
                f"criteria[{i}]",
            )
    facts: list[Fact] = []
    for ft in t.tables("facts", required=False, min_items=0):
        facts.append(
            Fact(
                topic=ft.string("topic"),
                keywords=ft.strings("keywords", lower=True),
                answer=ft.string("answer"),
            )
        )
        ft.finish()
    probes: list[Probe] = []
    for pt in t.tables("probes"):
        crit = pt.string("criterion")
        if crit not in criteria:
            pt.fail(f"unknown criterion {crit!r}", "criterion")
        if crit not in ids:
            pt.fail(f"criterion {crit!r} is not in this question's criteria", "criterion")
        probes.append(Probe(criterion=crit, text=pt.string("text")))
        pt.finish()
    question = Question(
        id=qid,
        round=qround,
        prompt=t.string("prompt"),
        source=t.string("source", choices=SOURCES, what="source"),
        kind=kind,
        time_budget_s=t.positive_int("time_budget_s"),
        criteria=ids,
        vocabulary=t.strings("vocabulary"),
        tags=t.strings("tags", pattern=_TAG, what="kebab-case tag"),
        facts=tuple(facts),
        probes=tuple(probes),
    )
    t.finish()
    return question


def _load_profiles(directory: Path, criterion_ids: set[str], tags: set[str]) -> list[Profile]:
    _, tables = _read_toml(directory, "profiles.toml", "profile")
    seen: dict[str, str] = {}
    out: list[Profile] = []
    for t in tables:
        pid = t.string("id", pattern=_SNAKE_ID, what="snake_case id")
        _check_unique(t, "profile", pid, seen)
        round_weights = t.weights("round_weights", allow_zero=True)
        for r in round_weights:
            if r not in ROUNDS:
                t.fail(
                    f"unknown round {r!r}; expected one of {', '.join(ROUNDS)}",
                    f"round_weights.{r}",
                )
        if not any(round_weights.values()):
            t.fail("at least one round needs a positive weight", "round_weights")
        tag_weights = t.weights("tag_weights")
        for tag in tag_weights:
            if tag not in tags:
                t.fail(f"tag {tag!r} is not used by any question", f"tag_weights.{tag}")
        criterion_weights = t.weights("criterion_weights", required=False)
        for cid in criterion_weights:
            if cid not in criterion_ids:
                t.fail(f"unknown criterion {cid!r}", f"criterion_weights.{cid}")
        profile = Profile(
            id=pid,
            name=t.string("name"),
            description=t.string("description"),
            level=t.opt_string("level") or DEFAULT_LEVEL,
            round_weights=MappingProxyType(round_weights),
            tag_weights=MappingProxyType(tag_weights),
            criterion_weights=MappingProxyType(criterion_weights),
            companies=t.strings("companies", required=False),
        )
        t.finish()
        out.append(profile)
    return out
