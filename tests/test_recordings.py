"""``POST /api/recordings/score`` on a real server with the real models: recorded answers in
several formats are transcribed and graded, each bad upload gets its status and a message
naming the problem, the size cap holds while the body streams in, and the server keeps
serving while uploads are processed."""

from __future__ import annotations

import io
import json
import os
import select
import socket
import struct
import threading
import time
import wave
import zlib
from collections.abc import Iterable, Iterator

import av
import httpx
import numpy as np
import pytest

from audio.pcm import SAMPLE_RATE, float_to_int16, load_audio
from audio.wer import wer
from interviewer.bank import load_bank
from interviewer.result import AnswerTranscript
from interviewer.scorer import LocalScorer
from tests.conftest import REPO, Clip

pytestmark = pytest.mark.models

PATH = "/api/recordings/score"
QUESTION = "star-tight-deadline"
MIB = 1024 * 1024


def post(server, files: dict | None, data: dict | None = None, **kw) -> httpx.Response:
    return httpx.post(server.base_url + PATH, files=files, data=data, timeout=120, **kw)


def score(server, name: str, body: bytes, question: str = QUESTION) -> httpx.Response:
    return post(server, {"file": (name, body)}, {"question_id": question})


def wav_bytes(audio: np.ndarray) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SAMPLE_RATE)
        w.writeframes(float_to_int16(audio).tobytes())
    return buf.getvalue()


def encode(audio: np.ndarray, fmt: str, codec: str, rate: int) -> bytes:
    """16 kHz float32 audio encoded with PyAV (``fmt`` container, ``codec`` at ``rate``)."""
    buf = io.BytesIO()
    with av.open(buf, "w", format=fmt) as out:
        stream = out.add_stream(codec, rate=rate, layout="mono")
        frame = av.AudioFrame.from_ndarray(audio.reshape(1, -1), format="flt", layout="mono")
        frame.sample_rate = SAMPLE_RATE
        resampler = av.AudioResampler(format=stream.codec_context.format.name, rate=rate)
        for piece in resampler.resample(frame):
            out.mux(stream.encode(piece))
        out.mux(stream.encode(None))
    return buf.getvalue()


def png_bytes() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"".join(b"\x00" + bytes(12) for _ in range(4)))
    chunks = chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + chunks


def flac_of_silence(seconds: float) -> bytes:
    return encode(np.zeros(int(seconds * SAMPLE_RATE), np.float32), "flac", "flac", SAMPLE_RATE)


def clip(clips: list[Clip], name: str) -> Clip:
    return next(c for c in clips if c.path.name == name)


# --------------------------------------------------------------------------- good uploads


@pytest.mark.parametrize(
    ("clip_name", "fmt", "codec", "rate", "upload_name"),
    [
        ("jfk.flac", None, None, None, "jfk.flac"),  # the file as it is, 44.1 kHz FLAC
        ("1221-135766-0001.wav", "mp3", "libmp3lame", 16000, "answer.mp3"),
        ("sense_and_sensibility_01_austen_64kb-0870.wav", "ogg", "libopus", 48000, "a.ogg"),
        ("librispeech-1995-1837-0001.wav", "ipod", "aac", 16000, "answer.m4a"),
    ],
)
def test_a_recorded_clip_is_transcribed_and_scored(
    live_server, speech_clips, clip_name, fmt, codec, rate, upload_name
):
    c = clip(speech_clips, clip_name)
    body = c.path.read_bytes() if fmt is None else encode(load_audio(c.path), fmt, codec, rate)
    r = score(live_server, upload_name, body)
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["question_id"] == QUESTION
    assert abs(out["seconds"] - c.seconds) < 0.2
    assert wer(c.transcript, out["transcript"]) < 0.15, out["transcript"]
    starts = [w[1] for w in out["words"]]
    assert starts == sorted(starts) and all(0 <= w[1] <= w[2] for w in out["words"])
    assert " ".join(w[0] for w in out["words"]) == out["transcript"]
    graded = out["score"]
    assert graded["question_id"] == QUESTION and graded["engine"] == "local"
    assert 0 <= graded["overall"] <= 100 and graded["criteria"] and graded["summary"]
    # not what the question asked: the grade says so
    assert graded["overall"] < 30


