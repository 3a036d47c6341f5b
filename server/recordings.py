"""Score a recorded answer: ``POST /api/recordings/score``.

A stateless check of one recorded answer to one question, for people who rehearse offline:
the upload is decoded (any container in ``audio.pcm.UPLOAD_FORMATS``), transcribed by the
node's recognizer and graded by the local scorer. Nothing is stored: no session, no row, no
file (the body's temporary copy is deleted when the request ends), and no transcript text in
the logs.

Limits are enforced as the body streams in, not after: a declared ``Content-Length`` over the
cap is refused before a byte is read, and a body that grows past it (chunked) is refused as
soon as it does, so an upload never costs more than the cap in memory or disk. Decoding stops
at the duration cap too. All the work runs off the event loop (decoding in a thread, speech
on the recognizer's worker at the lowest priority, below every live session's job), so a bad
or large upload never stalls the other sessions on the node.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

import numpy as np
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.datastructures import FormData, UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import ClientDisconnect

from audio.incremental import TimedWord
from audio.pcm import (
    FRAME_BYTES,
    SAMPLE_RATE,
    AudioDecodeError,
    AudioTooLongError,
    decode_upload,
    float_to_int16,
)
from audio.vad import webrtc_classifier
from interviewer.delivery import VoiceActivity, spoken_words
from interviewer.result import AnswerTranscript
from server.auth import UserDep
from server.reports import PRIORITY_REVIEW, decode_windows
from server.review import ServicesDep
from server.services import Services

log = logging.getLogger("coach.recordings")

router = APIRouter(prefix="/api/recordings", tags=["recordings"])

FORM_OVERHEAD = 64 * 1024  # boundaries, part headers and question_id around the file
MAX_FIELD_BYTES = 1024  # a text field (question_id)
MAX_SCORING = 4  # recordings decoded and transcribed at once per node (~4 MB per minute each)
MIB = 1024 * 1024


class Refused(Exception):
    """A request this route answers with a JSON error: ``{"detail": ...}``."""

    def __init__(
        self, status: int, detail: str, *, close: bool = False, retry_after: int | None = None
    ) -> None:
        super().__init__(detail)
        self.status, self.detail = status, detail
        self.headers: dict[str, str] = {}
        if close:  # refused before the body was read: close rather than read the rest
            self.headers["Connection"] = "close"
        if retry_after is not None:
            self.headers["Retry-After"] = str(retry_after)


class _TooLarge(Exception):
    """The body passed the cap while streaming in."""


FORM_SCHEMA: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["question_id", "file"],
                    "properties": {
                        "question_id": {
                            "type": "string",
                            "description": "a question of the bank (`coach questions`)",
                        },
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": "the recorded answer: WAV, FLAC, MP3, Ogg "
                            "(Vorbis, Opus), WebM, MP4/M4A, AAC, AIFF or CAF",
                        },
                    },
                }
            }
        },
    }
}
RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "{question_id, seconds, transcript, words: [[word, start_ms, end_ms]], "
        "score: the grading (as in a session's scores)}"
    },
    400: {"description": "the file is empty"},
    401: {"description": "sign in first (multi-user mode)"},
    403: {"description": "missing CSRF token or cross-origin request (multi-user mode)"},
    413: {"description": "the file is over the size cap, or the audio over the length cap"},
    415: {"description": "could not read the audio: <reason>"},
    422: {"description": "not multipart, a missing field, an unknown question, or no speech"},
    503: {"description": "this node is already scoring its limit of recordings"},
}


@router.post("/score", responses=RESPONSES, openapi_extra=FORM_SCHEMA)
async def score_recording(request: Request, services: ServicesDep, _user: UserDep) -> JSONResponse:
    """Transcribe and grade a recorded answer to one question; stores nothing.

    Form fields: ``question_id`` and ``file`` (any audio container listed in the request
    body schema). The answer is graded by the local scorer, as the live session's first
    grading. Caps: ``COACH_MAX_UPLOAD_MB`` (default 25 MiB) and ``COACH_MAX_UPLOAD_MINUTES``
    (default 10). A recording with no speech in it is a 422, not an empty grading.
    """
    try:
        return JSONResponse(await _score(request, services))
    except Refused as exc:
        return JSONResponse({"detail": exc.detail}, exc.status, headers=exc.headers)


async def _score(request: Request, services: Services) -> dict[str, Any]:
    """The checks in the order that costs least first (headers, then the body as it streams,
    then the fields), then decoding, transcription and grading; ``Refused`` for each error."""
    settings = services.settings
    cap = int(settings.max_upload_mb * MIB)
    too_large = f"the file is over the {settings.max_upload_mb:g} MiB upload limit"
    if not request.headers.get("content-type", "").lower().startswith("multipart/form-data"):
        raise Refused(
            422, "send multipart/form-data with the fields question_id and file", close=True
        )
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > cap + FORM_OVERHEAD:
        raise Refused(413, too_large, close=True)
    form = await _read_form(request, cap + FORM_OVERHEAD, too_large)
    try:
        question_id, upload = _fields(form)
        try:
            question = services.bank.question(question_id)
        except KeyError:
            raise Refused(
                422, f"unknown question_id {question_id[:80]!r}; list them with `coach questions`"
            ) from None
        if not upload.size:
            raise Refused(400, "the file is empty")
        if upload.size > cap:  # the form's overhead allowance is not for the file
            raise Refused(413, too_large)
        with _Slot(request):
            t0 = time.perf_counter()
            audio = await _decode(upload, settings.max_upload_minutes)
            words = await _transcribe(services, audio)
            seconds = round(audio.size / SAMPLE_RATE, 3)
            answer = AnswerTranscript(
                text=" ".join(w.text for w in words),
                words=tuple(words),
                start_ms=0,
                end_ms=int(seconds * 1000),
            )
            result = await services.grader.run(
                PRIORITY_REVIEW, services.local_scorer.score, question.id, answer
            )
            log.info(  # ids, counts and timings only: never what was said
                "recording scored: question %s, %.1f s of audio, %d words, %d/100, in %.1f s",
                question.id,
                seconds,
                len(words),
                result.overall,
                time.perf_counter() - t0,
            )
            return {
                "question_id": question.id,
                "seconds": seconds,
                "transcript": answer.text,
                "words": [[w.text, w.start_ms, w.end_ms] for w in words],
                "score": result.to_json(),
            }
    finally:
        await form.close()


async def _read_form(request: Request, limit: int, too_large: str) -> FormData:
    """Parse the multipart body as it streams in; ``Refused`` once it passes ``limit`` bytes.

    File parts spool to a temporary file (in memory up to 1 MiB, then on disk), written from
    a thread by Starlette's parser; the caller closes them."""
    parser = MultiPartParser(
        request.headers,
        _capped(request.stream(), limit),
        max_files=1,
        max_fields=4,
        max_part_size=MAX_FIELD_BYTES,
    )
    try:
        return await parser.parse()
    except _TooLarge:
        raise Refused(413, too_large, close=True) from None
    except MultiPartException as exc:
        raise Refused(422, f"malformed multipart body: {exc.message}", close=True) from None
    except ClientDisconnect:
        raise Refused(400, "the upload was cut off before its end") from None
    except (ValueError, UnicodeError) as exc:  # python-multipart on a hopeless boundary
        raise Refused(422, f"malformed multipart body: {type(exc).__name__}", close=True) from None


