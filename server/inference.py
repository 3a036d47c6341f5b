"""Model workers: each model runs on its own small pool of threads, off the event loop.

Jobs carry a priority (an end-of-turn decode jumps ahead of a live-caption decode), and the
queue depth is visible so a session can tell its client when transcription is falling behind.
CTranslate2 and onnxruntime release the GIL, so these threads really run in parallel.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import itertools
import queue
import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

PRIORITY_FINAL = 0
PRIORITY_SPEECH = 1
PRIORITY_PAUSE = 2
PRIORITY_PARTIAL = 5
PRIORITY_REVISE = 8  # whole-answer re-decode for the record: whenever the worker is idle


class ModelWorker:
    """A priority queue served by ``threads`` daemon threads."""

    def __init__(self, name: str, threads: int = 1) -> None:
        self.name = name
        self._queue: queue.PriorityQueue = queue.PriorityQueue()
        self._seq = itertools.count()
        self._threads = [
            threading.Thread(target=self._serve, name=f"{name}-{i}", daemon=True)
            for i in range(threads)
        ]
        self._busy = 0
        for t in self._threads:
            t.start()

    @property
    def depth(self) -> int:
        """Jobs waiting or running."""
        return self._queue.qsize() + self._busy

    async def run(self, priority: int, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._queue.put((priority, next(self._seq), fn, args, kwargs, future, loop))
        return await future

    def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run ``fn`` on a worker thread and wait for it, from a thread with no event loop
        (start-up: warming a model on the threads that will run it, so their allocator
        arenas already hold the largest buffers before the first session)."""
        future: concurrent.futures.Future[T] = concurrent.futures.Future()
        self._queue.put((PRIORITY_FINAL, next(self._seq), fn, args, kwargs, future, None))
        return future.result()

    def _serve(self) -> None:
        while True:
            item = self._queue.get()
            if item is None or item[2] is None:
                return
            _prio, _seq, fn, args, kwargs, future, loop = item
            if future.cancelled():
                continue
            self._busy += 1
            try:
                result = fn(*args, **kwargs)
            except BaseException as exc:  # handed to the awaiting coroutine
                if loop is None:
                    future.set_exception(exc)
                else:
                    loop.call_soon_threadsafe(_set_exception, future, exc)
            else:
                if loop is None:
                    future.set_result(result)
                else:
                    loop.call_soon_threadsafe(_set_result, future, result)
            finally:
                self._busy -= 1

    def close(self) -> None:
        for _ in self._threads:
            self._queue.put((1 << 30, next(self._seq), None, (), {}, None, None))


def _set_result(future: asyncio.Future, result: Any) -> None:
    if not future.done():
        future.set_result(result)


def _set_exception(future: asyncio.Future, exc: BaseException) -> None:
    if not future.done():
        future.set_exception(exc)
