"""The programs the importer runs on a file (LibreOffice, Tesseract), bounded as the worker is.

Each runs under coreutils' `timeout`, with the worker's memory bound, and stops when the worker
stops: the audit stops a worker at its time limit for a file, and a program left running would
go on writing into folders already removed (LibreOffice makes them again).
"""
from __future__ import annotations

import signal
import subprocess

from .. import limits


def run(command: list[str], seconds: int, **options) -> subprocess.CompletedProcess:
    """`command`'s outcome, its output captured; return code 124 when it ran over `seconds`."""
    return subprocess.run(["timeout", "-k", "5", str(seconds), *command], capture_output=True,
                          preexec_fn=_bounded, **options)


def _bounded() -> None:
    """In the child, before `timeout` starts: the worker's memory bound, and SIGTERM when the
    worker ends, which `timeout` passes on to the program and its children."""
    limits.bound_memory()
    limits.die_with_parent(signum=signal.SIGTERM)
