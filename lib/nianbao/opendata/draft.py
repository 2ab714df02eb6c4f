"""The narrative drafted from the tables, for the parts an analyst has not written yet.

What the tables say every report says again in words, and evaluators find those words
contradicting the tables more often than any fault but lateness. So the sentences that only
restate figures are written here, from the same figures as the 图解 (figures.py): in part 一
(the first narrative part) a paragraph on 主动公开 and one on 依申请公开, and a lead sentence
before each table of the formats that give every table a part of its own (2019, 2021); the
legacy report, whose table is one attachment, gets a paragraph on 行政复议、行政诉讼 in its
narrative instead. A government's report speaks of its summed tables.

Each drafted paragraph begins with MARK. The mark travels with the text wherever it goes (the
YAML record, the workbook's cells, the notebook) and shows in every drawing of the report, so a
draft cannot be published unnoticed; the analyst edits the text and deletes the mark.

Only a part that holds no text is drafted: an analyst's words are never replaced. A sentence
the edition's text-against-table rules (text_number) would find fault with is not written:
each paragraph is checked against them before it is (for a table whose own checks fail, the
sentence states what the table says, and the table's finding stands).
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from .. import checks
from ..pages import place
from ..record import Record
from .figures import CORRECTED, Figure, figures
from .insert import DraftError, write

__all__ = ["MARK", "DraftError", "drafted", "into_file"]

MARK = "【待核改】"
_OUTCOMES = ("disclosed", "partly", "withheld", "unavailable", "not_processed", "other")


def drafted(record: Record, packs=()) -> tuple[dict[str, str], list[str]]:
    """({part id: drafted Markdown} for the empty parts the tables speak for, and what was left
    out and why, for a person). `packs` are the project's rule packs, whose text rules the
    drafted sentences must pass too."""
    known = figures(record)
    subject = "本报告涵盖的各单位" if record.covers else "本机关"
    opening = f"{record.year}年，{subject}"
    parts = record.spec.parts
    first = next((part for part in parts if part.narrative), None)
    tables = [part for part in parts if part.table]
    separate = len(tables) > 1  # a part per table: each gets its lead
    wanted: dict[str, list[str]] = {}
    if first is not None:
        numbered = separate  # 2019 and 2021 number part 一's paragraphs after its five subjects
        wanted[first.id] = [
            _headed("（一）主动公开。" if numbered else "", _sentence(opening, _documents(known), _decisions(known))),
            _headed("（二）依申请公开。" if numbered else "", _sentence(opening, _requests(known, outcomes=False))),
            *([] if separate else [_sentence(opening, _reviews(known))]),
        ]
    for part in tables if separate else []:
        wanted[part.id] = [_lead(opening, {key: f for key, f in known.items() if f.table == part.table})]
    texts, left_out = {}, []
    for part_id, paragraphs in wanted.items():
        if record.parts.get(part_id, "").strip():
            continue  # written by the analyst: never replaced
        kept = []
        for paragraph in filter(None, paragraphs):
            faults = _faults(record, part_id, MARK + paragraph, packs)
            if faults:
                left_out.append(f"{place(part_id)}：未起草“{paragraph[:30]}…”，因其与表格核对不符（{faults}）")
            else:
                kept.append(MARK + paragraph)
        if kept:
            texts[part_id] = "\n\n".join(kept)
    return texts, left_out


def into_file(record: Record, path: Path, packs=()) -> tuple[dict[str, str], list[str]]:
    """Draft the record's empty parts into its file at `path` (its own; for a government's
    report, `record` is its sum): ({part id: the text written}, what was done in lines for a
    person). DraftError when the file cannot take them."""
    texts, left_out = drafted(record, packs)
    written, not_written = write(path, texts)
    kept = [place(part.id) for part in record.spec.parts if record.parts.get(part.id, "").strip()]
    lines = [f"{path}：" + (f"已起草{'、'.join(map(place, written))}，每段以{MARK}开头：请核对、改写后删去该标记"
                            if written else "没有可起草的部分")]
    lines += [f"  已有文字，未改动：{'、'.join(kept)}"] * bool(kept)
    lines += [f"  {line}" for line in [*left_out, *not_written]]
    return written, lines


def _lead(opening: str, mine: dict[str, Figure]) -> str:
    """The sentence before a table: everything of it the figures hold."""
    groups = {f.group for f in mine.values()}
    if "依申请公开" in groups:
        return _sentence(opening, _requests(mine, outcomes=True))
    if "复议诉讼" in groups:
        return _sentence(opening, _reviews(mine))
    return _sentence(opening, _documents(mine), _decisions(mine), _fees(mine))


def _headed(heading: str, sentence: str) -> str:
    return heading + sentence if sentence else ""


def _sentence(opening: str, *clauses: str) -> str:
    said = [clause for clause in clauses if clause]
    return f"{opening}{'；'.join(said)}。" if said else ""


def _known(known: dict[str, Figure], *ids: str) -> list[Figure]:
    return [known[key] for key in ids if key in known and known[key].value is not None]


def _documents(known: dict[str, Figure]) -> str:
    """Documents issued and in force (表二's 第二十条第（一）项), or the legacy count of items."""
    said = [f"{f.label}{f.said}" for f in _known(known, "proactive")]
    issued = _known(known, "rules_issued", "normative_issued")
    if issued:
        said.append("制发" + "、".join(f"{f.label.removeprefix('制发')}{f.said}" for f in issued))
    said += [f"{f.label}{f.said}" for f in _known(known, "normative_in_force")]
    return "，".join(said)


def _decisions(known: dict[str, Figure]) -> str:
    decided = _known(known, "licensing", "penalty", "enforcement")
    return ("作出" + "、".join(f"{f.label}{f.said}" for f in decided)) if decided else ""


def _fees(known: dict[str, Figure]) -> str:
    return "，".join(f"收取{f.label}{f.said}" if f.value else f"未收取{f.label}"
                    for f in _known(known, "fee", "request_fee"))


def _requests(known: dict[str, Figure], outcomes: bool) -> str:
    """Applications received (or none), carried in, handled with how they ended, carried out."""
    said = []
    received, carried_in = (known[key].value if key in known else None for key in ("received", "carried_in"))
    if received == 0:
        said.append("未收到新的政府信息公开申请" if carried_in else "未收到政府信息公开申请")
    elif received is not None:
        said.append(f"共收到政府信息公开申请{known['received'].said}")
    said += [f"上年结转{f.said}" for f in _known(known, "carried_in") if f.value]
    for f in _known(known, "handled"):
        if f.value or received:
            ended = [f"{o.label}{o.said}" for o in _known(known, *_OUTCOMES) if o.value] if outcomes else []
            said.append(f"办理完毕{f.said}" + (f"，其中{'、'.join(ended)}" if ended else ""))
    said += [f"结转下年度继续办理{f.said}" for f in _known(known, "carried_out") if f.value or received]
    return "，".join(said)


def _reviews(known: dict[str, Figure]) -> str:
    """行政复议 and 行政诉讼 with their 纠正, or that there were none."""
    review, litigation = (known[key].value if key in known else None for key in ("review", "litigation"))
    if review == 0 and litigation == 0:
        return "未发生因政府信息公开引发的行政复议和行政诉讼"
    said = []
    for total, corrected in CORRECTED.items():
        [figure] = _known(known, total) or [None]
        if figure is None:
            continue
        if not figure.value:
            said.append(f"未发生政府信息公开{figure.label}")
            continue
        fixed = _known(known, corrected)
        said.append(f"发生政府信息公开{figure.label}{figure.said}" + (f"，其中结果纠正{fixed[0].said}" if fixed else ""))
    return "；".join(said)


def _faults(record: Record, part_id: str, text: str, packs) -> str:
    """What the text-against-table rules find in this text alone, as the record's part: the
    rules' ids, or ""."""
    kinds = {rule["id"] for rule in record.spec.rules if rule["kind"] == "text_number"}
    kinds |= {rule["id"] for pack in packs for rule in pack.rules if rule["kind"] == "text_number"}
    alone = replace(record, parts={part_id: text})
    found = [f for f in checks.check(alone, packs=packs) if f.rule in kinds and f.part == part_id]
    return "、".join(dict.fromkeys(f.rule for f in found))
