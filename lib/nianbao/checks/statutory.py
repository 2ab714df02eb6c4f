"""Checks on what the regulations require of the report as a whole: parts, dates, identity."""
from __future__ import annotations

import datetime as dt

from .. import dates
from ..labels import fold
from ..record import FIELDS, STATUSES, Record
from .findings import Context, finding
from .tables import entirely_blank


def check_parts_present(record: Record, rule: dict, context: Context):
    """Every part of Art. 50 is there: narrative parts non-empty, tables not wholly blank."""
    for part in record.spec.parts:
        title = record.spec.part_title(part, record.year)
        if part.table:
            table = record.spec.tables[part.table]
            if entirely_blank(record, table):
                yield finding(rule, f"第{part.id}部分“{title}”缺少表格：{table.name}全部空白",
                              table=table.id, expected=table.name, found="全部空白")
        elif not record.parts.get(part.id, "").strip():
            yield finding(rule, f"第{part.id}部分“{title}”没有内容",
                          part=part.id, expected="正文", found="空白")


def check_deadline(record: Record, rule: dict, context: Context):
    """Published by the edition's deadline (31 January) of the year after the report year, or
    a government's (the rule's `government`: 31 March), when the report is a government's: it
    covers other reports, or its agency's name ends as the rule's `names` say (人民政府).

    Judged on the publication date, or on the signature date when that is all there is. A
    report stating neither gets no finding here: the `fields` kind names the missing date, and
    "cannot tell" is no fault of its own (every undated published PDF drew one).
    """
    government = rule.get("government", {})
    if government and (record.covers or record.agency.endswith(tuple(government.get("names", ())))):
        month, day = (int(n) for n in government["deadline"].split("-"))
    else:
        month, day = (int(n) for n in record.spec.deadline.split("-"))
    deadline = dt.date(record.year + 1, month, day)
    by = f"{dates.as_written(deadline)}前"
    for field in ("published", "date"):
        when, _ = dates.parse(getattr(record, field))
        if when is not None:
            if when > deadline:
                yield finding(rule, f"{FIELDS[field]} {dates.as_written(when)} 晚于法定公开时限"
                                    f"（{dates.as_written(deadline)}，条例第四十九条）",
                              part=field, excerpt=getattr(record, field),
                              expected=by, found=dates.as_written(when))
            return
    if not (record.published or record.date).strip():
        return
    yield finding(rule, f"发布日期和成文日期都无法识别，无法判断是否在 {by}公开",
                  part="published", expected=by, found=record.published or record.date or "空白")


def check_dates(record: Record, rule: dict, context: Context):
    """The dates of one report agree with each other, with its year and with today."""
    signed, _ = dates.parse(record.date)
    published, _ = dates.parse(record.published)
    if signed is None and record.date:  # a missing one is said by the `fields` kind
        yield finding(rule, f"成文日期“{record.date}”无法识别为日期", part="date", excerpt=record.date,
                      expected="YYYY年M月D日", found=record.date)
    # A report is written once its year has ended; a work summary from `earliest` (MM-DD) of
    # the year on, since it is written in the year's last weeks.
    if "earliest" in rule:
        month, day = (int(n) for n in rule["earliest"].split("-"))
        earliest = dt.date(record.year, month, day)
        too_early, expected = f"早于{dates.as_written(earliest)}", f"不早于{dates.as_written(earliest)}"
    else:
        earliest = dt.date(record.year + 1, 1, 1)
        year_end = dates.as_written(dt.date(record.year, 12, 31))
        too_early, expected = f"早于报告年度结束（{year_end}）", f"{year_end}之后"
    for field, when in (("date", signed), ("published", published)):
        if when is None:
            continue
        written = dates.as_written(when)
        if when < earliest:
            yield finding(rule, f"{FIELDS[field]} {written} {too_early}",
                          part=field, excerpt=getattr(record, field), expected=expected, found=written)
        if when > context.today:
            yield finding(rule, f"{FIELDS[field]} {written} 晚于今天（{dates.as_written(context.today)}）",
                          part=field, excerpt=getattr(record, field),
                          expected=f"不晚于{dates.as_written(context.today)}", found=written)
    if signed and published and published < signed:
        yield finding(rule, f"发布日期 {dates.as_written(published)} 早于成文日期 {dates.as_written(signed)}",
                      part="published", excerpt=record.published,
                      expected=f"不早于{dates.as_written(signed)}", found=dates.as_written(published))


def check_identity(record: Record, rule: dict, context: Context):
    """The agency in the signature block is the one the report is about."""
    if record.signed_by and record.agency and fold(record.signed_by) != fold(record.agency):
        yield finding(rule, f"落款机关“{record.signed_by}”与报告机关“{record.agency}”不一致",
                      part="signed_by", excerpt=record.signed_by,
                      expected=record.agency, found=record.signed_by)


def check_coverage(record: Record, rule: dict, context: Context):
    """A government's report covers every unit in its scope: one finding for each unit whose
    status is among the rule's `statuses` (missing, failed: left out of the sum; errors:
    summed, with errors of its own)."""
    if context.coverage is None:
        return
    for unit in context.coverage.units:
        if unit.status not in rule["statuses"]:
            continue
        who = f"{unit.label}（{unit.id}）" if unit.name and unit.name != unit.id else unit.id
        if unit.status == "errors":
            message = (f"涵盖范围内的{who}的报告有 {unit.errors} 个错误（{'、'.join(unit.rules)}），"
                       f"其数字已计入汇总：请该单位更正后重新生成本报告")
        elif unit.status == "missing":
            message = f"涵盖范围内的{who}没有{record.year}年度报告（{unit.reason}），本报告的表格未含其数字"
        else:
            message = f"涵盖范围内的{who}未能汇总：{unit.reason}。本报告的表格未含其数字"
        yield finding(rule, message, part="coverage", excerpt=unit.id,
                      expected=STATUSES["clean"], found=STATUSES[unit.status])


def check_duplicates(record: Record, rule: dict, context: Context):
    """A unit the scope reaches twice, at any depth, counts once (batch/scope.py): one finding
    for each second listing, naming the unit and both paths, so that the scope is corrected."""
    if context.coverage is None:
        return
    for above, unit in context.coverage.paths():
        if unit.status != "duplicate":
            continue
        here = " → ".join([record.agency, *(u.label for u in above), unit.label])
        yield finding(rule, f"{unit.label}（{unit.id}）在涵盖范围中出现两次：{unit.reason}（已计入汇总）；"
                            f"{here}（重复，未再计入）。每个单位只汇总一次：请调整涵盖范围（covers），使其只出现一次",
                      part="coverage", excerpt=unit.id, expected="每个单位只列一次", found=here)


def check_fields(record: Record, rule: dict, context: Context):
    """The metadata the report states: each of the rule's `fields` left blank is named, and
    the record is still checked by every other rule (intake refuses only a record without a
    year, see intake/raw.py)."""
    for name in rule["fields"]:
        if not str(getattr(record, name) or "").strip():
            yield finding(rule, f"缺少{FIELDS[name]}：报告中未写明，或导入时未能识别（可在记录中填写 {name}）",
                          part=name, expected=FIELDS[name], found="空白")
