"""The periodic malloc_trim: called on schedule off the event loop, stops when cancelled."""

import asyncio
import threading

from server import memory


def test_trims_on_schedule_in_a_worker_thread_and_stops_when_cancelled(monkeypatch):
    calls: list[tuple[int, bool]] = []

    def fake_trim(pad: int) -> int:
        calls.append((pad, threading.current_thread() is threading.main_thread()))
        return 1

    monkeypatch.setattr(memory, "_malloc_trim", lambda: fake_trim)

    async def main() -> None:
        task = asyncio.create_task(memory.trim_periodically(0.01))
        await asyncio.sleep(0.1)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        assert task.cancelled()

    asyncio.run(main())
    assert len(calls) >= 3
    assert all(pad == 0 and not on_main for pad, on_main in calls)


def test_disabled_or_unavailable_returns_at_once(monkeypatch):
    asyncio.run(asyncio.wait_for(memory.trim_periodically(0), 1))
    monkeypatch.setattr(memory, "_malloc_trim", lambda: None)
    asyncio.run(asyncio.wait_for(memory.trim_periodically(0.01), 1))


def test_the_real_malloc_trim_is_found_on_glibc():
    trim = memory._malloc_trim()
    assert trim is not None and trim(0) in (0, 1)
