"""`nianbao check` and `nianbao workbook`: an agency's records, checked, and the workbook it fills in."""
from __future__ import annotations

import sys
from pathlib import Path

from .. import editions, intake


def add(commands) -> None:
    check = commands.add_parser("check", help="审核记录（YAML 或 Excel）并列出发现的问题",
                                description="审核记录（YAML 或 Excel）并列出发现的问题")
    check.add_argument("files", nargs="+", type=Path, metavar="文件", help="记录文件（.yaml 或 .xlsx）")
    check.add_argument("--params-dir", type=Path, default=Path("params"), metavar="目录",
                       help="参数文件所在目录（默认 params/）：所给文件中没有上一年度的记录时，像 nianbao run 一样在此查找")
    check.set_defaults(handler=_check)

    workbook = commands.add_parser("workbook", aliases=["template"], help="生成供机关填报的 Excel 填报表（空白或按记录预填）",
                                   description="生成供机关填报的 Excel 填报表（空白或按记录预填）")
    workbook.add_argument("--edition", default="2021", choices=editions.available(), metavar="格式版本",
                          help=f"空白填报表的格式版本：{'、'.join(editions.available())}（默认 2021）")
    workbook.add_argument("-o", "--output", type=Path, required=True, metavar="文件", help="要写入的 .xlsx 文件")
    workbook.add_argument("--record", type=Path, metavar="记录", help="按此记录预填填报表")
    workbook.set_defaults(handler=_workbook)


def _check(args) -> int:
    from .. import limits, project
    from ..batch.folder import describe
    from ..checks import check, packs, peer_zeros, shared_narratives
    from ..editions.schema import SEVERITIES
    from ..pages import place

    limits.bound_memory()  # the files are anyone's: one that costs gigabytes fails alone, said why
    try:  # the project's local rule packs (nianbao.yaml), as the batch applies them
        chosen = packs(project.rule_packs())
    except (KeyError, ValueError) as error:
        print(error.args[0], file=sys.stderr)
        return 2
    records, failed = [], False
    for path in args.files:
        try:
            records.append(intake.read(path))
        except intake.IntakeError as error:
            print(error, file=sys.stderr)
            failed = True
        except MemoryError:
            print(f"{path}: {limits.out_of_memory('读取该文件')}", file=sys.stderr)
            failed = True
        except OSError as error:  # a name too long, no permission to read it
            print(describe(error, "读取"), file=sys.stderr)
            failed = True
        except Exception as error:  # a file no reader foresaw: said, and the others still checked
            print(f"{path}: 无法读取：{type(error).__name__}: {error}", file=sys.stderr)
            failed = True
    # The same agency's year before, of the same kind of document (the batch pairs reports that
    # share a template): among the files given, else among the project's params files.
    given = {(r.agency_id, r.year, r.spec.notebook): r for r in records}
    shared = shared_narratives(records) if len(records) > 1 else {}
    peers = peer_zeros(records) if len(records) > 1 else {}
    for record in records:
        try:
            previous, unread = given.get((record.agency_id, record.year - 1, record.spec.notebook)), []
            if previous is None:
                previous, unread = _previous_year(record, args.params_dir)
            findings = [*check(record, previous, packs=chosen), *unread,
                        *shared.get((record.agency_id, record.year), []),
                        *peers.get((record.agency_id, record.year), [])]
        except MemoryError:
            print(f"{record.source}: {limits.out_of_memory('审核')}", file=sys.stderr)
            failed = True
            continue
        except Exception as error:  # a rule that fails on one record must not hide the others'
            print(f"{record.source}: 无法检查：{type(error).__name__}: {error}", file=sys.stderr)
            failed = True
            continue
        errors = sum(f.severity == "error" for f in findings)
        failed |= errors > 0
        print(f"{record.source}  {record.agency} {record.year}年度（{record.spec.name}）："
              f"错误 {errors}，提示 {sum(f.severity == 'warning' for f in findings)}"
              + (f"，参考 {infos}" if (infos := sum(f.severity == "info" for f in findings)) else ""))
        for f in findings:
            table = record.spec.tables[f.table].name if f.table else ""
            where = " · ".join(x for x in (table, f.row, f.column, place(f.part) if f.part else "") if x)
            said = f"应为 {f.expected}，实为 {f.found}" in f.message  # most sum rules say it already
            values = f"（应为 {f.expected or '—'}，实为 {f.found or '—'}）" if (f.expected or f.found) and not said else ""
            print(f"  {SEVERITIES[f.severity]} {f.rule}  {where}：{f.message}{values}")
            if f.excerpt:
                print(f"      “{f.excerpt}”")
    return 1 if failed else 0


def _previous_year(record, params_dir: Path):
    """The same agency's record of the year before, found as the batch finds it: the params
    file of params/<year − 1>/ with the same agency_id and template notebook, read as the
    template reads it (a record that cannot be read is a finding, as in the report).
    Returns (record or None, findings)."""
    from ..batch.jobs import NOTEBOOKS, read_params
    from ..checks import Finding

    notebook = str((NOTEBOOKS / record.spec.notebook).resolve())
    roots = [Path(".").resolve()]
    for path in sorted((params_dir / str(record.year - 1)).glob("**/*.yaml")):
        job = read_params(path, roots)
        if job.problem or (job.agency_id, job.year, job.notebook) != (record.agency_id, record.year - 1, notebook):
            continue
        try:
            return intake.read(job.parameters["record"]), []
        except intake.IntakeError as error:
            return None, [Finding("跨年.上年记录", "warning", f"上一年度记录无法读取，未核对跨年结转：{error}",
                                  part="history", found=str(error.source))]
    return None, []


def _workbook(args) -> int:
    from ..batch.folder import describe
    from ..intake import excel

    try:
        record = intake.read(args.record) if args.record else None
        path = excel.write_workbook(record.edition if record else args.edition, args.output, record=record)
    except intake.IntakeError as error:
        print(error, file=sys.stderr)
        return 1
    except OSError as error:  # a folder that does not exist, no permission, a full disk
        print(describe(error), file=sys.stderr)
        return 1
    print(f"已生成填报表：{path}")
    return 0
