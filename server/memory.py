"""Give freed native memory back to the operating system, now and then.

The speech models run in native code (CTranslate2, onnxruntime) on several threads; glibc's
allocator keeps what they free in per-thread arenas, so under a long overload the server's
resident memory creeps up in steps even though nothing is kept (measured: 12-15 MB per
minute with 20 sessions on 2 cores). ``malloc_trim`` hands the free pages back. A no-op
where the C library has no ``malloc_trim`` (not glibc).
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import ctypes.util
import logging

log = logging.getLogger("coach.memory")


def _malloc_trim():
    name = ctypes.util.find_library("c")
    if not name:
        return None
    try:
        return ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):
        return None


async def trim_periodically(every_s: float) -> None:
    """Run ``malloc_trim(0)`` in a thread every ``every_s`` seconds until cancelled."""
    trim = _malloc_trim()
    if trim is None or every_s <= 0:
        return
    while True:
        await asyncio.sleep(every_s)
        with contextlib.suppress(OSError):
            await asyncio.to_thread(trim, 0)
