"""Tests for the question bank (rubrics/) and its loader (interviewer/bank.py)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from interviewer.bank import (
    CODING_KINDS,
    ROUNDS,
    SCORE_LEVELS,
    Bank,
    BankError,
    default_bank_dir,
    load_bank,
    normalise_transcript,
)
from tests.conftest import SHARED

GUIDE = SHARED / "guide/ml-engineer-interview-guide.txt"


@pytest.fixture(scope="module")
def bank() -> Bank:
    return load_bank(default_bank_dir())


def guide_sample_questions() -> list[str]:
    """The guide's sample questions: the lines quoted in curly quotes, quotes stripped."""
    assert GUIDE.is_file(), f"interview guide not found at {GUIDE}"
    out = []
    for line in GUIDE.read_text(encoding="utf-8").splitlines():
        text = line.strip().removeprefix("- ").strip()
        if text.startswith("\u201c") and text.endswith("\u201d"):
            out.append(text[1:-1])
    return out


# ------------------------------------------------------------------ the real bank


def test_default_bank_dir_is_repo_rubrics() -> None:
    assert default_bank_dir() == Path(__file__).resolve().parents[1] / "rubrics"


def test_real_bank_loads_with_enough_questions(bank: Bank) -> None:
    assert len(bank.questions()) >= 40
    minimum = {"coding": 10, "system_design": 9, "ml_depth": 9, "behavioral": 7, "star": 6}
    for round_id in ROUNDS:
        assert len(bank.questions(round_id)) >= minimum[round_id], round_id


def test_guide_sample_questions_are_present_verbatim(bank: Bank) -> None:
    samples = guide_sample_questions()
    assert len(samples) == 9
    prompts = {q.prompt: q for q in bank.questions()}
    for sample in samples:
        assert sample in prompts, f"guide question missing or not verbatim: {sample!r}"
        assert prompts[sample].source == "guide"
    guide_sourced = {q.prompt for q in bank.questions() if q.source == "guide"}
    assert guide_sourced == set(samples)


def test_guide_questions_are_in_the_expected_rounds(bank: Bank) -> None:
    by_round = {r: sum(q.source == "guide" for q in bank.questions(r)) for r in ROUNDS}
    assert by_round == {"coding": 2, "system_design": 3, "ml_depth": 1, "behavioral": 3, "star": 0}


def test_every_question_has_criteria_probes_vocabulary_and_tags(bank: Bank) -> None:
    for q in bank.questions():
        assert q.criteria and q.probes and q.vocabulary and q.tags, q.id
        assert {p.criterion for p in q.probes} <= set(q.criteria), q.id
        for c in bank.criteria_for(q):
            assert q.round in c.rounds, (q.id, c.id)


def test_prompts_are_plain_spoken_text(bank: Bank) -> None:
    for q in bank.questions():
        assert not re.search(r"[*`#\[\]_{}<>|]", q.prompt), q.id
        assert q.prompt[-1] in ".?", q.id
        for p in q.probes:
            assert not re.search(r"[*`#\[\]_{}<>|]", p.text), (q.id, p.text)


def test_system_design_questions_reveal_traffic_and_latency(bank: Bank) -> None:
    for q in bank.questions("system_design"):
        topics = {f.topic for f in q.facts}
        assert {"traffic", "latency"} <= topics, q.id
        assert len(q.facts) >= 5, q.id
        assert "labels" in topics or "ml-platform" in q.tags, q.id


def test_facts_are_short_spoken_answers(bank: Bank) -> None:
    for q in bank.questions():
        for f in q.facts:
            assert f.keywords, (q.id, f.topic)
            assert len(f.answer) <= 300, (q.id, f.topic)
            assert len(re.findall(r"[.?!](\s|$)", f.answer)) <= 2, (q.id, f.topic)


