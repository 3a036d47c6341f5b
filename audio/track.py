"""A WAV track written while the session goes: crash-safe to within one flush interval.

The header is rewritten on every flush, so a reader always sees a valid file whose length
matches what reached the disk; after a crash, ``repair`` fixes a stale header from the size.
"""

from __future__ import annotations

import os
import struct
from pathlib import Path

from audio.pcm import SAMPLE_RATE

HEADER_BYTES = 44


def _header(data_bytes: int) -> bytes:
    return (
        b"RIFF"
        + struct.pack("<I", 36 + data_bytes)
        + b"WAVEfmt "
        + struct.pack("<IHHIIHH", 16, 1, 1, SAMPLE_RATE, SAMPLE_RATE * 2, 2, 16)
        + b"data"
        + struct.pack("<I", data_bytes)
    )


class TrackWriter:
    """16 kHz mono int16 WAV that grows in place; positions are in samples on the session clock."""

    def __init__(self, path: Path, *, flush_every_samples: int = SAMPLE_RATE // 2) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists() and path.stat().st_size >= HEADER_BYTES:
            self._file = open(path, "r+b")  # noqa: SIM115 - long-lived handle, closed in close()
            size = path.stat().st_size
            self._samples = (size - HEADER_BYTES) // 2
            self._file.truncate(HEADER_BYTES + self._samples * 2)
        else:
            self._file = open(path, "w+b")  # noqa: SIM115
            self._file.write(_header(0))
            self._samples = 0
        self._file.seek(0, os.SEEK_END)
        self._unflushed = 0
        self._flush_every = flush_every_samples

    @property
    def samples(self) -> int:
        return self._samples

    def append(self, pcm: bytes) -> None:
        self._file.seek(0, os.SEEK_END)
        self._file.write(pcm)
        n = len(pcm) // 2
        self._samples += n
        self._unflushed += n
        if self._unflushed >= self._flush_every:
            self.flush()

    def write_at(self, sample: int, pcm: bytes) -> None:
        """Write at a session-clock position, padding any gap before it with silence."""
        if sample > self._samples:
            self.append(b"\x00\x00" * (sample - self._samples))
        if sample == self._samples:
            self.append(pcm)
            return
        self._file.seek(HEADER_BYTES + sample * 2)
        self._file.write(pcm)
        self._samples = max(self._samples, sample + len(pcm) // 2)
        self._unflushed += len(pcm) // 2
        if self._unflushed >= self._flush_every:
            self.flush()

    def read(self, start: int, end: int) -> bytes:
        """PCM of samples ``[start, end)`` as written so far (for re-decoding an answer)."""
        start = max(0, min(start, self._samples))
        end = max(start, min(end, self._samples))
        self._file.flush()
        return os.pread(self._file.fileno(), (end - start) * 2, HEADER_BYTES + start * 2)

    def truncate(self, sample: int) -> None:
        """Cut the track at ``sample`` (the interviewer was interrupted there)."""
        if sample < self._samples:
            self._file.truncate(HEADER_BYTES + sample * 2)
            self._samples = sample
            self.flush()

    def flush(self) -> None:
        self._file.seek(0)
        self._file.write(_header(self._samples * 2))
        self._file.seek(0, os.SEEK_END)
        self._file.flush()  # to the OS: survives the process being killed (not power loss)
        self._unflushed = 0

    def close(self) -> None:
        if not self._file.closed:
            self.flush()
            self._file.close()


def repair(path: Path) -> int:
    """Make a WAV left by a crash consistent with its size; return its length in samples."""
    size = path.stat().st_size
    samples = max(0, (size - HEADER_BYTES) // 2)
    with open(path, "r+b") as f:
        f.truncate(HEADER_BYTES + samples * 2)
        f.seek(0)
        f.write(_header(samples * 2))
    return samples
