"""How good each check is, on published reports whose faults were marked by hand.

    .venv/bin/python benchmarks/rules.py                 # every rule: alarms, true, false, misses
    .venv/bin/python benchmarks/rules.py --report hongze-2024 --findings   # one report, every finding

The gold set is benchmarks/gold/faults.yaml (its head says how it is written). Each report is
imported as `nianbao import` reads it (nianbao.importer) and checked as `nianbao audit` checks
it (nianbao.checks, the rows the import could not read being unknown, not blank), with the
agency's year before when the gold names it, on the day the set was collected. A finding counts where the report's text holds what it is about (`holds`, `cut`);
it is a true alarm when it matches a fault of its report (the same rule and, for each place the
fault names, the same place), else a false alarm; a fault no finding matches is a miss. Per
rule: precision = true / alarms, recall = faults found / faults. Each false alarm and miss is
listed with the cause judged in the gold file (rule, parsing, annotation), or 未判定.
"""
from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import sys
from collections import defaultdict
from pathlib import Path

import yaml

from nianbao import checks, editions
from nianbao.checks.text import PAIRS, flatten
from nianbao.importer import ImportFailed, read

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "benchmarks" / "gold" / "faults.yaml"
COLLECTED = dt.date(2026, 12, 6)  # the day the pages were collected: the deadline rule's "today"
PLACES = ("table", "row", "column", "part")
# Kinds whose finding says something is missing: not counted where the copy cuts the text off.
ABSENCE = {"mentions_each", "parts_present", "substance", "mentions", "blank"}
PRECISION, RECALL = 0.9, 0.8  # the aim (issue #26)
# Faults the importer reports, as it reads, rather than a rule: its notes count as alarms of
# the gold's id (a misprinted official label; a part's heading not found).
NOTES = {"导入.标签近似": "表格.标签有误", "导入.部分未找到": "结构.标题缺失"}


@dataclasses.dataclass
class Judged:
    """One report's counted findings, each with the fault it matched (or None), and its misses."""
    entry: dict
    findings: list  # (Finding, fault or None)
    misses: list    # faults
    previous_note: str = ""
    failure: str = ""  # why the import failed: every fault is then missed


def gold(path: Path = GOLD) -> list[dict]:
    """The gold entries, each with the faults, year and places of the entry it is `same_as`."""
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))["reports"]
    by_id = {entry["id"]: entry for entry in entries}
    for entry in entries:
        if "same_as" in entry:
            original = by_id[entry["same_as"]]
            for key in ("year", "level", "holds", "cut", "faults"):
                entry.setdefault(key, original.get(key))
            entry.setdefault("causes", [])
    return entries


def kinds_by_rule() -> dict[str, str]:
    """Every rule id of every edition, with its kind, and the faults the importer notes."""
    return {**{rule["id"]: rule["kind"] for edition_id in editions.available()
               for rule in editions.load(edition_id).rules}, **{gold_id: "import" for gold_id in NOTES.values()}}


def _counted(finding, entry: dict, kind: str, record) -> bool:
    """Whether the text holds what the finding is about, and does not cut off what it misses."""
    holds, cut = entry.get("holds", "all"), set(entry.get("cut") or ())
    places = [place for place in (finding.table, finding.part) if place]
    if holds != "all" and not all(place in holds for place in places):
        return False
    return not (kind in ABSENCE and any(place in cut for place in places)) and not _open_at_cut(finding, record, cut)


def _open_at_cut(finding, record, cut: set) -> bool:
    """Paired marks that do not pair (文字.规范's `“…” 成对`) in a part the copy cuts off inside a
    pair: its last opening mark stands after its last closing one, and the closing mark is what
    the cut left out (`…“2012年中国优秀政府` where the stored copy ends)."""
    if finding.part not in cut or not finding.expected.endswith("成对"):
        return False
    text = flatten(record.contact if finding.part == "contact" else record.parts.get(finding.part, ""))
    opens, closes = next(pair for pair in PAIRS if pair[0][0] == finding.expected[0])
    return max(map(text.rfind, opens)) > max(map(text.rfind, closes))


def matches(finding, fault: dict) -> bool:
    """The same rule, and each place the fault names the finding's (`item`: a subject's name)."""
    if finding.rule != fault["rule"]:
        return False
    if "item" in fault and finding.expected != fault["item"]:
        return False
    return all(getattr(finding, place) == fault[place] for place in PLACES if place in fault)


def judge(entries: list[dict], only: str | None = None) -> list[Judged]:
    kinds = kinds_by_rule()
    records, judged = {}, []
    for entry in entries:
        if only and entry["id"] != only and entry["id"] != _previous_of(entries, only):
            continue
        try:
            imported = read(ROOT / entry["file"], year=entry.get("year"))
        except ImportFailed as failed:
            judged.append(Judged(entry, [], list(entry.get("faults") or []),
                                 failure=str(failed).replace(str(ROOT) + "/", "")))
            continue
        records[entry["id"]] = imported.record
        if only and entry["id"] != only:
            continue
        record, previous, note = imported.record, records.get(entry.get("previous")), ""
        if previous is not None and (previous.agency_id, previous.year) != (record.agency_id, record.year - 1):
            note = (f"上一年度记录未用上：机关代码 {previous.agency_id} {previous.year} 年，"
                    f"本年 {record.agency_id} {record.year} 年")
            previous = None
        found = checks.check(record, previous, today=COLLECTED, unread=imported.unread, layout=imported.kind,
                               title=imported.title)
        found += [dataclasses.replace(note, rule=NOTES[note.rule]) for note in imported.notes if note.rule in NOTES]
        faults = entry.get("faults") or []
        counted = [(f, next((fault for fault in faults if matches(f, fault)), None))
                   for f in found if _counted(f, entry, kinds.get(f.rule, ""), record)]
        missed = [fault for fault in faults if not any(matches(f, fault) for f, _ in counted)]
        judged.append(Judged(entry, counted, missed, note))
    return judged