def test_coding_questions_have_a_kind_and_cover_the_guide_algorithms(bank: Bank) -> None:
    coding = bank.questions("coding")
    assert all(q.kind in CODING_KINDS for q in coding)
    assert all(q.kind is None for q in bank.questions() if q.round != "coding")
    kinds = [q.kind for q in coding]
    assert kinds.count("ml_from_scratch") >= 4 and kinds.count("algorithm") >= 4
    for qid in (
        "kmeans-from-scratch",
        "gradient-descent-linear-regression",
        "two-layer-network-forward-backward",
        "streaming-dataloader-class-imbalance",
    ):
        assert bank.question(qid).kind == "ml_from_scratch"


def test_canonical_system_design_and_depth_questions_exist(bank: Bank) -> None:
    for qid in (
        "home-feed-recommendations",
        "fraud-detection-50ms",
        "feature-store-50-engineers",
        "marketplace-search-ranking",
        "ads-ctr-prediction",
    ):
        assert bank.question(qid).round == "system_design"
    assert bank.question("offline-auc-online-random").round == "ml_depth"


def test_kmeans_probes_ask_about_empty_clusters(bank: Bank) -> None:
    q = bank.question("kmeans-from-scratch")
    texts = [p.text for p in q.probes_for("code_degenerate_cases")]
    assert "How would you handle empty clusters?" in texts


def test_time_budgets_are_realistic(bank: Bank) -> None:
    ranges = {
        "coding": (900, 1800),
        "system_design": (2100, 2700),
        "ml_depth": (600, 900),
        "behavioral": (300, 480),
        "star": (300, 480),
    }
    for q in bank.questions():
        low, high = ranges[q.round]
        assert low <= q.time_budget_s <= high, q.id


REQUIRED_CRITERIA = {
    "sd_data_first",
    "sd_labels",
    "sd_training_pipeline",
    "sd_serving_latency",
    "sd_monitoring",
    "sd_retraining",
    "sd_online_offline_parity",
    "sd_model_choice",
    "sd_scale_estimation",
    "sd_rollout_experimentation",
    "code_correctness",
    "code_complexity",
    "code_initialisation",
    "code_degenerate_cases",
    "code_hyperparameter_choice",
    "code_numerical_stability",
    "code_convergence",
    "code_class_imbalance",
    "code_edge_cases_tests",
    "beh_what_shipped",
    "beh_online_metric",
    "beh_post_launch_issue",
    "beh_change_made",
    "beh_ownership",
    "star_situation",
    "star_task",
    "star_action",
    "star_result",
    "star_quantified_result",
    "depth_concept_correctness",
    "depth_tradeoffs",
    "depth_debugging_method",
    "depth_training_serving_skew",
    "depth_leakage",
    "depth_label_delay",
    "depth_feature_freshness",
}


def test_required_criteria_exist_and_are_used(bank: Bank) -> None:
    ids = {c.id for c in bank.criteria}
    assert not REQUIRED_CRITERIA - ids, sorted(REQUIRED_CRITERIA - ids)
    used = {cid for q in bank.questions() for cid in q.criteria}
    assert ids == used, f"criteria no question uses: {sorted(ids - used)}"


def test_criteria_are_complete(bank: Bank) -> None:
    for c in bank.criteria:
        assert len(c.anchors) == len(SCORE_LEVELS)
        assert len(set(c.anchors)) == len(SCORE_LEVELS), c.id
        assert c.concepts, c.id
        for concept in c.concepts:
            assert len(concept.phrases) >= 2, (c.id, concept.name)
            assert all(p == p.lower() for p in concept.phrases)
        assert c.probe[-1] in ".?" and c.missing, c.id


def test_failure_modes_are_the_guides_and_linked(bank: Bank) -> None:
    ids = {f.id for f in bank.failure_modes}
    assert {
        "model_only_system_design",
        "silent_ml_reasoning_in_coding",
        "stories_stop_at_offline_metrics",
    } <= ids
    linked = {c.failure_mode for c in bank.criteria if c.failure_mode}
    assert linked == ids
    guide = GUIDE.read_text(encoding="utf-8")
    for fm in bank.failure_modes:
        # The first sentence of each guide_text is quoted from the guide.
        assert fm.guide_text.split(". ")[0] in guide, fm.id
    assert bank.criterion("sd_data_first").failure_mode == "model_only_system_design"
    assert bank.criterion("code_degenerate_cases").failure_mode == "silent_ml_reasoning_in_coding"
    assert bank.criterion("beh_online_metric").failure_mode == "stories_stop_at_offline_metrics"