def test_a_spoken_answer_is_graded_like_its_text(live_server):
    """A strong answer spoken by piper (about two minutes, several decode windows) and sent
    as WebM/Opus grades close to the same answer typed."""
    from audio.tts import PiperSynthesizer

    text = (REPO / "tests" / "answers" / f"{QUESTION}.strong.txt").read_text("utf-8").strip()
    synth = PiperSynthesizer(vary=False)  # the same samples every run
    speech = np.concatenate([synth.synthesize(text), np.zeros(SAMPLE_RATE // 2, np.int16)])
    audio = speech.astype(np.float32) / 32768.0
    r = score(live_server, "answer.webm", encode(audio, "webm", "libopus", 48000))
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["seconds"] > 60
    assert wer(text, out["transcript"]) < 0.15
    typed = LocalScorer(load_bank(REPO / "rubrics")).score(QUESTION, AnswerTranscript(text))
    assert out["score"]["overall"] >= 60
    assert abs(out["score"]["overall"] - typed.overall) <= 15, (out["score"], typed.overall)
    # evidence quotes carry times inside the recording
    quotes = [e for c in out["score"]["criteria"] for e in c["evidence"]]
    assert quotes and all(0 <= e["start_ms"] <= out["seconds"] * 1000 for e in quotes)


# --------------------------------------------------------------------------- bad uploads


def test_bad_uploads_get_their_status_and_a_clear_message(live_server, speech_clips):
    jfk = clip(speech_clips, "jfk.flac").path.read_bytes()
    wav = clip(speech_clips, "1221-135766-0002.wav").path.read_bytes()
    silence = wav_bytes(np.zeros(5 * SAMPLE_RATE, np.float32))
    cases = [
        # (what, files, data, status, words in the message)
        ("unknown question", {"file": ("a.flac", jfk)}, {"question_id": "no-such-q"}, 422,
         "unknown question_id 'no-such-q'"),
        ("no file", {"question_id": (None, QUESTION)}, None, 422,
         "missing form field(s): file"),
        ("no question", {"file": ("a.flac", jfk)}, None, 422,
         "missing form field(s): question_id"),
        ("file as text", {"file": (None, "hello")}, {"question_id": QUESTION}, 422,
         "file must be a file part"),
        ("empty file", {"file": ("a.wav", b"")}, {"question_id": QUESTION}, 400,
         "the file is empty"),
        ("random bytes", {"file": ("a.wav", os.urandom(4000))}, {"question_id": QUESTION}, 415,
         "could not read the audio: "),
        ("a text file", {"file": ("notes.txt", b"my answer, typed\n" * 40)},
         {"question_id": QUESTION}, 415, "could not read the audio: "),
        ("a PNG", {"file": ("a.png", png_bytes())}, {"question_id": QUESTION}, 415,
         "could not read the audio: not an audio format the coach reads"),
        ("a WAV cut inside its header", {"file": ("a.wav", wav[:30])},
         {"question_id": QUESTION}, 415, "could not read the audio: "),
        ("a WAV with a header and no samples", {"file": ("a.wav", wav[:44])},
         {"question_id": QUESTION}, 415, "could not read the audio: the audio stream is empty"),
        ("silence", {"file": ("a.wav", silence)}, {"question_id": QUESTION}, 422,
         "no speech was heard in the recording"),
        ("eleven minutes", {"file": ("a.flac", flac_of_silence(11 * 60))},
         {"question_id": QUESTION}, 413, "longer than the 10-minute limit"),
    ]  # fmt: skip
    for what, files, data, status, message in cases:
        r = post(live_server, files, data)
        assert r.status_code == status, (what, r.status_code, r.text)
        assert message in r.json()["detail"], (what, r.text)
    # not multipart at all
    r = httpx.post(live_server.base_url + PATH, json={"question_id": QUESTION}, timeout=10)
    assert r.status_code == 422 and "multipart/form-data" in r.json()["detail"]
    # a WAV cut in the middle of its samples is read as far as it goes
    r = score(live_server, "half.wav", wav[: len(wav) // 2])
    assert r.status_code == 200 and r.json()["seconds"] < 3
    # a float WAV with NaN, infinities and peaks past full scale: read as silence and clipped
    audio = load_audio(clip(speech_clips, "jfk.flac").path)
    audio[8000:8400], audio[20000:20100], audio[30000:30050] = np.nan, np.inf, 40.0
    samples = audio.astype("<f4").tobytes()
    header = b"RIFF" + struct.pack("<I", 36 + len(samples)) + b"WAVEfmt "
    header += struct.pack("<IHHIIHH", 16, 3, 1, SAMPLE_RATE, SAMPLE_RATE * 4, 4, 32)
    header += b"data" + struct.pack("<I", len(samples))
    r = score(live_server, "float.wav", header + samples)
    assert r.status_code == 200 and "your country" in r.json()["transcript"], r.text
    assert "Traceback" not in live_server.log()


def raw_post(server, headers: str, chunks: Iterable[bytes]) -> tuple[int, dict, int]:
    """POST over a plain socket, sending ``chunks`` until the server answers; returns the
    status, the JSON body and how many body bytes were sent before the answer came."""
    port = int(server.base_url.rsplit(":", 1)[1])
    sent = 0
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(
            f"POST {PATH} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{headers}\r\n".encode("latin-1")
        )
        for piece in chunks:
            if select.select([sock], [], [], 0)[0]:
                break  # the answer is there
            try:
                sock.sendall(piece)
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += len(piece)
        data = b""
        while b"\r\n\r\n" not in data or len(data.split(b"\r\n\r\n", 1)[1]) < _length(data):
            more = sock.recv(65536)
            if not more:
                break
            data += more
    head, body = data.split(b"\r\n\r\n", 1)
    return int(head.split()[1]), json.loads(body[: _length(data)]), sent


def _length(data: bytes) -> int:
    for line in data.split(b"\r\n\r\n", 1)[0].split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return int(line.split(b":")[1])
    return 1 << 30


def test_the_size_cap_holds_while_the_body_streams_in(live_server):
    boundary = "capcapcap"
    ctype = f"Content-Type: multipart/form-data; boundary={boundary}\r\n"

    def body(total_mib: int) -> Iterator[bytes]:
        """A chunked multipart body with a ``total_mib`` MiB file: far more than the cap."""
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="question_id"\r\n\r\n'
            f"{QUESTION}\r\n--{boundary}\r\n"
            'Content-Disposition: form-data; name="file"; filename="big.wav"\r\n\r\n'
        ).encode()
        yield b"%x\r\n%s\r\n" % (len(head), head)
        block = os.urandom(MIB)
        for _ in range(total_mib):
            yield b"%x\r\n%s\r\n" % (len(block), block)

    t0 = time.monotonic()
    status, out, sent = raw_post(live_server, ctype + "Transfer-Encoding: chunked\r\n", body(200))
    assert status == 413 and out["detail"] == "the file is over the 25 MiB upload limit"
    assert sent < 40 * MIB  # refused soon after the cap, not after reading 200 MiB
    # a declared length over the cap is refused before any of the body is sent
    status, out, sent = raw_post(live_server, ctype + f"Content-Length: {200 * MIB}\r\n", [])
    assert status == 413 and "25 MiB" in out["detail"] and sent == 0
    assert time.monotonic() - t0 < 30
    assert httpx.get(live_server.base_url + "/api/health").json()["status"] == "ok"


def test_the_server_keeps_serving_while_uploads_are_processed(live_server, speech_clips):
    """Health checks answer promptly while recordings are decoded and transcribed, and while
    a bad upload streams in slowly."""
    jfk = clip(speech_clips, "jfk.flac").path.read_bytes()
    results: list[int] = []

    def uploads() -> None:
        for _ in range(3):
            results.append(score(live_server, "jfk.flac", jfk).status_code)
        results.append(score(live_server, "long.flac", flac_of_silence(11 * 60)).status_code)

    def slow_garbage() -> Iterator[bytes]:
        for _ in range(10):
            time.sleep(0.1)
            yield os.urandom(1000)

    worker = threading.Thread(target=uploads)
    slow = threading.Thread(
        target=lambda: results.append(
            httpx.post(
                live_server.base_url + PATH,
                content=slow_garbage(),
                headers={"Content-Type": "multipart/form-data; boundary=x"},
                timeout=30,
            ).status_code
        )
    )
    worker.start()
    slow.start()
    latencies = []
    while worker.is_alive() or slow.is_alive():
        t = time.perf_counter()
        assert httpx.get(live_server.base_url + "/api/health", timeout=5).status_code == 200
        latencies.append(time.perf_counter() - t)
        time.sleep(0.05)
    worker.join()
    slow.join()
    assert sorted(results) == [200, 200, 200, 413, 422], results
    assert len(latencies) >= 10 and max(latencies) < 0.5, latencies


def test_nothing_is_stored_and_nothing_said_is_logged(live_server, speech_clips):
    def stored() -> tuple[list, list]:
        folder = live_server.data_dir / "recordings"
        sessions = httpx.get(live_server.base_url + "/api/sessions").json()
        return sessions, sorted(folder.iterdir()) if folder.is_dir() else []

    before = stored()
    r = score(live_server, "jfk.flac", clip(speech_clips, "jfk.flac").path.read_bytes())
    assert r.status_code == 200
    assert stored() == before
    log = live_server.log()
    assert "recording scored" in log
    for words in ("fellow Americans", "your country"):
        assert words not in log


def test_the_route_is_in_the_openapi_document(live_server):
    spec = httpx.get(live_server.base_url + "/openapi.json").json()
    op = spec["paths"][PATH]["post"]
    form = op["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert set(form["required"]) == {"question_id", "file"}
    assert {"400", "413", "415", "422"} <= set(op["responses"])
