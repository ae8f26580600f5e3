"""Celery application. Without REDIS_URL tasks run in-process (eager), see settings."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reviewapp.settings")

app = Celery("reviewapp")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(bind=True, ignore_result=False)
def ping(self) -> dict:
    """Answer with the worker's process id: proves a task crossed the broker."""
    return {"pid": os.getpid(), "hostname": self.request.hostname}