def test_profiles(bank: Bank) -> None:
    assert {p.id for p in bank.profiles} == {"big_tech", "ai_lab", "recsys_product"}
    for p in bank.profiles:
        assert p.level == "L4 / IC3"
        assert set(p.round_weights) <= set(ROUNDS)
    ai_lab, recsys = bank.profile("ai_lab"), bank.profile("recsys_product")
    assert ai_lab.tag_weights["ml_from_scratch"] > 1
    assert ai_lab.tag_weight(bank.question("kmeans-from-scratch")) > ai_lab.tag_weight(
        bank.question("merge-busy-intervals")
    )
    assert recsys.round_weights["system_design"] == max(recsys.round_weights.values())
    assert recsys.tag_weight(bank.question("home-feed-recommendations")) > 1
    assert recsys.tag_weight(bank.question("harmful-content-detection")) == 1


# ------------------------------------------------------------------ API


def test_lookups_and_unknown_ids(bank: Bank) -> None:
    q = bank.question("kmeans-from-scratch")
    assert q.round == "coding"
    assert [c.id for c in bank.criteria_for(q)] == list(q.criteria)
    assert bank.criteria_for("kmeans-from-scratch") == bank.criteria_for(q)
    with pytest.raises(KeyError, match="unknown question id 'kmeans'"):
        bank.question("kmeans")
    with pytest.raises(KeyError, match="unknown criterion id"):
        bank.criterion("nope")
    with pytest.raises(KeyError, match="unknown profile id"):
        bank.profile("startup")
    with pytest.raises(ValueError, match="unknown round"):
        bank.questions("design")


def test_to_json_filters_by_round_and_is_serialisable(bank: Bank) -> None:
    everything = bank.to_json()
    assert len(everything) == len(bank.questions())
    coding = bank.to_json(round="coding")
    assert coding and {d["round"] for d in coding} == {"coding"}
    assert len(coding) == len(bank.questions("coding"))
    first = coding[0]
    assert first["criteria"][0]["name"] == bank.criterion(first["criteria"][0]["id"]).name
    assert {"id", "prompt", "time_budget_s", "vocabulary", "tags", "facts", "probes"} <= set(first)
    json.dumps(everything)


def test_concept_matching_on_spoken_text(bank: Bank) -> None:
    crit = bank.criterion("code_initialisation")
    said = "I'd initialise with K means plus plus, because of local minima, and fix the seed."
    names = {c.name for c in crit.matched_concepts(said)}
    assert names == {"initialisation method", "why it matters", "restarts and seeds"}
    assert not bank.criterion("code_degenerate_cases").matched_concepts("the financial team")
    assert normalise_transcript("Cut  8%") == "cut 8 percent"


# ------------------------------------------------------------------ validation errors


@pytest.fixture
def bank_dir(tmp_path: Path) -> Path:
    dst = tmp_path / "rubrics"
    shutil.copytree(default_bank_dir(), dst)
    return dst


def edit(path: Path, pattern: str, repl: str) -> None:
    text = path.read_text(encoding="utf-8")
    new, n = re.subn(pattern, repl, text, count=1, flags=re.MULTILINE)
    assert n == 1, f"pattern {pattern!r} not found in {path}"
    path.write_text(new, encoding="utf-8")


def edit_question(path: Path, index: int, pattern: str, repl: str) -> None:
    """Apply one regex substitution inside the index-th [[question]] of a file."""
    head, *blocks = path.read_text(encoding="utf-8").split("\n[[question]]\n")
    new, n = re.subn(pattern, repl, blocks[index], count=1, flags=re.MULTILINE)
    assert n == 1, f"pattern {pattern!r} not found in question {index} of {path}"
    blocks[index] = new
    path.write_text("\n[[question]]\n".join([head, *blocks]), encoding="utf-8")


def load_error(directory: Path) -> str:
    with pytest.raises(BankError) as info:
        load_bank(directory)
    return str(info.value)