def _previous_of(entries, entry_id):
    return next((e.get("previous") for e in entries if e["id"] == entry_id), None)


def cause(entry: dict, finding=None, fault=None) -> str:
    """The cause the gold file gives a false alarm or a miss, or 未判定."""
    for judged in entry.get("causes") or []:
        if fault is not None and judged.get("miss") and all(judged.get(k) == fault.get(k) for k in ("rule", *PLACES, "item") if k in fault):
            return f"{judged['cause']}：{judged.get('note', '')}"
        if finding is not None and not judged.get("miss") and matches(finding, judged):
            return f"{judged['cause']}：{judged.get('note', '')}"
    return "未判定"


def table(judged: list[Judged], known: set[str]) -> list[tuple]:
    """Per rule: (rule, alarms, true, false, faults, found, precision, recall)."""
    alarms, true, faults, found = (defaultdict(int) for _ in range(4))
    for report in judged:
        for finding, fault in report.findings:
            alarms[finding.rule] += 1
            true[finding.rule] += fault is not None
        for fault in report.entry.get("faults") or []:
            faults[fault["rule"]] += 1
            found[fault["rule"]] += fault not in report.misses
    rows = []
    for rule in sorted(set(alarms) | set(faults), key=lambda r: (r not in known, r)):
        precision = true[rule] / alarms[rule] if alarms[rule] else None
        recall = found[rule] / faults[rule] if faults[rule] else None
        rows.append((rule, alarms[rule], true[rule], alarms[rule] - true[rule], faults[rule], found[rule],
                     precision, recall))
    return rows


def causes(judged: list[Judged]) -> dict[str, str]:
    """Per rule, the causes of its false alarms and misses as the gold file judges them:
    `误报 parsing 1；漏报 rule 1`."""
    counted = defaultdict(lambda: defaultdict(int))
    for report in judged:
        for finding, fault in report.findings:
            if fault is None:
                counted[finding.rule][("误报", cause(report.entry, finding=finding).split("：")[0])] += 1
        for fault in report.misses:
            counted[fault["rule"]][("漏报", cause(report.entry, fault=fault).split("：")[0])] += 1
    return {rule: "；".join(f"{kind} {why} {n}" for (kind, why), n in sorted(by.items()))
            for rule, by in counted.items()}


def _share(value) -> str:
    return "—" if value is None else f"{value:.2f}"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--report", help="只核对这一份（gold 中的 id）")
    parser.add_argument("--findings", action="store_true", help="列出计入的每条审核结果")
    args = parser.parse_args(argv)
    entries = gold()
    judged = judge(entries, args.report)
    known = set(kinds_by_rule())
    pages = sum(e["file"].startswith("benchmarks/") for e in entries)
    print(f"金标准：{len(judged)} 份（网页 {pages}，项目样本 {len(judged) - pages}），"
          f"人工标注的错误 {sum(len(j.entry.get('faults') or []) for j in judged)} 处\n")
    print(f"{'规则':<16}{'报警':>5}{'正确':>5}{'误报':>5}{'错误':>5}{'查出':>5}{'精确率':>7}{'召回率':>7}  "
          f"未达标的原因（gold 中判定）")
    why = causes(judged)
    for rule, alarms, true, false, faults, found, precision, recall in table(judged, known):
        if rule not in known:
            why[rule] = "没有规则"
        below = (precision is not None and precision < PRECISION) or (recall is not None and recall < RECALL)
        print(f"{rule:<16}{alarms:>5}{true:>5}{false:>5}{faults:>5}{found:>5}"
              f"{_share(precision):>8}{_share(recall):>8}  {'← ' + why.get(rule, '') if below else ''}")
    print("\n误报（规则 · 报告 · 位置 · 原因）：")
    for report in judged:
        for finding, fault in report.findings:
            if fault is None:
                where = "/".join(p for p in (finding.table, finding.row, finding.column, finding.part) if p)
                print(f"  {finding.rule} · {report.entry['id']} · {where} · {cause(report.entry, finding=finding)}"
                      f"\n      {finding.message[:110]}")
    print("\n漏报（规则 · 报告 · 位置 · 原因）：")
    for report in judged:
        for fault in report.misses:
            if fault["rule"] in known:
                where = "/".join(str(fault[p]) for p in (*PLACES, "item") if p in fault)
                print(f"  {fault['rule']} · {report.entry['id']} · {where} · {cause(report.entry, fault=fault)}")
    for report in judged:
        if report.failure:
            print(f"\n{report.entry['id']}：导入失败：{report.failure}")
        if report.previous_note:
            print(f"\n{report.entry['id']}：{report.previous_note}")
        if args.findings:
            print(f"\n{report.entry['id']}：")
            for finding, fault in report.findings:
                print(f"  {'✓' if fault else '✗'} {finding.rule} [{finding.table}{finding.part}] {finding.message[:120]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