async def _capped(stream: AsyncIterator[bytes], limit: int) -> AsyncIterator[bytes]:
    """The request body, raising ``_TooLarge`` as soon as more than ``limit`` bytes came."""
    total = 0
    async for chunk in stream:
        total += len(chunk)
        if total > limit:
            raise _TooLarge
        yield chunk


def _fields(form: FormData) -> tuple[str, UploadFile]:
    """``question_id`` (text) and ``file`` (a file part), or a 422 naming what is wrong."""
    question_id, upload = form.get("question_id"), form.get("file")
    missing = [name for name, v in (("question_id", question_id), ("file", upload)) if v is None]
    if missing:
        raise Refused(422, f"missing form field(s): {', '.join(missing)}")
    if not isinstance(question_id, str):
        raise Refused(422, "question_id must be a text field, not a file")
    if not isinstance(upload, UploadFile):
        raise Refused(422, "file must be a file part (the recording, sent with a filename)")
    return question_id.strip(), upload


async def _decode(upload: UploadFile, max_minutes: float) -> np.ndarray:
    """The upload as 16 kHz mono float32, decoded in a thread; 415 or 413 when it cannot be."""
    try:
        return await asyncio.to_thread(decode_upload, upload.file, max_seconds=max_minutes * 60)
    except AudioDecodeError as exc:
        raise Refused(415, f"could not read the audio: {exc}") from None
    except AudioTooLongError:
        too_long = f"the recording is longer than the {max_minutes:g}-minute limit"
        raise Refused(413, too_long) from None


async def _transcribe(services: Services, audio: np.ndarray) -> list[TimedWord]:
    """The words heard, times in ms from the start of the recording; 422 when none.

    Cut at pauses into pieces of at most 25 s (like the review's decodes), each its own job
    on the speech worker at the lowest priority, so a long upload never holds the worker
    from a live session for more than one piece. Words laid over silence are dropped."""
    voice = await asyncio.to_thread(_voice_activity, audio)
    if not any(voice.flags):
        raise Refused(422, "no speech was heard in the recording")
    words: list[TimedWord] = []
    for lo, hi in decode_windows(0, audio.size * 1000 // SAMPLE_RATE, voice):
        piece = audio[lo * SAMPLE_RATE // 1000 : hi * SAMPLE_RATE // 1000]
        segments = await services.stt.run(PRIORITY_REVIEW, services.recognizer.recognize, piece)
        words += [
            TimedWord(w.text, lo + int(w.start * 1000), lo + int(w.end * 1000))
            for seg in segments
            for w in seg.words
        ]
    words = spoken_words(words, voice)
    if not words:
        raise Refused(422, "no speech was heard in the recording")
    return words


def _voice_activity(audio: np.ndarray) -> VoiceActivity:
    """webrtcvad's speech flag for every 20 ms frame (worker thread)."""
    pcm = float_to_int16(audio).tobytes()
    is_speech = webrtc_classifier(2)
    flags = bytes(
        is_speech(pcm[off : off + FRAME_BYTES])
        for off in range(0, len(pcm) - FRAME_BYTES + 1, FRAME_BYTES)
    )
    return VoiceActivity(0, flags)


class _Slot:
    """One of ``MAX_SCORING`` places for a recording being decoded and transcribed on this
    node (each holds its decoded audio in memory); a 503 when none is free."""

    def __init__(self, request: Request) -> None:
        self.state = request.app.state

    def __enter__(self) -> _Slot:
        busy = getattr(self.state, "recordings_scoring", 0)
        if busy >= MAX_SCORING:
            raise Refused(
                503, "the server is scoring other recordings; try again in a minute", retry_after=30
            )
        self.state.recordings_scoring = busy + 1
        return self

    def __exit__(self, *exc: object) -> None:
        self.state.recordings_scoring -= 1
