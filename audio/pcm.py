"""16 kHz mono int16 PCM: the one audio format used everywhere inside the coach."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

import numpy as np

SAMPLE_RATE = 16_000
FRAME_MS = 20
FRAME_SAMPLES = SAMPLE_RATE * FRAME_MS // 1000  # 320
FRAME_BYTES = FRAME_SAMPLES * 2  # 640


def ms_to_samples(ms: float) -> int:
    return round(ms * SAMPLE_RATE / 1000)


def samples_to_ms(samples: int) -> int:
    return samples * 1000 // SAMPLE_RATE


def int16_to_float(pcm: bytes | np.ndarray) -> np.ndarray:
    """int16 PCM (bytes or array) to float32 in [-1, 1], the format whisper wants."""
    arr = np.frombuffer(pcm, dtype="<i2") if isinstance(pcm, bytes | bytearray) else pcm
    return arr.astype(np.float32) / 32768.0


def float_to_int16(audio: np.ndarray) -> np.ndarray:
    return (np.clip(audio, -1.0, 1.0) * 32767.0).astype("<i2")


def resample(audio: np.ndarray, src_rate: int, dst_rate: int = SAMPLE_RATE) -> np.ndarray:
    """Resample float32 mono audio with libswresample (PyAV), the same resampler ffmpeg uses."""
    if src_rate == dst_rate or audio.size == 0:
        return audio.astype(np.float32, copy=False)
    import av

    resampler = av.AudioResampler(format="flt", layout="mono", rate=dst_rate)
    frame = av.AudioFrame.from_ndarray(
        audio.astype(np.float32).reshape(1, -1), format="flt", layout="mono"
    )
    frame.sample_rate = src_rate
    out = [f.to_ndarray().reshape(-1) for f in resampler.resample(frame)]
    out += [f.to_ndarray().reshape(-1) for f in resampler.resample(None)]
    return np.concatenate(out).astype(np.float32) if out else np.zeros(0, np.float32)


class AudioDecodeError(ValueError):
    """The file is missing or not in a format PyAV can read."""


class AudioTooLongError(ValueError):
    """The audio runs past the length the caller accepts (decoding stopped there)."""


# Demuxers an uploaded file may be probed with: audio containers only. Some of ffmpeg's other
# demuxers (hls, concat, image2 patterns...) open further files or URLs named inside the
# input, which an upload from the network must never make the server do.
UPLOAD_FORMATS = "wav,w64,flac,mp3,ogg,matroska,webm,mov,mp4,m4a,aac,aiff,caf,amr,au,wv"


def load_audio(path: str | Path) -> np.ndarray:
    """Decode any file PyAV reads to 16 kHz mono float32, naming the problem when it cannot."""
    path = Path(path)
    if not path.is_file():
        raise AudioDecodeError(f"{path}: no such file")
    try:
        return _decode(str(path))
    except AudioDecodeError as exc:
        raise AudioDecodeError(f"{path}: {exc}") from exc.__cause__


def decode_upload(file: BinaryIO, *, max_seconds: float | None = None) -> np.ndarray:
    """Decode an uploaded recording (a seekable binary file) to 16 kHz mono float32.

    Only the container formats in ``UPLOAD_FORMATS`` are probed. Decoding stops with
    ``AudioTooLongError`` as soon as the audio passes ``max_seconds``, so a long recording
    that compresses well (silence, a low bitrate) never grows memory past the cap.
    ``AudioDecodeError`` carries the reason alone (no file name: an upload has none).
    Float formats may carry NaN, infinities or peaks past full scale: they come back as
    silence and full scale, so the voice detector and whisper see ordinary samples.
    """
    max_samples = None if max_seconds is None else int(max_seconds * SAMPLE_RATE)
    options = {"format_whitelist": UPLOAD_FORMATS}
    audio = _decode(file, options=options, max_samples=max_samples)
    np.nan_to_num(audio, copy=False, nan=0.0, posinf=1.0, neginf=-1.0)
    return np.clip(audio, -1.0, 1.0, out=audio)


def _decode(
    source: str | BinaryIO,
    *,
    options: dict[str, str] | None = None,
    max_samples: int | None = None,
) -> np.ndarray:
    """Decode the first audio stream of ``source``; ``AudioDecodeError`` names why not."""
    import av

    chunks: list[np.ndarray] = []
    total = 0
    try:
        with av.open(source, mode="r", options=options or {}) as container:
            if not container.streams.audio:
                raise AudioDecodeError("the file has no audio stream")
            resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
            for frame in container.decode(audio=0):
                for out in resampler.resample(frame):
                    chunks.append(out.to_ndarray().reshape(-1))
                    total += chunks[-1].size
                if max_samples is not None and total > max_samples:
                    raise AudioTooLongError(
                        f"the audio is longer than {max_samples / SAMPLE_RATE:.0f} s"
                    )
            for out in resampler.resample(None):
                chunks.append(out.to_ndarray().reshape(-1))
    except (AudioDecodeError, AudioTooLongError):
        raise
    except av.error.ArgumentError as exc:
        if options and "format_whitelist" in options:  # probed as a format not accepted
            raise AudioDecodeError(
                "not an audio format the coach reads (use WAV, FLAC, MP3, Ogg, WebM, MP4/M4A, "
                "AAC, AIFF or CAF)"
            ) from exc
        raise AudioDecodeError(f"not an audio file PyAV can decode ({exc.strerror})") from exc
    except (av.error.FFmpegError, UnicodeDecodeError, EOFError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise AudioDecodeError(f"not an audio file PyAV can decode ({reason})") from exc
    if sum(c.size for c in chunks) == 0:
        raise AudioDecodeError("the audio stream is empty")
    return np.concatenate(chunks).astype(np.float32)
