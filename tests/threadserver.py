"""``create_app`` served by uvicorn in a thread on a free loopback port, with injected services
(stand-in models where the models are not what a test is about)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import uvicorn

from server.app import create_app
from server.config import Settings
from server.services import Services


class ThreadServer:
    def __init__(self, settings: Settings, services_factory: Callable[[Settings], Services]):
        app = create_app(settings, services_factory=services_factory)
        config = uvicorn.Config(
            app, host="127.0.0.1", port=settings.port, ws_max_size=1 << 20, log_level="warning"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.base_url = f"http://127.0.0.1:{settings.port}"
        self.ws_url = f"ws://127.0.0.1:{settings.port}/ws"

    def __enter__(self) -> ThreadServer:
        self.thread.start()
        deadline = time.monotonic() + 60
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(20)
