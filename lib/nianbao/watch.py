"""Publication watch: what became of each published original since an audit first read it.

An audit keeps, in its output folder, a ledger (`originals.csv`) of every original it read: its
path under the audited folder, SHA-256 and size, when it was first read and read last, and the
first reading's digest. A later audit of the same folder into the same output folder compares:
a file whose bytes differ from its first reading (same name, changed content) is 已变更 until
its content is back, with the time the change was first seen; a file the ledger does not hold
is 新增; one it holds that is gone is 已删除 (kept in the ledger with the time it was missed).

The ledger is written whole to a temporary file and moved into place (os.replace), after the
audit is done: an audit that fails midway, or a file that cannot be read this time (its earlier
row is kept as it was), never loses what an earlier audit recorded.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import os
import tempfile
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path

LEDGER = "originals.csv"
UNCHANGED, CHANGED, NEW, REMOVED, UNREADABLE = "未变", "已变更", "新增", "已删除", "本次无法读取"


@dataclass(frozen=True)
class Original:
    """One published file as the ledger holds it (a row of originals.csv)."""
    file: str            # its path under the audited folder, with /
    status: str          # what this audit found of it: one of the statuses above
    sha256: str          # of its bytes as last read
    bytes: int
    read: str            # when it was last read (ISO 8601, to the second)
    first_read: str
    first_sha256: str
    changed: str = ""    # when content other than the first reading's was first seen
    removed: str = ""    # when it was first missed
    reason: str = ""     # why it could not be read this time

    @property
    def differs(self) -> bool:
        return self.sha256 != self.first_sha256


@dataclass(frozen=True)
class Watch:
    """What an audit found of the originals, and whether an earlier ledger was there to compare."""
    originals: list[Original]
    earlier: bool
    note: str = ""  # what became of an earlier ledger that could not be read

    def having(self, *statuses: str) -> list[Original]:
        return [o for o in self.originals if o.status in statuses]

    @property
    def changed(self) -> list[Original]:
        """Every file whose content is not what was first read, whenever it changed."""
        return [o for o in self.originals if o.status == CHANGED or o.status == UNREADABLE and o.differs]


def now() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


def watch(folder: Path, paths: list[Path], out: Path, when: str | None = None) -> Watch:
    """Each original of `paths` (under `folder`) read and compared with the ledger in `out`;
    nothing written yet (see `write`)."""
    when = when or now()
    earlier, note = _load(out / LEDGER)
    had = bool(earlier)
    found = []
    for path in paths:
        name = path.relative_to(folder).as_posix()
        before = earlier.pop(name, None)
        try:
            digest, size = _digest(path)
        except OSError as error:
            reason = f"{error.strerror or error}"
            found.append(replace(before, status=UNREADABLE, reason=reason) if before else
                         Original(name, UNREADABLE, "", 0, when, when, "", reason=reason))
            continue
        if before is None or before.status == UNREADABLE and not before.first_sha256:
            found.append(Original(name, NEW, digest, size, when, when, digest))
            continue
        if digest == before.first_sha256:
            status, changed = UNCHANGED, ""
        else:  # when this content was first seen: kept from the audit that saw it
            status, changed = CHANGED, (before.changed if digest == before.sha256 else "") or when
        found.append(replace(before, status=status, sha256=digest, bytes=size, read=when, changed=changed,
                             removed="", reason=""))
    for gone in earlier.values():
        found.append(replace(gone, status=REMOVED, removed=gone.removed or when, reason=""))
    return Watch(sorted(found, key=lambda o: o.file), earlier=had, note=note)


def write(result: Watch, out: Path) -> None:
    """The ledger, replaced whole: written to a temporary file of the folder, then moved."""
    handle = tempfile.NamedTemporaryFile("w", encoding="utf-8-sig", newline="", dir=out, prefix=".originals-",
                                         suffix=".csv", delete=False)
    try:
        with handle:
            writer = csv.DictWriter(handle, [f.name for f in fields(Original)])
            writer.writeheader()
            writer.writerows(asdict(o) for o in result.originals)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(handle.name, out / LEDGER)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise


def read(out: Path) -> Watch | None:
    """The ledger an audit wrote, or None when there is none."""
    originals, _ = _load(out / LEDGER)
    return Watch(list(originals.values()), earlier=True) if originals else None


def _digest(path: Path) -> tuple[str, int]:
    with path.open("rb") as handle:
        digest = hashlib.file_digest(handle, "sha256").hexdigest()
        return digest, handle.tell()


def _load(path: Path) -> tuple[dict[str, Original], str]:
    """The earlier ledger by file, and what became of it when it could not be read: it is set
    aside under another name, not overwritten."""
    if not path.is_file():
        return {}, ""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
        return {row["file"]: Original(**{**row, "bytes": int(row["bytes"])}) for row in rows}, ""
    except (OSError, UnicodeDecodeError, csv.Error, KeyError, TypeError, ValueError) as error:
        kept = path.with_name(f"{path.stem}-无法读取-{dt.datetime.now():%Y%m%d%H%M%S}{path.suffix}")
        try:
            path.rename(kept)
        except OSError:
            return {}, f"{path.name} 无法读取（{error}），也无法改名保留，本次不比较"
        return {}, f"{path.name} 无法读取（{error}），已改名保留为 {kept.name}，本次重新建立台账"