def test_bad_type_names_file_and_field(bank: Bank, bank_dir: Path) -> None:
    qid = bank.questions("coding")[3].id
    edit_question(
        bank_dir / "questions/coding.toml", 3, r"^time_budget_s = \d+$", 'time_budget_s = "ten"'
    )
    assert load_error(bank_dir) == (
        f"rubrics/questions/coding.toml: question[3] (id '{qid}').time_budget_s: "
        "expected a positive integer, got 'ten'"
    )


def test_unknown_round_in_question(bank: Bank, bank_dir: Path) -> None:
    qid = bank.questions("ml_depth")[0].id
    edit_question(
        bank_dir / "questions/ml_depth.toml", 0, r'^round = "ml_depth"$', 'round = "ml_breadth"'
    )
    msg = load_error(bank_dir)
    assert msg.startswith(f"rubrics/questions/ml_depth.toml: question[0] (id '{qid}').round: ")
    assert "unknown round 'ml_breadth'" in msg


def test_unknown_round_file(bank_dir: Path) -> None:
    shutil.copy(bank_dir / "questions/star.toml", bank_dir / "questions/design.toml")
    assert load_error(bank_dir).startswith("rubrics/questions/design.toml: unknown round 'design'")


def test_unknown_round_in_criterion(bank: Bank, bank_dir: Path) -> None:
    cid = bank.criteria[0].id
    edit(bank_dir / "criteria.toml", r'^rounds = \["system_design"\]$', 'rounds = ["design"]')
    msg = load_error(bank_dir)
    assert msg.startswith(f"rubrics/criteria.toml: criterion[0] (id '{cid}').rounds[0]: ")
    assert "unknown round 'design'" in msg


def test_question_in_wrong_round_file(bank: Bank, bank_dir: Path) -> None:
    edit_question(bank_dir / "questions/star.toml", 0, r'^round = "star"$', 'round = "behavioral"')
    msg = load_error(bank_dir)
    assert "rubrics/questions/star.toml: question[0]" in msg
    assert ".round: round 'behavioral' does not match the file" in msg


def test_missing_anchor(bank: Bank, bank_dir: Path) -> None:
    cid = bank.criteria[0].id
    edit(bank_dir / "criteria.toml", r'^"3" = .*\n', "")
    assert load_error(bank_dir) == (
        f"rubrics/criteria.toml: criterion[0] (id '{cid}').anchors.3: missing required field"
    )


def test_unknown_criterion_reference_in_question(bank: Bank, bank_dir: Path) -> None:
    qid = bank.questions("coding")[0].id
    edit_question(
        bank_dir / "questions/coding.toml",
        0,
        r'^criteria = \["[a-z_]+"',
        'criteria = ["code_telepathy"',
    )
    assert load_error(bank_dir) == (
        f"rubrics/questions/coding.toml: question[0] (id '{qid}').criteria[0]: "
        "unknown criterion 'code_telepathy'"
    )


def test_unknown_criterion_reference_in_probe(bank: Bank, bank_dir: Path) -> None:
    qid = bank.questions("system_design")[1].id
    edit_question(
        bank_dir / "questions/system_design.toml",
        1,
        r'^criterion = "[a-z_]+"$',
        'criterion = "sd_vibes"',
    )
    assert load_error(bank_dir) == (
        f"rubrics/questions/system_design.toml: question[1] (id '{qid}').probes[0].criterion: "
        "unknown criterion 'sd_vibes'"
    )


def test_criterion_from_another_round_is_rejected(bank: Bank, bank_dir: Path) -> None:
    edit_question(
        bank_dir / "questions/coding.toml",
        0,
        r'^criteria = \["[a-z_]+"',
        'criteria = ["sd_monitoring"',
    )
    msg = load_error(bank_dir)
    assert "rubrics/questions/coding.toml: question[0]" in msg
    assert "criterion 'sd_monitoring' does not apply to round 'coding'" in msg


def test_unknown_criterion_reference_in_profile(bank_dir: Path) -> None:
    edit(bank_dir / "profiles.toml", r"^code_correctness = 1\.3$", "code_telepathy = 1.3")
    assert load_error(bank_dir) == (
        "rubrics/profiles.toml: profile[0] (id 'big_tech').criterion_weights.code_telepathy: "
        "unknown criterion 'code_telepathy'"
    )


