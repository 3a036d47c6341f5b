"""16 kHz mono int16 PCM: the one audio format used everywhere inside the coach."""

from __future__ import annotations

from pathlib import Path

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


def load_audio(path: str | Path) -> np.ndarray:
    """Decode any file PyAV reads to 16 kHz mono float32, naming the problem when it cannot."""
    import av

    path = Path(path)
    if not path.is_file():
        raise AudioDecodeError(f"{path}: no such file")
    try:
        with av.open(str(path)) as container:
            if not container.streams.audio:
                raise AudioDecodeError(f"{path}: the file has no audio stream")
            resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
            chunks: list[np.ndarray] = []
            for frame in container.decode(audio=0):
                for out in resampler.resample(frame):
                    chunks.append(out.to_ndarray().reshape(-1))
            for out in resampler.resample(None):
                chunks.append(out.to_ndarray().reshape(-1))
    except AudioDecodeError:
        raise
    except (av.error.FFmpegError, UnicodeDecodeError) as exc:
        raise AudioDecodeError(f"{path}: not an audio file PyAV can decode ({exc})") from exc
    if not chunks:
        raise AudioDecodeError(f"{path}: the audio stream is empty")
    return np.concatenate(chunks).astype(np.float32)
