"""Which questions an interview asks, in what order: from the round, company profile and an
optional job description. Deterministic for a given seed, so tests can pin it."""

from __future__ import annotations

import random
import re

from interviewer.bank import Bank, Question

LOOP_ROUNDS = ("coding", "system_design", "ml_depth", "behavioral")
QUESTIONS_PER_ROUND = 3


def _jd_weight(question: Question, jd_words: set[str]) -> float:
    if not jd_words:
        return 1.0
    hits = sum(1 for tag in question.tags if set(re.split(r"[-_ ]", tag.lower())) <= jd_words)
    return 1.0 + 1.5 * hits


def plan_questions(
    bank: Bank,
    *,
    round: str,
    profile: str = "big_tech",
    job_description: str = "",
    seed: int | None = None,
) -> list[str]:
    """Pick question ids: one per round for a loop, a few for a single round.

    The guide's own sample questions come first within a round; the company profile's tag
    weights and the job description's words bias the rest.
    """
    rng = random.Random(seed)
    prof = bank.profile(profile)
    jd_words = set(re.findall(r"[a-z0-9+#]+", job_description.lower()))
    if round == "loop":
        rounds = [r for r in LOOP_ROUNDS if prof.round_weights.get(r, 1.0) > 0]
        heaviest = max(prof.round_weights.get(r, 1.0) for r in rounds)
        # The profile's heaviest round gets a second question: coding at an AI lab or big
        # tech, system design at a recommendation-heavy product company.
        counts = {r: 2 if prof.round_weights.get(r, 1.0) == heaviest else 1 for r in rounds}
    else:
        rounds = [round]
        counts = {round: QUESTIONS_PER_ROUND}
    picked: list[str] = []
    for r in rounds:
        per_round = counts[r]
        pool = bank.questions(r)
        weights = [prof.tag_weight(q) * _jd_weight(q, jd_words) for q in pool]
        # Weighted order without replacement (Efraimidis-Spirakis keys).
        keyed = sorted(
            zip(pool, weights, strict=True),
            key=lambda qw: rng.random() ** (1.0 / max(qw[1], 1e-6)),
            reverse=True,
        )
        ordered = [q for q, _ in keyed]
        if not jd_words:
            ordered.sort(key=lambda q: q.source != "guide")  # stable: guide questions first
        picked += [q.id for q in ordered[:per_round]]
    return picked
