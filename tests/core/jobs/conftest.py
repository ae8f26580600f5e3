"""A broker we control: sends are recorded (or refused, as when Redis is down) and a worker's
delivery is `deliver`, which runs the message as the worker would."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from celery import shared_task
from django.db import OperationalError

from reviewapp import jobs

RUNS: list[tuple] = []


@shared_task(base=jobs.TrackedTask, name="tests.core.jobs.sample")
def sample(label: str, fail: str = "") -> dict:
    """A tracked task for these tests: remembers its runs, fails when asked."""
    RUNS.append((label,))
    if fail == "boom":
        raise ValueError("boom")
    if fail == "database-once" and len(RUNS) == 1:
        raise OperationalError("server closed the connection unexpectedly")
    return {"label": label}


@dataclass
class FakeBroker:
    down: bool = False
    sent: list[tuple[Any, tuple, str]] = field(default_factory=list)

    def send(self, task: Any, *args: Any, task_id: str | None = None, **kwargs: Any) -> None:
        if self.down:
            raise jobs.QueueUnavailable(
                "Error 111 connecting to 127.0.0.1:6379. Connection refused."
            )
        self.sent.append((task, args, task_id))

    def deliver(self) -> list[Any]:
        """Run every message sent so far, as a worker receiving them would (errors are not
        raised into the caller, retries run again)."""
        messages, self.sent = self.sent, []
        return [
            task.apply(args=args, task_id=task_id, throw=False).get()
            for task, args, task_id in messages
        ]


@pytest.fixture
def broker(monkeypatch) -> FakeBroker:
    fake = FakeBroker()
    monkeypatch.setattr(jobs, "send", fake.send)
    RUNS.clear()
    return fake
