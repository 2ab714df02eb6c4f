"""Reviewers' decisions on findings, kept as data beside the records.

One file per agency-year, named as its params file: reviews/<year>/<name>.yaml, a list of

    - finding: 3f9a1c2b7e04      # the finding's id (checks.json): stable while its values are
      decision: 已说明            # 需修改 (to fix) · 已说明 (explained: the note says why) · 误报 (false alarm)
      note: 该局2023年3月由两局合并，上年结转按合并后的口径填报
      by: 张三
      at: 2024-01-20

Readable, diffable, writable by hand or through `nianbao review`. The batch reads it with the
report (it is one of the report's inputs), so every page shows each finding's decision; an
error explained or marked a false alarm no longer makes the report a draft. A decision whose
finding no longer exists (the agency corrected the value, the rule changed) is reported as
stale, never silently kept.

A decision is read, added and written with the reviews folder locked (`decide`), so decisions
made at the same moment (two tabs, a double submit, two `nianbao review` on one project) each
land. A file is parsed again only when its text has changed: the desk reads every report's
file on each view.
"""
from __future__ import annotations

import datetime as dt
import fcntl
import os
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import yaml

from . import yamltext
from .errors import NianbaoError

DECISIONS = {
    "需修改": "the agency must correct it",
    "已说明": "explained: the note says why it stands",
    "误报": "a false alarm",
}
SETTLED = ("已说明", "误报")  # an error so decided does not keep the report a draft
FIELDS = ("finding", "decision", "note", "by", "at")
NOTE_LENGTH = 2000
NAME_LENGTH = 100
# A decision takes about 200 bytes, a report's file a few KB; 1 MB parses in half a second
# (105 MB took 49 s, and every view of the desk read it again).
LARGEST_FILE = 1 << 20


class ReviewsError(NianbaoError, ValueError):
    """A decisions file that cannot be used: the message names the file, the entry and the field."""


@dataclass(frozen=True)
class Decision:
    finding: str
    decision: str
    note: str = ""
    by: str = ""
    at: str = ""  # YYYY-MM-DD

    def to_dict(self) -> dict:
        return {key: value for key, value in asdict(self).items() if value}


def path_of(root: Path, year: int, name: str) -> Path:
    """Where the decisions on one agency-year are kept: reviews/<year>/<params name>.yaml."""
    return Path(root) / "reviews" / str(year) / f"{name}.yaml"


# path: the text last parsed and its decisions. Compared by text, not by time or inode, which a
# quick rewrite can leave as they were; reading a file is quick, parsing it is not.
_parsed: dict[Path, tuple[str, dict]] = {}


def load(path: Path) -> dict[str, Decision]:
    """The decisions of a file by finding id; none when it does not exist."""
    path = Path(path)
    text = _text(path)
    if text is None:
        return {}
    parsed = _parsed.get(path)
    if parsed is None or parsed[0] != text:
        parsed = _parsed[path] = (text, _decisions(text, path))
    return dict(parsed[1])


def _text(path: Path) -> str | None:
    """The text of a reviews file, or None when there is none; refused when it is too large."""
    try:
        with path.open("rb") as file:
            data = file.read(LARGEST_FILE + 1)
            if len(data) > LARGEST_FILE:
                raise ReviewsError(f"{path}: 文件过大（{os.fstat(file.fileno()).st_size / 1e6:.1f} MB），"
                                   f"审核决定文件应不超过 1 MB（每条决定约 200 字节）：请检查是否误存了其他内容")
    except FileNotFoundError:
        return None
    except OSError as error:  # a folder in its place, no permission
        from .batch.folder import describe

        raise ReviewsError(describe(error, "读取")) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ReviewsError(f"{path}: 应为 UTF-8 编码的文字") from None


def _decisions(text: str, path: Path) -> dict[str, Decision]:
    try:
        data = yamltext.load(text)
    except (yaml.YAMLError, ValueError) as error:
        raise ReviewsError(f"{path}: 不是有效的 YAML：{error}") from None
    if data is None:
        return {}
    if not isinstance(data, list):
        raise ReviewsError(f"{path}: 应为审核决定的列表，每项含 finding、decision 等字段")
    decisions = {}
    for number, entry in enumerate(data, 1):
        decision = _decision(entry, f"{path}: 第 {number} 项")
        if decision.finding in decisions:
            raise ReviewsError(f"{path}: 第 {number} 项：审核结果 {decision.finding} 已有决定（重复）")
        decisions[decision.finding] = decision
    return decisions


