"""The long-lived things a server process holds: models, their workers, the store, the bank.

Built once in the app's lifespan (``load_services``) and handed to routes and live sessions.
Tests can build a ``Services`` with fakes instead.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from dataclasses import dataclass, field

import numpy as np

from audio.pcm import SAMPLE_RATE, int16_to_float
from audio.smart_turn import EndOfTurnModel, SmartTurn
from audio.stt import SpeechRecognizer, WhisperRecognizer
from audio.tts import PiperSynthesizer, SpeechSynthesizer, split_sentences
from coding.sandbox import CodeRunner, Limits
from interviewer.bank import Bank, load_bank
from interviewer.claude import ClaudeFollowUps, make_follow_ups, make_scorer
from interviewer.result import Scorer
from interviewer.scorer import LocalScorer
from server.config import Settings
from server.db import create_schema, make_engine
from server.inference import ModelWorker
from server.store import Store

log = logging.getLogger("coach.services")


@dataclass
class Services:
    settings: Settings
    store: Store
    bank: Bank
    recognizer: SpeechRecognizer
    synthesizer: SpeechSynthesizer
    stt: ModelWorker
    tts: ModelWorker
    local_scorer: Scorer
    scorer: Scorer  # Claude when a key is set, else the local scorer
    grader: ModelWorker
    follow_ups: ClaudeFollowUps | None = None  # Claude-worded follow-ups when a key is set
    code_runner: CodeRunner | None = None  # the sandbox for coding questions' test runs
    turn_model: EndOfTurnModel | None = None  # smart-turn, when installed and chosen
    turn: ModelWorker | None = None  # its worker: a pause is judged while whisper decodes
    node_id: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}")
    live: dict[str, object] = field(default_factory=dict)  # session id -> LiveSession, this node

    def close(self) -> None:
        if self.code_runner is not None:
            self.code_runner.close()
        self.stt.close()
        self.tts.close()
        if self.turn is not None:
            self.turn.close()
        self.grader.close()
        self.store.engine.dispose()


WARM_UP_TEXT = (
    "Now I would like you to explain in plain words how the model would be trained and tested "
    "and deployed and then kept healthy over the many months that follow its launch. "
    "Thanks, that is a good start; before we move on, tell me how you would evaluate the "
    "model offline, which metric you would pick, and why it matches what the business wants. "
    "Then walk me through how you would monitor it in production, what would make you "
    "retrain it, and how you would roll a new version out safely to a small share of users "
    "first. Take your time, and think aloud as you go, since I am most interested in how "
    "you reason about the trade-offs between latency, cost and accuracy here. And remember "
    "that the way you explain the reasoning behind each choice matters just as much as the "
    "final design that you end up with today."
)


def warm_up(services: Services) -> None:
    """Run each model once, on its own worker threads, at the largest size a session asks of it.

    Both runtimes (and the C allocator's per-thread arenas) keep the biggest buffers they have
    ever needed: a first decode of 28 s with the full beam, or a first sentence of the longest
    length, would otherwise grow the server's memory in the middle of an interview (measured:
    +260 MB over the first hundred sentences of random length). Paying it here keeps memory
    flat under load.
    """
    synth, rec = services.synthesizer, services.recognizer
    pieces: list[np.ndarray] = []
    for sentence in split_sentences(WARM_UP_TEXT):  # the longest piece comes first
        pieces.append(services.tts.call(synth.synthesize, sentence))
        if sum(p.size for p in pieces) >= 28 * SAMPLE_RATE:
            break
    audio = int16_to_float(np.concatenate(pieces)[: 28 * SAMPLE_RATE])  # the live buffer's cap
    for _ in range(services.settings.stt_workers):
        services.stt.call(rec.recognize, audio)
        services.stt.call(rec.recognize, audio[: 5 * SAMPLE_RATE], fast=True)


def load_turn_model(settings: Settings) -> EndOfTurnModel | None:
    """smart-turn v3 when chosen and installed; else None (pauses are judged by the words)."""
    if settings.end_of_turn != "smart_turn":
        return None
    try:
        return SmartTurn(threads=1)
    except (FileNotFoundError, ImportError) as exc:
        log.warning("end of turn judged by the words only: %s", exc)
        return None


def make_code_runner(settings: Settings) -> CodeRunner:
    """The node's sandbox for candidate code, with the limits from the settings."""
    limits = Limits(
        cpu_s=settings.code_cpu_s,
        wall_s=settings.code_wall_s,
        memory_mb=settings.code_memory_mb,
    )
    return CodeRunner(
        max_concurrent=settings.code_runs,
        limits=limits,
        suites_root=settings.rubrics_dir / "code",
        isolation=settings.code_isolation,
    )


def load_services(settings: Settings) -> Services:
    """Load the models once (offline, from the packages or the configured paths) and warm them."""
    t0 = time.perf_counter()
    engine = make_engine(settings.resolved_database_url)
    create_schema(engine)
    store = Store(engine)
    store.ensure_local_user()
    bank = load_bank(settings.rubrics_dir)
    recognizer = WhisperRecognizer(
        settings.whisper_model,
        device=settings.whisper_device,
        compute_type=settings.whisper_compute_type,
        cpu_threads=settings.whisper_threads,
        num_workers=settings.stt_workers,
    )
    synthesizer = PiperSynthesizer(
        settings.piper_voice, settings.piper_config, threads=settings.tts_threads
    )
    turn_model = load_turn_model(settings)
    local_scorer = LocalScorer(bank)
    scorer = make_scorer(
        bank,
        settings.anthropic_api_key,
        settings.anthropic_base_url,
        settings.anthropic_model,
        local_scorer,
    )
    services = Services(
        settings=settings,
        store=store,
        bank=bank,
        recognizer=recognizer,
        synthesizer=synthesizer,
        stt=ModelWorker("stt", settings.stt_workers),
        tts=ModelWorker("tts", settings.tts_workers),
        local_scorer=local_scorer,
        scorer=scorer,
        grader=ModelWorker("grader", 1),
        turn_model=turn_model,
        turn=ModelWorker("turn", 1) if turn_model is not None else None,
        follow_ups=make_follow_ups(
            bank,
            settings.anthropic_api_key,
            settings.anthropic_base_url,
            settings.anthropic_model,
            timeout_s=settings.llm_follow_up_timeout_s,
        ),
        code_runner=make_code_runner(settings),
    )
    if settings.warm_models:
        warm_up(services)
    log.info(
        "models loaded in %.1f s (node %s, grading: %s)",
        time.perf_counter() - t0,
        services.node_id,
        "claude" if scorer is not local_scorer else "local",
    )
    return services
