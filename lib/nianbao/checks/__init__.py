"""Checks: run the rules of a record's edition and say what is wrong, for a reviewer.

Each rule of an edition (`rules:` in its YAML) names a `kind`; the kind is a function
``(record, rule, context) -> iterable[Finding]`` looked up in KINDS. Other packages add kinds
through the entry point group ``nianbao.rules`` (name: the kind, object: the function).

Local rule packs (nianbao.rulepacks) add rules of the same form: `packs(ids)` loads and
validates them, and `check(..., packs=...)` runs those that apply to the record's edition
after the edition's own. Every rule's patterns run with a time limit (patterns.py).
`shared_narratives(records)` finds the same narrative in two agencies of one batch, and
`peer_zeros(records)` a 0 where the batch's other reports count hundreds, which no single
record can show.
"""
from __future__ import annotations

import datetime as dt
import functools

from .. import patterns, registry, rulepacks
from ..record import Record
from . import evaluation, form, narrative, plausibility, statements, statutory, tables, text
from .evaluation import shared_narratives
from .findings import Context, Finding
from .plausibility import peer_zeros

__all__ = ["KINDS", "Finding", "check", "kinds", "packs", "peer_zeros", "shared_narratives", "validate"]

KINDS = {
    "sum": tables.check_sum,
    "domain": tables.check_domain,
    "blank": tables.check_blank,
    "in_force": tables.check_in_force,
    "carry_over": tables.check_carry_over,
    "text_number": text.check_text_number,
    "mentions": text.check_mentions,
    "lint": text.check_lint,
    "parts_present": statutory.check_parts_present,
    "deadline": statutory.check_deadline,
    "dates": statutory.check_dates,
    "identity": statutory.check_identity,
    "coverage": statutory.check_coverage,
    "duplicates": statutory.check_duplicates,
    "fields": statutory.check_fields,
    "copied": evaluation.check_copied,
    "same_tables": evaluation.check_same_tables,
    "shared_narrative": evaluation.check_shared_narrative,
    "stale_year": evaluation.check_stale_year,
    "mentions_each": evaluation.check_mentions_each,
    "substance": evaluation.check_substance,
    "fees": evaluation.check_fees,
    "length": evaluation.check_length,
    "in_force_years": tables.check_in_force_years,
    "figures": narrative.check_figures,
    "parts_count": narrative.check_parts_count,
    "wording": narrative.check_wording,
    "scale_years": plausibility.check_scale_years,
    "peer_zero": plausibility.check_peer_zero,
    "restated": statements.check_restated,
    "contact": statements.check_contact,
    "text_layer": statements.check_text_layer,
    "copies": evaluation.check_copies,
    "title": form.check_title,
    "period": form.check_period,
    "edition": form.check_edition,
    "maker": form.check_maker,
}


def kinds() -> dict:
    """The built-in kinds, then those other packages register (nianbao.rules)."""
    return registry.entries("nianbao.rules", KINDS)


def packs(ids) -> list[rulepacks.Pack]:
    """The rule packs with these ids (a project's: project.rule_packs()), each validated as an
    edition is: an unknown id raises KeyError, a mistake in a pack ValueError naming them all."""
    return [_pack(str(pack_id)) for pack_id in ids]


@functools.cache
def _pack(pack_id: str) -> rulepacks.Pack:
    data = rulepacks.definition(pack_id)
    mistakes = rulepacks.problems(data)
    if mistakes:
        raise ValueError(f"规则包 {pack_id}（{data['source']}）的定义有误：\n" + "\n".join(mistakes))
    return rulepacks.Pack(id=pack_id, name=data["name"], editions=tuple(str(e) for e in data["editions"]),
                          rules=tuple(data["rules"]), source=data["source"])


def check(record: Record, previous: Record | None = None, *,
          today: dt.date | None = None, coverage=None, packs=(), unread=(), layout: str = "",
          title: str = "") -> list[Finding]:
    """Every finding of the record's rules: errors first, information (`info`) last, each in
    the order of the report.

    `previous` is the same agency's record for the year before (for the carry-over rule and
    the copy from last year); `coverage`, for a government's report, what it covers
    (consolidation.Coverage); `packs`, local rule packs (from `packs(ids)`): the rules of those
    that apply to the record's edition run after the edition's; `unread`, for an imported
    report, the (table, row) whose numbers the import could not read (importer.Imported.unread):
    their cells are not the report's blanks; `layout`, how its file was read
    (importer.Imported.kind); `title`, its title as published (importer.Imported.title). A rule
    whose pattern runs out of time on this record (patterns.py) gives one finding saying it
    could not be checked.
    """
    if previous is not None and (previous.agency_id, previous.year) != (record.agency_id, record.year - 1):
        raise ValueError(f"上一年度记录应为 {record.agency_id} {record.year - 1} 年，"
                         f"实为 {previous.agency_id} {previous.year} 年")
    context = Context(previous=previous, today=today or dt.date.today(), coverage=coverage, unread=frozenset(unread),
                      layout=layout, title=title)
    known = kinds()
    found: list[Finding] = []
    local = [(rule, f"规则包 {pack.id}（{pack.name}）") for pack in packs if record.edition in pack.editions
             for rule in pack.rules]
    for rule, source in [*((rule, record.spec.name) for rule in record.spec.rules), *local]:
        first, last = rule.get("years") or (None, None)
        if (first is not None and record.year < first) or (last is not None and record.year > last):
            continue  # a rule for some report years only (`years: [first, last]`, null open)
        if rule["kind"] not in known:
            raise ValueError(f"规则 {rule['id']}：未知的检查类型 {rule['kind']!r}")
        try:
            found.extend(list(known[rule["kind"]](record, rule, context)))
        except patterns.TimedOut as timed_out:
            found.append(_timed_out(rule, source, timed_out.pattern))
    order = _part_order(record)
    # sorted() is stable: within one part, findings keep the order of the rules and cells
    return sorted(found, key=lambda f: (f.severity != "error", f.severity == "info",
                                        order.get(f.table or f.part, len(order))))


def _timed_out(rule: dict, source: str, pattern: str) -> Finding:
    """A rule whose pattern ran out of time on this record (patterns.py): not checked, and said
    so with the rule's own severity, so that a text cannot slip past an error rule this way."""
    return Finding(rule["id"], rule["severity"],
                   f"规则 {rule['id']}（{source}）的正则表达式运行超时（超过 {patterns.SECONDS:g} 秒），未能核查："
                   "请检查该规则的正则表达式，或人工核对",
                   part=rule.get("part", "") if isinstance(rule.get("part"), str) else "",
                   expected="核查完成", found=f"超时：{pattern[:60]}")


def _part_order(record: Record) -> dict[str, int]:
    """Table and narrative part ids by their part's place; the lead before them, metadata
    fields last."""
    order = {"contact": -1}
    for index, part in enumerate(record.spec.parts):
        order[part.id] = index
        if part.table:
            order[part.table] = index
    return order
