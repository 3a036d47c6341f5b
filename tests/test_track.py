"""Crash-safe WAV tracks."""

import wave

from audio.track import HEADER_BYTES, TrackWriter, repair


def read(path):
    with wave.open(str(path)) as w:
        return w.getframerate(), w.getnframes(), w.readframes(w.getnframes())


def test_append_flush_and_reopen(tmp_path):
    p = tmp_path / "t.wav"
    t = TrackWriter(p, flush_every_samples=320)
    t.append(b"\x01\x00" * 320)
    # flushed after 320 samples: a reader sees a valid file right away
    assert read(p)[:2] == (16000, 320)
    t.append(b"\x02\x00" * 100)
    t.close()
    assert read(p)[1] == 420
    t2 = TrackWriter(p)
    assert t2.samples == 420
    t2.append(b"\x03\x00" * 10)
    t2.close()
    _rate, n, data = read(p)
    assert n == 430 and data[-2:] == b"\x03\x00"


def test_write_at_pads_gap_and_truncate(tmp_path):
    p = tmp_path / "i.wav"
    t = TrackWriter(p)
    t.write_at(1000, b"\x05\x00" * 500)
    assert t.samples == 1500
    t.truncate(1200)
    t.close()
    _, n, data = read(p)
    assert n == 1200 and data[:2000] == b"\x00" * 2000 and data[-2:] == b"\x05\x00"


def test_repair_after_crash(tmp_path):
    p = tmp_path / "c.wav"
    t = TrackWriter(p, flush_every_samples=10**9)
    t.append(b"\x01\x00" * 1000)
    t._file.flush()  # data reached the OS, header not rewritten: as after SIGKILL
    assert read(p)[1] == 0
    assert repair(p) == 1000
    assert read(p)[1] == 1000
    assert p.stat().st_size == HEADER_BYTES + 2000
