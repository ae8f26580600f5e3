"""The production shape, started for one test (or one benchmark run) and then broken on purpose.

    stack = Stack.start(tmp_path, database_url)     # redis-server, gunicorn, a worker, beat
    web = stack.signed_in(user)                     # an HTTP session of that person
    stack.kill("worker"); stack.redis.stop(); ...   # the faults
    stack.stop()

Every service is private to the stack: a redis-server on a free port with no data on disk, a
gunicorn with two workers, one Celery worker (solo pool, so SIGKILL kills the running task)
and Celery beat with its sweeper worker, all on the given PostgreSQL database, with short heartbeats (1 s) and sweeps
(1 s) so that recovery is measured in seconds. `bench/faults.py` drives the same stack.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[2]
REDIS_SERVER = shutil.which("redis-server")
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate: Callable[[], Any], timeout: float, what: str, step: float = 0.2) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")


def _secret_key() -> str:
    from django.conf import settings

    return settings.SECRET_KEY


def ris(n: int, prefix: str = "fault") -> bytes:
    """A RIS export of n small, distinct records."""
    return "".join(
        f"TY  - JOUR\nTI  - Clinician engagement in research {prefix} {i}\nAU  - Smith, Jane\n"
        f"PY  - {2000 + i % 25}\nJO  - Medical Education\nDO  - 10.1000/{prefix}.{i}\n"
        f"ID  - {prefix}{i}\nER  - \n\n"
        for i in range(n)
    ).encode()


@dataclass
class RedisServer:
    port: int
    folder: Path
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        log = (self.folder / "redis.log").open("a")
        self.process = subprocess.Popen(
            [REDIS_SERVER or "redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--dir", str(self.folder)],
            stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        wait_for(self.answers, 10, "redis-server to answer")

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@dataclass
class Stack:
    folder: Path
    env: dict[str, str]
    redis: RedisServer
    web_port: int
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    # A second web server ("web2", as `--scale web=2` runs one) gets a port of its own.
    web_ports: dict[str, int] = field(default_factory=dict)

    @classmethod
    def start(cls, folder: Path, database_url: str, **env: str) -> Stack:
        folder.mkdir(parents=True, exist_ok=True)
        redis = RedisServer(free_port(), folder)
        redis.start()
        stack = cls(
            folder, cls._environment(folder, database_url, redis.url, env), redis, free_port()
        )
        try:
            stack.run("web", "worker", "beat")
        except BaseException:
            stack.stop()
            raise
        return stack

    @staticmethod
    def _environment(folder: Path, database_url: str, redis_url: str, extra: dict) -> dict:
        return {
            **os.environ,
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "CELERY_QUEUE": f"faults-{uuid.uuid4().hex[:8]}",
            "MEDIA_ROOT": str(folder / "uploads"),
            # Sessions are signed with it: the same key as the process that signs people in.
            "SECRET_KEY": _secret_key(),
            "SECURE_COOKIES": "false",
            "DEBUG": "false",
            "JOB_HEARTBEAT_SECONDS": "1",
            "JOB_SWEEP_SECONDS": "1",
            "PYTHONUNBUFFERED": "1",
            **extra,
        }

    # Processes ---------------------------------------------------------------------------

    def command(self, name: str) -> list[str]:
        python = [sys.executable, "-m"]
        if name.startswith("web"):
            return [*python, "gunicorn", "reviewapp.wsgi", "-b", f"127.0.0.1:{self.port_of(name)}",
                             "-w", "2", "--timeout", "60", "--graceful-timeout", "2"]  # fmt: skip
        if name.startswith("worker"):
            return [*python, "celery", "-A", "reviewapp", "worker", "-Q",
                             self.env["CELERY_QUEUE"], "--pool=solo", "--without-gossip",
                             "--without-mingle", "-n", f"{name}@%h", "-l", "INFO"]  # fmt: skip
        if name == "beat":  # as in docker-compose.yml: beat, and a worker for the sweeps
            return [*python, "celery", "-A", "reviewapp", "worker", "--beat", "-Q",
                    f"{self.env['CELERY_QUEUE']}-sweeper", "--pool=solo", "--without-gossip",
                    "--without-mingle", "-n", "beat@%h", "-l", "INFO",
                    "--schedule", str(self.folder / "beat-schedule")]  # fmt: skip
        raise ValueError(name)

    def log(self, name: str) -> Path:
        return self.folder / f"{name}.log"

    def run(self, *names: str) -> None:
        """Start the named processes and wait until each is ready."""
        for name in names:
            with self.log(name).open("a") as out:
                self.processes[name] = subprocess.Popen(
                    self.command(name), cwd=ROOT, env=self.env, stdout=out,
                    stderr=subprocess.STDOUT, start_new_session=True,
                )  # fmt: skip
        for name in names:
            wait_for(lambda n=name: self._ready(n), 90, f"{name} to start")

    def _ready(self, name: str) -> bool:
        process = self.processes[name]
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited: {self.log(name).read_text()[-3000:]}")
        text = self.log(name).read_text(errors="replace")
        if name.startswith("web"):
            try:
                answer = requests.get(self.url("/accounts/login/", name), timeout=2)
                return answer.status_code == 200
            except requests.RequestException:
                return False
        if name == "beat":
            return "beat: Starting" in text and " ready." in text
        return " ready." in text

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        process = self.processes[name]
        if process.poll() is None:
            os.kill(process.pid, sig)
            process.wait(timeout=15)

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                with contextlib.suppress(OSError):
                    os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(OSError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        self.redis.stop()

    # HTTP --------------------------------------------------------------------------------

    def port_of(self, server: str) -> int:
        if server == "web":
            return self.web_port
        return self.web_ports.setdefault(server, free_port())

    def url(self, path: str, server: str = "web") -> str:
        return f"http://127.0.0.1:{self.port_of(server)}{path}"

    def signed_in(self, user: Any, server: str = "web") -> Web:
        """An HTTP session of `user` (its session row written through Django in this process)."""
        from django.test import Client

        client = Client()
        client.force_login(user)
        session = requests.Session()
        session.cookies.set("sessionid", client.cookies["sessionid"].value)
        return Web(self, session, server=server)


@dataclass
class Answer:
    status: int
    seconds: float
    text: str
    location: str = ""


@dataclass
class Web:
    stack: Stack
    session: requests.Session
    answers: list[Answer] = field(default_factory=list)
    server: str = "web"  # which web server this session talks to

    def _url(self, path: str) -> str:
        return self.stack.url(path, self.server)

    def get(self, path: str, timeout: float = 30) -> Answer:
        started = time.monotonic()
        try:
            response = self.session.get(self._url(path), timeout=timeout)
            answer = Answer(response.status_code, time.monotonic() - started, response.text)
        except requests.RequestException as exc:
            answer = Answer(0, time.monotonic() - started, str(exc))
        self.answers.append(answer)
        return answer

    def upload(self, review: Any, search: Any, name: str, content: bytes) -> Answer:
        """Upload one export file as a lead does: the search page's form, then its POST."""
        page = f"/r/{review.slug}/searches/{search.pk}/"
        return self.post(page, f"{page}upload/", {"format": "auto"}, {"files": (name, content)})

    def post(
        self, page: str, action: str, data: dict | None = None, files: dict | None = None
    ) -> Answer:
        """Press a form's button: `page` gives the CSRF token, `action` takes the POST."""
        form = self.session.get(self._url(page), allow_redirects=False, timeout=30)
        assert form.status_code == 200, f"{page} answered {form.status_code}"
        token = CSRF.search(form.text).group(1)
        started = time.monotonic()
        response = self.session.post(
            self._url(action),
            data={"csrfmiddlewaretoken": token, **(data or {})},
            files=files,
            headers={"Referer": self._url(page)},
            allow_redirects=False,
            timeout=30,
        )
        answer = Answer(
            response.status_code,
            time.monotonic() - started,
            response.text,
            response.headers.get("Location", ""),
        )
        self.answers.append(answer)
        return answer
