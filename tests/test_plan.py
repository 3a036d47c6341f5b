"""Question planning from round, company profile and job description."""

from interviewer.bank import load_bank
from interviewer.plan import plan_questions

BANK = load_bank()


def rounds_of(ids):
    return [BANK.question(i).round for i in ids]


def test_loop_mix_follows_the_company_profile():
    ai_lab = plan_questions(BANK, round="loop", profile="ai_lab", seed=1)
    recsys = plan_questions(BANK, round="loop", profile="recsys_product", seed=1)
    assert rounds_of(ai_lab).count("coding") == 2
    assert rounds_of(recsys).count("system_design") == 2
    assert set(rounds_of(ai_lab)) == {"coding", "system_design", "ml_depth", "behavioral"}
    # AI labs favour from-scratch implementations
    kinds = [BANK.question(i).kind for i in ai_lab if BANK.question(i).round == "coding"]
    assert "ml_from_scratch" in kinds


def test_single_round_and_guide_questions_first():
    ids = plan_questions(BANK, round="behavioral", seed=3)
    assert len(ids) == 3 and set(rounds_of(ids)) == {"behavioral"}
    assert BANK.question(ids[0]).source == "guide"


def test_job_description_biases_the_questions():
    jd = "You will build our LLM features: RAG over internal docs, embeddings, retrieval."

    def rag_picked(job_description: str) -> int:
        return sum(
            "internal-docs-rag-assistant"
            in plan_questions(BANK, round="system_design", job_description=job_description, seed=s)
            for s in range(20)
        )

    assert rag_picked("") == 0  # the guide's own questions come first otherwise
    assert rag_picked(jd) >= 15


def test_planning_is_deterministic_for_a_seed():
    assert plan_questions(BANK, round="loop", seed=7) == plan_questions(BANK, round="loop", seed=7)
