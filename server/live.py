"""One live interview over one WebSocket: the orchestrator.

The reader loop (``run``) takes messages off the socket; audio frames go through the turn
segmenter and into the incremental transcriber inline (microseconds a frame). Decodes, turn
endings and replies run as tasks; models run on their workers, never on the event loop.
Barge-in is plain cancellation of the reply task plus a ``stop_playback`` event.

Nothing is held only in memory past a turn: turns, the interviewer's state and both audio
tracks are written as the session goes, so any node can resume or replay it.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import logging
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from fastapi import WebSocket
from starlette.websockets import WebSocketDisconnect, WebSocketState

from audio.endpoint import completion_hint
from audio.incremental import (
    ClosedTurn,
    Corrector,
    DecodeJob,
    IncrementalTranscriber,
    TimedWord,
    Utterance,
)
from audio.pcm import FRAME_MS, SAMPLE_RATE, int16_to_float, samples_to_ms
from audio.segmenter import (
    SegmenterConfig,
    SpeechPaused,
    SpeechResumed,
    SpeechStarted,
    TurnEnded,
    TurnEvent,
    TurnSegmenter,
)
from audio.smart_turn import WINDOW_S
from audio.track import TrackWriter
from audio.tts import split_sentences
from audio.vad import webrtc_classifier
from audio.vocabulary import VocabularyCorrector
from interviewer.bank import Question
from interviewer.engine import Answer, EngineState, InterviewerEngine, Reply
from interviewer.plan import plan_questions
from interviewer.result import AnswerTranscript, Scorer, ScoreResult
from server import protocol
from server.code_session import CodeWorkspace
from server.inference import (
    PRIORITY_FINAL,
    PRIORITY_PARTIAL,
    PRIORITY_PAUSE,
    PRIORITY_REVISE,
    PRIORITY_SPEECH,
)
from server.models import InterviewSession, Turn, utcnow
from server.protocol import (
    Code,
    EndTurn,
    Ping,
    ProtocolError,
    Resume,
    Retry,
    RunCode,
    Start,
    Stop,
)
from server.services import Services

log = logging.getLogger("coach.live")

SEND_CHUNK_BYTES = 3200  # 100 ms of interviewer audio per binary message
HEARTBEAT_MS = 10_000
STALE_HEARTBEAT_S = 30.0
RELEASE_WAIT_S = 60.0  # a resume waits this long for the dropped connection to store its turn


JUDGE_MAX_QUEUE = 4  # smart-turn jobs waiting node-wide past which a pause is not judged


@dataclass(frozen=True)
class _AnsweredTurn:
    """An answer the engine has replied to, with the engine's state from before the reply."""

    text: str
    start_ms: int
    engine_before: dict


class _Closed(Exception):
    """The socket is gone or the session has ended; stop reading."""


