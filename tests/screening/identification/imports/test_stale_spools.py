"""The spool folders of a large import's second parser: the next split import removes those
that no live import holds, whatever became of the process id in their name."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from screening.identification import second_parser

_HOLD = (
    "import fcntl, os, sys, time\n"
    "fd = os.open(sys.argv[1], os.O_RDONLY)\n"
    "fcntl.flock(fd, fcntl.LOCK_EX)\n"
    "print('held', flush=True)\n"
    "time.sleep(60)\n"
)


@pytest.fixture
def tmp(tmp_path, monkeypatch):
    monkeypatch.setattr(second_parser.tempfile, "tempdir", str(tmp_path))
    return tmp_path


def _spool(folder, pid: int, name: str, age: float = 0.0):
    path = folder / f"import-segments-{pid}-{name}"
    path.mkdir()
    (path / "3.copy").write_bytes(b"rows")
    if age:
        then = time.time() - age
        os.utime(path, (then, then))
    return path


def _gone_pid() -> int:
    done = subprocess.Popen(["true"])
    done.wait()
    return done.pid


def _holder(path):
    """A process that holds the spool's lock, as a running import (or its child) does."""
    holder = subprocess.Popen([sys.executable, "-c", _HOLD, str(path)], stdout=subprocess.PIPE)
    assert holder.stdout.readline() == b"held\n"
    return holder


def test_the_spool_of_a_process_that_is_gone_is_removed(tmp):
    stale = _spool(tmp, _gone_pid(), "a")
    second_parser._remove_stale_spools()
    assert not stale.exists()


def test_an_old_spool_is_removed_though_its_process_id_was_taken_again(tmp):
    # A worker killed in a container that restarted: its pid now names another process.
    stale = _spool(tmp, os.getpid(), "a", age=2 * second_parser._SPOOL_SETTLES)
    second_parser._remove_stale_spools()
    assert not stale.exists()


def test_a_spool_an_import_holds_is_kept_however_old(tmp):
    held = _spool(tmp, _gone_pid(), "a", age=3600)
    holder = _holder(held)
    try:
        second_parser._remove_stale_spools()
        assert (held / "3.copy").read_bytes() == b"rows"
    finally:
        holder.kill()
        holder.wait()
    # Killed, its lock is let go of: the next import removes the spool.
    second_parser._remove_stale_spools()
    assert not held.exists()


def test_a_spool_being_made_by_a_live_process_is_kept(tmp):
    # Made a moment ago and not locked yet: its process is alive, so it is left alone.
    young = _spool(tmp, os.getpid(), "a")
    others = [tmp / "import-segments-x-b", tmp / "notes"]
    for path in others:
        path.mkdir()
    second_parser._remove_stale_spools()
    assert young.exists() and all(path.exists() for path in others)