def test_unknown_tag_in_profile(bank_dir: Path) -> None:
    edit(bank_dir / "profiles.toml", r"^algorithms = 1\.5$", "quantum = 1.5")
    msg = load_error(bank_dir)
    assert msg.startswith("rubrics/profiles.toml: profile[0] (id 'big_tech').tag_weights.quantum")


def test_unknown_failure_mode_reference(bank_dir: Path) -> None:
    edit(
        bank_dir / "criteria.toml",
        r'^failure_mode = "model_only_system_design"$',
        'failure_mode = "model_only"',
    )
    msg = load_error(bank_dir)
    assert msg.startswith("rubrics/criteria.toml: criterion[1] (id 'sd_data_first').failure_mode")
    assert "unknown failure mode 'model_only'" in msg


def test_duplicate_question_id_across_files(bank: Bank, bank_dir: Path) -> None:
    first = bank.questions("coding")[0].id
    edit_question(bank_dir / "questions/star.toml", 0, r'^id = "[a-z0-9-]+"$', f'id = "{first}"')
    msg = load_error(bank_dir)
    assert msg.startswith(f"rubrics/questions/star.toml: question[0] (id '{first}').id: ")
    assert f"duplicate question id '{first}'" in msg
    assert "rubrics/questions/coding.toml: question[0]" in msg


def test_duplicate_criterion_id(bank: Bank, bank_dir: Path) -> None:
    first, second = bank.criteria[0].id, bank.criteria[1].id
    edit(bank_dir / "criteria.toml", rf'^id = "{second}"$', f'id = "{first}"')
    msg = load_error(bank_dir)
    assert msg.startswith(f"rubrics/criteria.toml: criterion[1] (id '{first}').id: ")
    assert "duplicate criterion id" in msg


def test_toml_syntax_error_names_the_file(bank_dir: Path) -> None:
    edit_question(
        bank_dir / "questions/behavioral.toml", 2, r"^time_budget_s = ", "time_budget_s == "
    )
    msg = load_error(bank_dir)
    assert msg.startswith("rubrics/questions/behavioral.toml: invalid TOML: ")
    assert "line" in msg


def test_unknown_key_is_rejected(bank: Bank, bank_dir: Path) -> None:
    qid = bank.questions("star")[0].id
    edit_question(
        bank_dir / "questions/star.toml", 0, r"^(time_budget_s = \d+)$", r"\1\ndifficulty = 3"
    )
    msg = load_error(bank_dir)
    assert msg.startswith(f"rubrics/questions/star.toml: question[0] (id '{qid}').difficulty: ")
    assert "unknown key" in msg


def test_kind_only_on_coding_questions(bank_dir: Path) -> None:
    edit_question(
        bank_dir / "questions/ml_depth.toml",
        0,
        r"^(time_budget_s = \d+)$",
        r'\1\nkind = "algorithm"',
    )
    assert ".kind: only coding questions have a kind" in load_error(bank_dir)


def test_empty_string_and_missing_field(bank_dir: Path) -> None:
    edit_question(bank_dir / "questions/behavioral.toml", 0, r"^prompt = .*$", 'prompt = "  "')
    assert ".prompt: expected a non-empty string" in load_error(bank_dir)


def test_missing_required_field(bank_dir: Path) -> None:
    edit_question(bank_dir / "questions/behavioral.toml", 1, r"^vocabulary = .*\n", "")
    assert ".vocabulary: missing required field" in load_error(bank_dir)


def test_missing_file(bank_dir: Path) -> None:
    (bank_dir / "failure_modes.toml").unlink()
    assert load_error(bank_dir) == "rubrics/failure_modes.toml: file not found"


def test_uppercase_phrase_is_rejected(bank_dir: Path) -> None:
    edit(bank_dir / "criteria.toml", r'"clarify", ', '"Clarify", ')
    msg = load_error(bank_dir)
    assert "concepts[0].phrases[0]: expected lower case, got 'Clarify'" in msg