class LiveSession:
    def __init__(self, ws: WebSocket, services: Services, user_id: str) -> None:
        self.ws = ws
        self.svc = services
        self.settings = services.settings
        self.user_id = user_id
        self.row: InterviewSession | None = None
        self.engine: InterviewerEngine | None = None
        self.seg: TurnSegmenter | None = None
        self.tx: IncrementalTranscriber | None = None
        self.cand_track: TrackWriter | None = None
        self.itv_track: TrackWriter | None = None
        self.code = CodeWorkspace(self)  # editor snapshots and test runs (coding questions)
        self._send_lock = asyncio.Lock()
        self._clock_tick = asyncio.Event()
        self._decode_lock = asyncio.Lock()
        self._shut_down = False
        self._judging = False  # a smart-turn verdict is pending for this session
        # the pause decode in flight, if any: the end of turn reuses it rather than decode the
        # same audio again behind it (with a short hangover the turn often ends first)
        self._pause_decode: tuple[DecodeJob, asyncio.Future[list]] | None = None
        self._turn_lock = asyncio.Lock()
        self._tasks: set[asyncio.Task] = set()
        self._finishing: set[asyncio.Task] = set()
        self._reply_task: asyncio.Task | None = None
        self._reply_id = 0
        self._turn_index = 0
        self._turn_started_while_speaking = False
        self._barged_in = False
        self._last_partial_ms = 0
        self._last_heartbeat_ms = 0
        self._last_overload_notice = 0.0
        self._ended_reason: str | None = None
        self._closed = False
        # set once _shutdown has stored everything and released the session: a resume that
        # arrives meanwhile (a dropped network, a reload) waits for it instead of "busy"
        self._released = asyncio.Event()
        self._releasing = False
        self._turn_onset_ms = 0
        self._reply_start_ms = 0
        self._reply_answers: _AnsweredTurn | None = None  # the answer the current reply is for
        self._continuation: _AnsweredTurn | None = None  # an answer the candidate went on with
        self._listening_since_ms: int | None = None  # when the interviewer last finished

    # -- entry point ---------------------------------------------------------------------
    async def run(self) -> None:
        try:
            if await self._handshake():
                await self._read_loop()
        except _Closed:
            pass
        except Exception:
            log.exception("live session failed")
            await self._send_json(
                ProtocolError(
                    "internal", "server error; what you said so far is saved", True
                ).to_json()
            )
        finally:
            await self._shutdown()

    # -- sending -------------------------------------------------------------------------
    async def _send_json(self, obj: dict) -> None:
        if self._closed:
            return
        try:
            async with self._send_lock:
                await self.ws.send_text(json.dumps(obj))
        except (WebSocketDisconnect, RuntimeError, OSError):
            self._closed = True

    async def _send_bytes(self, data: bytes) -> None:
        if self._closed:
            return
        try:
            async with self._send_lock:
                await self.ws.send_bytes(data)
        except (WebSocketDisconnect, RuntimeError, OSError):
            self._closed = True

    async def _error(self, err: ProtocolError) -> None:
        await self._send_json(err.to_json())

    async def _receive(self, timeout: float) -> dict:
        try:
            msg = await asyncio.wait_for(self.ws.receive(), timeout)
        except TimeoutError:
            raise
        except (WebSocketDisconnect, RuntimeError) as exc:
            raise _Closed from exc
        if msg["type"] == "websocket.disconnect":
            self._closed = True
            raise _Closed
        return msg

    # -- handshake -----------------------------------------------------------------------
    async def _handshake(self) -> bool:
        deadline = time.monotonic() + self.settings.start_timeout_s
        while True:
            remaining = deadline - time.monotonic()
            try:
                if remaining <= 0:
                    raise TimeoutError
                msg = await self._receive(remaining)
            except TimeoutError:
                await self._error(
                    ProtocolError(
                        "timeout",
                        f"no 'start' or 'resume' message within "
                        f"{self.settings.start_timeout_s:g} s",
                        fatal=True,
                    )
                )
                await self._close(1008)
                return False
            if msg.get("bytes") is not None:
                await self._error(ProtocolError("not_started", "send 'start' before audio"))
                continue
            parsed = protocol.parse_text(msg.get("text") or "")
            match parsed:
                case ProtocolError(fatal=True):
                    await self._error(parsed)
                    await self._close(1002)
                    return False
                case ProtocolError():
                    await self._error(parsed)
                case Start():
                    await self._open_new(parsed)
                    return True
                case Resume():
                    if await self._open_resumed(parsed):
                        return True
                case Ping(id=ping_id):
                    await self._send_json({"type": "pong", "id": ping_id})
                case _:
                    await self._error(ProtocolError("not_started", "send 'start' first"))

    async def _open_new(self, start: Start) -> None:
        svc = self.svc
        ids = plan_questions(
            svc.bank,
            round=start.round,
            profile=start.profile,
            job_description=start.job_description,
        )
        engine = InterviewerEngine(
            {q.id: q for q in svc.bank.questions()}, EngineState(ids), start.round, start.mode
        )
        row = await asyncio.to_thread(
            svc.store.create_session,
            user_id=self.user_id,
            round=start.round,
            mode=start.mode,
            profile=start.profile,
            job_description=start.job_description,
            engine_state=engine.snapshot(),
        )
        await self._attach(row, engine)
        log.info("session %s started (round=%s)", row.id, start.round)
        await self._ready(resumed=False)
        self._start_reply(engine.opening())

    async def _open_resumed(self, resume: Resume) -> bool:
        svc = self.svc
        previous = svc.live.get(resume.session_id)
        if previous is not None and previous._releasing and previous.user_id == self.user_id:
            # The last connection dropped and is still storing its last turn on this node.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(previous._released.wait(), RELEASE_WAIT_S)
        row = await asyncio.to_thread(svc.store.get_session, resume.session_id)
        if row is None:
            await self._error(ProtocolError("not_found", "no such session; send 'start'"))
            return False
        if row.user_id != self.user_id:
            await self._error(ProtocolError("forbidden", "that session belongs to another user"))
            return False
        fresh = row.live_heartbeat and (utcnow() - row.live_heartbeat).total_seconds() < (
            STALE_HEARTBEAT_S
        )
        if row.id in svc.live or (row.status == "active" and row.live_node and fresh):
            await self._error(
                ProtocolError("busy", "this session is live on another connection", fatal=True)
            )
            await self._close(1008)
            raise _Closed
        questions = {q.id: q for q in svc.bank.questions()}
        state = json.loads(row.engine_state or "{}")
        if not set(state.get("question_ids", [])) <= questions.keys() or not state:
            # No usable snapshot (or the bank changed under it): plan the interview again.
            ids = plan_questions(
                svc.bank, round=row.round, profile=row.profile, job_description=row.job_description
            )
            state = {"question_ids": ids, "round": row.round}
        engine = InterviewerEngine.restore(questions, state)
        await self._attach(row, engine)
        log.info("session %s resumed", row.id)
        await self._ready(resumed=True)
        self._start_reply(engine.resume())
        return True

    async def _attach(self, row: InterviewSession, engine: InterviewerEngine) -> None:
        self.row, self.engine = row, engine
        folder: Path = self.settings.recordings_dir / row.id
        self.cand_track = TrackWriter(folder / "candidate.wav")
        self.itv_track = TrackWriter(folder / "interviewer.wav")
        clock_ms = samples_to_ms(self.cand_track.samples)
        s = self.settings
        smart = self.svc.turn_model is not None
        self.seg = TurnSegmenter(
            webrtc_classifier(s.vad_aggressiveness),
            SegmenterConfig(
                pause_ms=s.pause_ms,
                hangover_ms=s.smart_turn_hangover_ms if smart else s.hangover_ms,
                hangover_complete_ms=s.smart_turn_complete_ms if smart else s.hangover_complete_ms,
                hangover_incomplete_ms=s.hangover_incomplete_ms,
                finished_needs_words=smart,
            ),
            start_ms=clock_ms,
        )
        whole = s.whole_answer_context_s
        self.tx = IncrementalTranscriber(
            correct=self._vocabulary_corrector(),
            greedy_up_to_s=s.greedy_up_to_s,
            **({"keep_context_s": whole, "whole_answer_wins": True} if whole > 0 else {}),
        )
        self._turn_index = await asyncio.to_thread(self.svc.store.next_turn_index, row.id)
        self._last_heartbeat_ms = clock_ms
        self.svc.live[row.id] = self
        await asyncio.to_thread(
            self.svc.store.update_session,
            row.id,
            status="active",
            live_node=self.svc.node_id,
            live_heartbeat=utcnow(),
        )

    def _vocabulary_corrector(self) -> Corrector | None:
        """Restores the current question's technical terms in what the recognizer heard."""
        question = self.engine.current if self.engine else None
        if question is None or not question.vocabulary:
            return None
        return VocabularyCorrector(question.vocabulary, self.svc.recognizer.is_common_word).correct

    async def _ready(self, *, resumed: bool) -> None:
        assert self.row is not None
        await self._send_json(
            {
                "type": "ready",
                "protocol": protocol.PROTOCOL_VERSION,
                "session_id": self.row.id,
                "sample_rate": SAMPLE_RATE,
                "frame_bytes": protocol.FRAME_BYTES,
                "resumed": resumed,
            }
        )

    # -- reading -------------------------------------------------------------------------
    async def _read_loop(self) -> None:
        while not self._closed and self._ended_reason is None:
            try:
                msg = await self._receive(self.settings.idle_timeout_s)
            except TimeoutError:
                await self._error(
                    ProtocolError(
                        "timeout",
                        f"no audio for {self.settings.idle_timeout_s:g} s; the session is saved "
                        "and can be resumed",
                        fatal=True,
                    )
                )
                return
            data = msg.get("bytes")
            if data is not None:
                if err := protocol.check_frame(data):
                    await self._error(err)
                    continue
                self._on_frame(data)
                continue
            parsed = protocol.parse_text(msg.get("text") or "")
            match parsed:
                case ProtocolError(code="protocol_mismatch"):
                    # a start/resume of any version, mid-session: not a reason to hang up
                    await self._error(
                        ProtocolError("bad_message", "the session has already started")
                    )
                case ProtocolError():
                    await self._error(parsed)
                case EndTurn():
                    self._on_end_turn_button()
                case Stop():
                    await self._stop()
                case Retry():
                    self._spawn(self._retry())
                case Code() | RunCode():
                    self.code.handle(parsed)
                    if self._listening_since_ms is not None and self.seg is not None:
                        # typing is working on the answer: no "are you still there?" nudge
                        self._listening_since_ms = self.seg.now_ms
                case Ping(id=ping_id):
                    await self._send_json({"type": "pong", "id": ping_id})
                case Start() | Resume():
                    await self._error(
                        ProtocolError("bad_message", "the session has already started")
                    )

    def _on_frame(self, frame: bytes) -> None:
        seg, tx = self.seg, self.tx
        assert seg is not None and tx is not None and self.cand_track is not None
        at_ms = seg.now_ms
        self.cand_track.append(frame)
        events = seg.push(frame)
        tx.push(frame, at_ms=at_ms, voiced=seg.last_voiced)
        for event in events:
            self._on_turn_event(event)
        self._clock_tick.set()
        now = seg.now_ms
        if (
            seg.in_turn
            and seg.silence_ms < FRAME_MS * 3
            and now - self._last_partial_ms >= self.settings.partial_every_ms
            and not self._decode_lock.locked()
        ):
            self._last_partial_ms = now
            self._spawn(self._decode("partial"))
        if (
            self.speaking
            and seg.in_turn
            and not self._barged_in
            and seg.voiced_ms >= self.settings.barge_in_ms
        ):
            self._barge_in()
        if (
            self._listening_since_ms is not None
            and not seg.in_turn
            and not self.speaking
            and not self._finishing
            and now - self._listening_since_ms >= self.settings.silence_prompt_s * 1000
        ):
            self._listening_since_ms = None  # nudge once per silence
            self._finish_turn(ClosedTurn((), None, now, now), "no_answer")
        if now - self._last_heartbeat_ms >= HEARTBEAT_MS:
            self._last_heartbeat_ms = now
            self._spawn(self._heartbeat(now))

    def _on_turn_event(self, event: TurnEvent) -> None:
        assert self.tx is not None
        match event:
            case SpeechStarted(at_ms=at):
                self._listening_since_ms = None
                self.tx.begin_turn(at)
                self._turn_onset_ms = at
                self._turn_started_while_speaking = self.speaking
                self._barged_in = False
                self._last_partial_ms = at
                self._spawn(self._send_json({"type": "speech_started", "at_ms": at}))
            case SpeechPaused(at_ms=at):
                self._spawn(self._decode("pause"))
                if self.svc.turn_model is not None:
                    self._spawn(self._judge_pause(at))
            case SpeechResumed():
                pass
            case TurnEnded():
                closed = self.tx.close_turn(event.start_ms, event.end_ms)
                if self._turn_started_while_speaking and not self._barged_in:
                    return  # a cough or echo while the interviewer spoke: not an answer
                self._finish_turn(closed, event.reason)

    def _on_end_turn_button(self) -> None:
        assert self.seg is not None and self.tx is not None
        event = self.seg.force_end()
        if event is not None:
            self._finish_turn(self.tx.close_turn(event.start_ms, event.end_ms), "button")
        elif not self.speaking and not self._finishing:
            now = self.seg.now_ms
            self._finish_turn(ClosedTurn((), None, now, now), "button")

    # -- transcription -------------------------------------------------------------------
    async def _judge_pause(self, at_ms: int) -> None:
        """smart-turn's view of the pause whose speech stopped at ``at_ms``: a finished-sounding
        answer gets the short hangover; otherwise the words (pause decode) may still say it
        trails off, and the default hangover applies."""
        seg, tx, model, worker = self.seg, self.tx, self.svc.turn_model, self.svc.turn
        assert seg is not None and tx is not None and model is not None and worker is not None
        if self._judging or worker.depth >= JUDGE_MAX_QUEUE:
            return  # a verdict this late would come after the short wait anyway: default wait
        self._judging = True
        try:
            audio = tx.recent_audio(WINDOW_S * 1000)
            p = await worker.run(PRIORITY_PAUSE, model.probability, audio)
        finally:
            self._judging = False
        if seg.pause_at_ms == at_ms:  # still the same pause
            seg.set_completion_hint(True if p >= self.settings.smart_turn_threshold else None)

    async def _decode(self, kind: str) -> None:
        tx, seg = self.tx, self.seg
        assert tx is not None and seg is not None
        if kind == "partial" and self._decode_lock.locked():
            return
        async with self._decode_lock:
            job = tx.prepare(kind)  # type: ignore[arg-type]
            if job is None:
                if kind == "pause" and (caption := tx.caption()):
                    seg.words_heard()
                    seg.set_completion_hint(completion_hint(caption))
                return
            future = asyncio.ensure_future(
                self.svc.stt.run(
                    PRIORITY_PARTIAL if kind == "partial" else PRIORITY_PAUSE,
                    self.svc.recognizer.recognize,
                    job.audio,
                    prompt=job.prompt,
                    fast=job.fast,
                )
            )
            if kind == "pause":
                self._pause_decode = (job, future)
            try:
                segments = await asyncio.shield(future)
            finally:
                if self._pause_decode is not None and self._pause_decode[1] is future:
                    self._pause_decode = None
            caption = tx.apply(job, segments)
            if caption:  # (empty for a turn that has ended meanwhile)
                seg.words_heard()
            if kind == "pause":
                seg.set_completion_hint(completion_hint(caption))
            if not caption:
                return
            await self._send_json(
                {"type": "caption", "turn_index": self._turn_index, "text": caption, "final": False}
            )

    def _recorded(self, start_ms: int, end_ms: int) -> np.ndarray:
        """The candidate's audio between two session times, read back from the recording."""
        assert self.cand_track is not None
        pcm = self.cand_track.read(start_ms * SAMPLE_RATE // 1000, end_ms * SAMPLE_RATE // 1000)
        return int16_to_float(np.frombuffer(pcm, dtype="<i2"))

    def _reusable_pause_decode(
        self, closed: ClosedTurn
    ) -> tuple[DecodeJob, asyncio.Future[list]] | None:
        """The pause decode in flight when it already covers everything the turn said: the
        same turn (generation), the same uncommitted audio (offset) and past the last voiced
        sample. Its result is what a final decode would compute (same audio, same search)."""
        inflight = self._pause_decode
        final = closed.job
        if inflight is None or final is None:
            return None
        job, future = inflight
        if (
            job.generation == final.generation
            and job.offset_ms == final.offset_ms
            and job.end_ms >= closed.end_ms + 100
            and not future.cancelled()
        ):
            return inflight
        return None

    def _finish_turn(self, closed: ClosedTurn, reason: str) -> None:
        if closed.job is not None:
            # Under load turns can end faster than they are transcribed; a waiting turn keeps
            # only where its audio is, and reads it back from the recording when its decode
            # runs, so a backlog costs no memory.
            closed = dataclasses.replace(closed, job=dataclasses.replace(closed.job, audio=None))
        task = asyncio.create_task(self._complete_turn_safely(closed, reason))
        self._finishing.add(task)
        task.add_done_callback(self._finishing.discard)

    async def _complete_turn_safely(self, closed: ClosedTurn, reason: str) -> None:
        """A fault while handling one answer must not leave the candidate waiting: say so and
        listen again (the audio is on disk already)."""
        try:
            await self._complete_turn(closed, reason)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("could not complete a turn")
            await self._error(
                ProtocolError("internal", "that answer could not be processed; please say it again")
            )
            await self._send_json({"type": "state", "state": "listening"})

    async def _complete_turn(self, closed: ClosedTurn, reason: str) -> None:
        async with self._turn_lock:
            assert self.row is not None and self.engine is not None and self.tx is not None
            if reason != "disconnect":
                await self._send_json({"type": "state", "state": "thinking"})
            segments = []
            if closed.job is not None:
                if self.svc.stt.depth >= 3:
                    await self._overloaded()
                reuse = self._reusable_pause_decode(closed)
                if reuse is not None:
                    job, future = reuse
                    closed = dataclasses.replace(closed, job=job)
                    segments = await asyncio.shield(future)
                else:
                    segments = await self.svc.stt.run(
                        PRIORITY_FINAL,
                        self.svc.recognizer.recognize,
                        self._recorded(closed.job.offset_ms, closed.job.end_ms),
                        prompt=closed.job.prompt,
                        fast=closed.job.fast,
                    )
            utterance = closed.complete(segments)
            index = self._turn_index
            self._turn_index += 1
            question = self.engine.current
            attempt = self.engine.attempt
            stored = await asyncio.to_thread(
                self.svc.store.add_turn,
                Turn(
                    session_id=self.row.id,
                    index=index,
                    speaker="candidate",
                    text=utterance.text,
                    start_ms=utterance.start_ms,
                    end_ms=utterance.end_ms,
                    question_id=question.id if question else None,
                    kind="answer",
                    reason=reason,
                    words_json=json.dumps(
                        [[w.text, w.start_ms, w.end_ms] for w in utterance.words]
                    ),
                    attempt=attempt,
                ),
            )
            await self._send_json(
                {
                    "type": "transcript",
                    "turn_index": index,
                    "text": utterance.text,
                    "start_ms": utterance.start_ms,
                    "end_ms": utterance.end_ms,
                    "reason": reason,
                }
            )
            if reason == "disconnect":
                return
            assessment = None
            if question is not None and utterance.text:
                assessment = await self.svc.grader.run(
                    PRIORITY_FINAL, self._grade, self.svc.local_scorer, question.id, attempt
                )
                if self.svc.scorer is not self.svc.local_scorer:
                    self._spawn(self._grade_in_background(question.id, attempt))
            text, start_ms = utterance.text, utterance.start_ms
            if self._continuation is not None:  # the rest of an answer already replied to
                text = f"{self._continuation.text} {text}".strip()
                start_ms = self._continuation.start_ms
                self._continuation = None
            before = self.engine.snapshot()
            reply = self.engine.on_answer(Answer(text, start_ms, utterance.end_ms), assessment)
            if reply.kind == "follow_up" and assessment is not None and self.svc.follow_ups:
                reply = await self._claude_follow_up(reply, assessment, text)
            answered = _AnsweredTurn(text, start_ms, before)
            self.tx.correct = self._vocabulary_corrector()
            await self._save_state()
            self._start_reply(reply, answered)
            if (
                self.settings.revise_after_ms
                and utterance.end_ms - utterance.start_ms >= self.settings.revise_after_ms
            ):
                self._spawn(self._revise(stored, closed, utterance, question, attempt))

    async def _revise(
        self,
        stored: Turn,
        closed: ClosedTurn,
        utterance: Utterance,
        question: Question | None,
        attempt: int,
    ) -> None:
        """Decode a long answer again as a whole, for the record and the grade.

        The live path decodes a long answer piece by piece (words agreed between hypotheses
        are never revisited; past 24 s the committed audio is dropped), which costs a few
        points of word error rate over whole-file decoding. Once the reply is on its way, the
        answer's audio is read back from the recording and decoded in one go at the lowest
        priority; the stored turn, the client's transcript and the grade are updated. Skipped
        when transcription is behind (the live transcript stays).
        """
        assert self.cand_track is not None and self.row is not None
        if self.svc.stt.depth >= self.settings.revise_max_queue:
            return
        start_ms = max(0, utterance.start_ms - 300)
        end_ms = utterance.end_ms + 300
        audio = self._recorded(start_ms, end_ms)
        segments = await self.svc.stt.run(PRIORITY_REVISE, self.svc.recognizer.recognize, audio)
        job = DecodeJob("final", audio, "", start_ms, end_ms, 0)
        revised = ClosedTurn(
            (), job, utterance.start_ms, utterance.end_ms, closed.voiced, closed.correct
        ).complete(segments)
        if not revised.text or revised.text == utterance.text:
            return
        await asyncio.to_thread(
            self.svc.store.update_turn,
            stored.id,
            text=revised.text,
            words_json=json.dumps([[w.text, w.start_ms, w.end_ms] for w in revised.words]),
        )
        await self._send_json(
            {"type": "transcript_revised", "turn_index": stored.index, "text": revised.text}
        )
        if question is not None:
            await self.svc.grader.run(
                PRIORITY_PARTIAL, self._grade, self.svc.scorer, question.id, attempt
            )

    def _grade(self, scorer: Scorer, question_id: str, attempt: int = 1) -> ScoreResult:
        """Grade everything said for one attempt at a question so far and store it (worker
        thread)."""
        assert self.row is not None
        turns = [
            t
            for t in self.svc.store.list_turns(self.row.id)
            if t.speaker == "candidate"
            and t.question_id == question_id
            and t.attempt == attempt
            and t.text
        ]
        words = tuple(
            TimedWord(str(w[0]), int(w[1]), int(w[2]))
            for t in turns
            for w in json.loads(t.words_json)
        )
        answer = AnswerTranscript(
            text=" ".join(t.text for t in turns),
            words=words,
            start_ms=turns[0].start_ms if turns else 0,
            end_ms=turns[-1].end_ms if turns else 0,
        )
        result = scorer.score(question_id, answer)
        result = self.code.combine(question_id, attempt, result)  # coding: tests + narration
        self.svc.store.upsert_score(
            session_id=self.row.id,
            question_id=question_id,
            result=result.to_json(),
            attempt=attempt,
        )
        return result

    async def _claude_follow_up(self, reply: Reply, assessment: ScoreResult, text: str) -> Reply:
        """Let Claude word the follow-up for the weakest criteria; keep ours if it is slow or
        fails (it never makes the interviewer worse, at most a few seconds later)."""
        assert self.svc.follow_ups is not None and reply.question_id is not None
        missing = [c.id for c in assessment.weakest() if c.score < 3]
        try:
            follow_up = await asyncio.wait_for(
                self.svc.grader.run(
                    PRIORITY_FINAL, self.svc.follow_ups.follow_up, reply.question_id, text, missing
                ),
                timeout=self.settings.llm_follow_up_timeout_s + 0.5,
            )
        except Exception:  # timeouts, and anything the client raised: keep our own probe
            log.warning("Claude follow-up unavailable; using the bank's probe")
            return reply
        if follow_up is None:
            return reply
        assert self.engine is not None
        return self.engine.reword_follow_up(reply, follow_up.text)

    async def _grade_in_background(self, question_id: str, attempt: int = 1) -> None:
        """The better (Claude) grading replaces the local one when it arrives."""
        await self.svc.grader.run(
            PRIORITY_PARTIAL, self._grade, self.svc.scorer, question_id, attempt
        )

    async def _overloaded(self) -> None:
        now = time.monotonic()
        if now - self._last_overload_notice > 10:
            self._last_overload_notice = now
            log.warning("transcription queue depth %d", self.svc.stt.depth)
            await self._error(
                ProtocolError(
                    "overloaded",
                    "transcription is behind; replies will take a little longer. "
                    "Nothing you said is dropped.",
                )
            )

    # -- speaking ------------------------------------------------------------------------
    @property
    def speaking(self) -> bool:
        return self._reply_task is not None and not self._reply_task.done()

    def _start_reply(self, reply: Reply, answered: _AnsweredTurn | None = None) -> None:
        if self._shut_down:
            return  # the connection is gone and the tracks are closed: nobody to speak to
        if self.speaking:
            assert self._reply_task is not None
            self._reply_task.cancel()
        assert self.seg is not None
        self._reply_answers = answered
        self._reply_start_ms = self.seg.now_ms
        self._reply_task = asyncio.create_task(self._speak(reply))

    async def _speak(self, reply: Reply) -> None:
        assert self.row is not None and self.seg is not None and self.itv_track is not None
        self._reply_id += 1
        reply_id = self._reply_id
        sentences = split_sentences(reply.text) or [reply.text]
        start_sample = max(self.seg.now_ms * SAMPLE_RATE // 1000, self.itv_track.samples)
        position = start_sample
        index = self._turn_index
        self._turn_index += 1
        turn = await asyncio.to_thread(
            self.svc.store.add_turn,
            Turn(
                session_id=self.row.id,
                index=index,
                speaker="interviewer",
                text=reply.text,
                start_ms=samples_to_ms(start_sample),
                end_ms=samples_to_ms(start_sample),
                question_id=reply.question_id,
                kind=reply.kind,
                attempt=reply.attempt,
            ),
        )
        await self._send_json(
            {
                "type": "reply_started",
                "reply_id": reply_id,
                "text": reply.text,
                "question_id": reply.question_id,
                "kind": reply.kind,
                "attempt": reply.attempt,
                "feedback_for": reply.feedback_for,
            }
        )
        if reply.kind == "question":  # the editor follows the question (resume included)
            self._spawn(self.code.show(reply.question_id, reply.attempt))
        await self._send_json({"type": "state", "state": "speaking"})
        synth = self.svc.synthesizer.synthesize
        pending = asyncio.ensure_future(self.svc.tts.run(PRIORITY_SPEECH, synth, sentences[0]))
        try:
            for i, sentence in enumerate(sentences):
                audio = await pending
                if i + 1 < len(sentences):  # synthesise the next sentence while this one plays
                    pending = asyncio.ensure_future(
                        self.svc.tts.run(PRIORITY_SPEECH, synth, sentences[i + 1])
                    )
                pcm = audio.tobytes()
                await self._send_json(
                    {
                        "type": "reply_sentence",
                        "reply_id": reply_id,
                        "index": i,
                        "text": sentence,
                        "samples": len(pcm) // 2,
                    }
                )
                for off in range(0, len(pcm), SEND_CHUNK_BYTES):
                    await self._send_bytes(pcm[off : off + SEND_CHUNK_BYTES])
                self.itv_track.write_at(position, pcm)
                position += len(pcm) // 2
            await asyncio.to_thread(
                self.svc.store.update_turn, turn.id, end_ms=samples_to_ms(position)
            )
            self.itv_track.flush()
            # The client plays on arrival, in real time: the reply is over when the session
            # clock (candidate audio received) passes the end of the interviewer's audio.
            await self._wait_for_clock(samples_to_ms(position))
            await self._send_json(
                {"type": "reply_done", "reply_id": reply_id, "interrupted": False}
            )
            self._listening_since_ms = self.seg.now_ms
        except asyncio.CancelledError:
            pending.cancel()
            cut = min(position, max(start_sample, self.seg.now_ms * SAMPLE_RATE // 1000))
            self.itv_track.truncate(cut)
            await self._send_json({"type": "stop_playback", "reply_id": reply_id})
            await self._send_json({"type": "reply_done", "reply_id": reply_id, "interrupted": True})
            await self._send_json({"type": "state", "state": "listening"})
            await asyncio.to_thread(
                self.svc.store.update_turn, turn.id, end_ms=samples_to_ms(cut), interrupted=True
            )
            raise
        await self._send_json({"type": "state", "state": "listening"})
        if reply.ends_interview:
            self._ended_reason = "completed"
            await self._send_json(
                {"type": "session_ended", "session_id": self.row.id, "reason": "completed"}
            )
            await self._close(1000)

    async def _wait_for_clock(self, ms: int) -> None:
        assert self.seg is not None
        while self.seg.now_ms < ms:
            self._clock_tick.clear()
            await self._clock_tick.wait()

    def _barge_in(self) -> None:
        """The candidate talks over the interviewer: stop it. If they started within a moment of
        the reply, they had not finished their answer: take the reply back and treat what they
        say now as the rest of that answer."""
        self._barged_in = True
        if self._reply_task is not None:
            self._reply_task.cancel()
        answered = self._reply_answers
        window = self.settings.continuation_window_ms
        if answered is not None and self._turn_onset_ms - self._reply_start_ms <= window:
            self.engine = InterviewerEngine.restore(self.engine.questions, answered.engine_before)
            self._continuation = answered
            self._spawn(self._save_state())
        self._reply_answers = None

    async def _retry(self) -> None:
        """ "Try again": the interviewer asks the last question again, as a new attempt. The
        reply playing now (feedback and the next question) is stopped first, so its
        ``stop_playback`` reaches the client before the new reply starts."""
        async with self._turn_lock:
            assert self.engine is not None and self.seg is not None and self.tx is not None
            if self._reply_task is not None and not self._reply_task.done():
                self._reply_task.cancel()
                await asyncio.wait([self._reply_task])
            self._continuation = None
            reply = self.engine.retry(self.seg.now_ms)
            self.tx.correct = self._vocabulary_corrector()
            await self._save_state()
            self._start_reply(reply)

    async def _stop(self) -> None:
        assert self.row is not None
        if self._reply_task is not None:
            self._reply_task.cancel()
        if self.seg is not None and self.tx is not None:
            event = self.seg.force_end()
            if event is not None:
                self._finish_turn(self.tx.close_turn(event.start_ms, event.end_ms), "disconnect")
        await self._drain_turns()
        self._ended_reason = "stopped"
        await self._send_json(
            {"type": "session_ended", "session_id": self.row.id, "reason": "stopped"}
        )
        await self._close(1000)

    # -- bookkeeping ---------------------------------------------------------------------
    def _spawn(self, coro) -> None:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("session task failed", exc_info=task.exception())

    async def _heartbeat(self, clock_ms: int) -> None:
        assert self.row is not None
        await asyncio.to_thread(
            self.svc.store.update_session, self.row.id, live_heartbeat=utcnow(), clock_ms=clock_ms
        )

    async def _save_state(self) -> None:
        assert self.row is not None and self.engine is not None and self.seg is not None
        await asyncio.to_thread(
            self.svc.store.save_engine_state,
            self.row.id,
            self.engine.snapshot(),
            clock_ms=self.seg.now_ms,
        )

    async def _drain_turns(self) -> None:
        if self._finishing:
            await asyncio.wait(set(self._finishing), timeout=60)

    async def _close(self, code: int) -> None:
        if self.ws.application_state == WebSocketState.CONNECTED:
            with contextlib.suppress(Exception):
                await self.ws.close(code)
        self._closed = True

    async def _shutdown(self) -> None:
        """Store whatever was said, close the tracks, and mark the session for review/resume."""
        self._closed = self._closed or self.ws.application_state != WebSocketState.CONNECTED
        if self.row is None:
            return
        self._releasing = True
        try:
            await self._store_and_release()
        finally:
            self._released.set()
        await self._close(1000)

    async def _store_and_release(self) -> None:
        assert self.row is not None
        if self._reply_task is not None and not self._reply_task.done():
            self._reply_task.cancel()
            with contextlib.suppress(BaseException):
                await self._reply_task
        if self.seg is not None and self.tx is not None:
            event = self.seg.force_end()
            if event is not None:
                self._finish_turn(self.tx.close_turn(event.start_ms, event.end_ms), "disconnect")
        try:
            await self._drain_turns()
        except Exception:
            log.exception("could not store the last turn")
        for task in list(self._tasks):
            task.cancel()
        self._shut_down = True
        if self._reply_task is not None:
            self._reply_task.cancel()  # one started while the last turns were stored
            with contextlib.suppress(BaseException):
                await self._reply_task
        for track in (self.cand_track, self.itv_track):
            if track is not None:
                track.close()
        finished = self.engine is not None and self.engine.finished
        status = "completed" if finished or self._ended_reason else "interrupted"
        clock = self.seg.now_ms if self.seg else 0
        try:
            await asyncio.to_thread(
                self.svc.store.update_session,
                self.row.id,
                status=status,
                live_node=None,
                clock_ms=clock,
                engine_state=json.dumps(self.engine.snapshot()) if self.engine else "{}",
            )
        except Exception:
            log.exception("could not update the session row")
        finally:
            if self.svc.live.get(self.row.id) is self:
                del self.svc.live[self.row.id]
        log.info("session %s closed (%s)", self.row.id, status)