def _decision(entry, where: str) -> Decision:
    if not isinstance(entry, dict):
        raise ReviewsError(f"{where}：应为含 finding、decision 等字段的映射")
    unknown = [key for key in entry if key not in FIELDS]
    if unknown:
        raise ReviewsError(f"{where}：未知字段“{unknown[0]}”，可用字段：{'、'.join(FIELDS)}")
    values = {}
    for key in FIELDS:
        value = entry.get(key, "")
        if isinstance(value, dt.date):
            value = value.isoformat()
        if value is None:
            value = ""
        if not isinstance(value, str):
            raise ReviewsError(f"{where}：{key} 应为文字，实为“{str(value)[:40]}”")
        values[key] = value.strip()
    decision = Decision(**values)
    problem = problem_of(decision)
    if problem:
        raise ReviewsError(f"{where}：{problem}")
    return decision


def problem_of(decision: Decision) -> str | None:
    """What is wrong with one decision, or None: the same rules for a file and for the form."""
    if not decision.finding or not all(c in "0123456789abcdef" for c in decision.finding):
        return f"finding 应为审核结果的编号（checks.json 中的 id），实为“{decision.finding[:40]}”"
    if decision.decision not in DECISIONS:
        return f"decision 应为 {'、'.join(DECISIONS)} 之一，实为“{decision.decision[:40]}”"
    if decision.decision == "已说明" and not decision.note:
        return "decision 为“已说明”时，note 须写明理由"
    if len(decision.note) > NOTE_LENGTH:
        return f"note 过长：{len(decision.note)} 个字符，应不超过 {NOTE_LENGTH} 个字符"
    if len(decision.by) > NAME_LENGTH:
        return f"by 过长：应不超过 {NAME_LENGTH} 个字符"
    if decision.at:
        try:
            dt.date.fromisoformat(decision.at)
        except ValueError:
            return f"at 应为日期（YYYY-MM-DD），实为“{decision.at[:40]}”"
    return None


def save(path: Path, decisions: dict[str, Decision]) -> None:
    """Write the decisions whole or not at all (an interrupted write keeps the old file)."""
    from .batch.folder import write_atomically

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    entries = [decision.to_dict() for decision in decisions.values()]
    write_atomically(path, yaml.safe_dump(entries, allow_unicode=True, sort_keys=False, width=100))


def decide(path: Path, decision: Decision) -> None:
    """Record one decision in its file, in place of an earlier one on the same finding, or
    refuse it (ReviewsError) saying why."""
    from .batch.folder import describe

    problem = problem_of(decision)
    if problem:
        raise ReviewsError(problem)
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with _locked(path.parent):
            decisions = load(path)
            decisions[decision.finding] = decision
            save(path, decisions)
    except OSError as error:  # a full disk, a file where the folder should be
        raise ReviewsError(describe(error)) from None


@contextmanager
def _locked(folder: Path):
    """`folder` locked from reading a file in it to writing it, against other threads and other
    processes alike (each flock on its own descriptor waits for the others). The folder itself
    is locked: no lock file to leave behind or to be served."""
    handle = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)  # and with it the lock


def apply(findings: list, decisions: dict[str, Decision]) -> tuple[list, list[Decision]]:
    """The findings with the decisions of `decisions` (and no other), and the decisions whose
    finding no longer exists."""
    decided = [replace(f, decision=decisions[f.id].decision, note=decisions[f.id].note)
               if f.id in decisions else replace(f, decision="", note="") for f in findings]
    current = {f.id for f in findings}
    return decided, [d for finding_id, d in decisions.items() if finding_id not in current]


def open_errors(findings: list) -> int:
    """Errors no reviewer has explained or marked a false alarm: they keep a report a draft."""
    return sum(f.severity == "error" and f.decision not in SETTLED for f in findings)
