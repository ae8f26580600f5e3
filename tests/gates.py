"""A task stand-in that holds the web process's background thread until a test lets it go."""

from __future__ import annotations

import threading


class Gate:
    """Submitted to reviewapp.jobs.background_thread: waits for the event (10 s at most), and
    whatever queued behind it waits too."""

    name = "tests.gate"

    def __init__(self, gate: threading.Event) -> None:
        self.gate = gate

    def apply(self, args, kwargs, throw):
        self.gate.wait(10)
        return self

    def failed(self) -> bool:
        return False
