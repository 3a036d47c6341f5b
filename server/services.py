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

from audio.stt import SpeechRecognizer, WhisperRecognizer
from audio.tts import PiperSynthesizer, SpeechSynthesizer
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
    node_id: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}")
    live: dict[str, object] = field(default_factory=dict)  # session id -> LiveSession, this node

    def close(self) -> None:
        self.stt.close()
        self.tts.close()
        self.grader.close()
        self.store.engine.dispose()


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
    if settings.warm_models:
        noise = (np.random.default_rng(0).standard_normal(16000) * 0.01).astype(np.float32)
        recognizer.recognize(noise, fast=True)
        synthesizer.synthesize("Ready.")
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
        follow_ups=make_follow_ups(
            bank,
            settings.anthropic_api_key,
            settings.anthropic_base_url,
            settings.anthropic_model,
            timeout_s=settings.llm_follow_up_timeout_s,
        ),
    )
    log.info(
        "models loaded in %.1f s (node %s, grading: %s)",
        time.perf_counter() - t0,
        services.node_id,
        "claude" if scorer is not local_scorer else "local",
    )
    return services
