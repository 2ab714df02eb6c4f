"""What makes a re-run skip a report: a fingerprint of everything its outputs are made from.

The params file, the template notebook, the records of its year and of earlier years, and
this library itself (code, editions, templates): when none of them changed since the report's
last good run, and all of its outputs are still there, it is not made again. Caching is kept
apart from running, as jupyter-cache keeps it: the executors never look at it.
"""
from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from . import folder as outputs
from .folder import Outcome


def fingerprint(params_file: str, input_files: list[str], root: Path) -> str:
    """The digest of the library, and of each input file's path and content. A path is taken
    relative to the project folder `root`, so that a project moved or copied elsewhere keeps its
    reports' fingerprints and skips what is unchanged."""
    digest = hashlib.sha256(_library())
    for path in [params_file, *input_files]:
        digest.update(_relative(Path(path), root).encode())
        try:  # only a regular file: a named pipe would hold the batch until someone writes to it
            digest.update(Path(path).read_bytes() if Path(path).is_file() else b"missing")
        except OSError:  # missing or unreadable: the run itself will say why
            digest.update(b"missing")
    return digest.hexdigest()


def _relative(path: Path, root: Path) -> str:
    """A path relative to the project folder when it lies inside, else as it is (a folder the
    command line allowed)."""
    absolute = (root / path).resolve()
    return str(absolute.relative_to(root.resolve())) if absolute.is_relative_to(root.resolve()) else str(absolute)


@functools.cache
def _library() -> bytes:
    """The package's own files, as one digest: a new version of the library renders again."""
    digest = hashlib.sha256()
    package = Path(__file__).parents[1]
    for path in sorted(p for p in package.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(str(path.relative_to(package)).encode())
        digest.update(path.read_bytes())
    return digest.digest()


def unchanged(folder: Path, last: Outcome | None, inputs: str) -> bool:
    """Whether the last run (its outcome as read from run.json, None when there is none or it
    cannot be read) was good, was made from the same inputs, and left all its outputs."""
    return bool(last and last.ok and last.inputs == inputs
                and all((folder / name).exists() for name in outputs.OUTPUTS))
