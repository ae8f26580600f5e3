"""Measurements in a fresh Python process, so that a peak memory is that run's own.

A bench script runs one step of itself in a child (``in_fresh_process(__file__, "--one", ...)``);
the child prints its result as JSON on its last line.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def peak_mb() -> float:
    """This process's resident-memory high-water mark, in MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def in_fresh_process(script: str, *argv: str) -> dict:
    """Run `script argv...` in a new interpreter from the repo root; its last line, as JSON."""
    out = subprocess.run([sys.executable, script, *argv], capture_output=True, text=True, cwd=REPO)
    if out.returncode:
        sys.exit(f"{' '.join(argv)} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])
