"""`nianbao run | check | template | import | audit`: the command line of the toolkit."""
from __future__ import annotations

import argparse
import signal
import sys
import time
from pathlib import Path

from . import editions, intake


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="nianbao", description="政府信息公开工作年度报告：生成、审核、发布")
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="execute, check and render every agency-year of params/")
    run.add_argument("params", nargs="*", type=Path, help="params files to run (default: all under --params-dir)")
    run.add_argument("--params-dir", type=Path, default=Path("params"))
    run.add_argument("--out", type=Path, default=Path("outputs"), help="output folder (default: outputs/)")
    run.add_argument("--jobs", type=int, help="worker processes (default: the number of cores + 1)")
    run.add_argument("--executor", help="where the reports are made: local (default) or dask")
    run.add_argument("--scheduler", metavar="ADDRESS",
                     help="run on a Dask cluster (tcp://host:8786) whose workers have nianbao installed")
    run.add_argument("--allow-dir", type=Path, action="append", default=[], metavar="DIR",
                     help="a folder outside the project that params files may name records and notebooks in")
    run.add_argument("--timeout", type=int, default=300,
                     help="seconds a notebook cell may run before its report fails (default 300)")
    run.add_argument("--force", action="store_true", help="render again what has not changed since its last good run")
    run.add_argument("--notebooks", type=Path, default=Path("notebooks"),
                     help="the folder of the template notebooks that the editions name (default: notebooks/)")
    run.set_defaults(handler=_run)

    check = commands.add_parser("check", help="check records (YAML or Excel) and print the findings")
    check.add_argument("files", nargs="+", type=Path)
    check.set_defaults(handler=_check)

    workbook = commands.add_parser("workbook", aliases=["template"],
                                   help="write the Excel workbook agencies fill in (blank, or from a record)")
    workbook.add_argument("--edition", default="2021", choices=editions.available(),
                          help="the edition of a blank workbook (default 2021)")
    workbook.add_argument("-o", "--output", type=Path, required=True, help="the .xlsx file to write")
    workbook.add_argument("--record", type=Path, help="fill the workbook with this record's values")
    workbook.set_defaults(handler=_workbook)

    imports = commands.add_parser("import", help="read published reports (text, HTML, Markdown) back into records")
    imports.add_argument("files", nargs="+", type=Path)
    imports.add_argument("-o", "--output", type=Path, help="write one record (YAML) per report into this folder")
    imports.add_argument("--csv", action="store_true", help="print one report's tables as CSV: table,row,column,value")
    _import_limits(imports)
    imports.set_defaults(handler=_import)

    audit = commands.add_parser("audit", help="import and check every published report of a folder")
    audit.add_argument("folder", type=Path)
    audit.add_argument("-o", "--output", type=Path, required=True, help="folder for index.html, audit.csv and pages")
    _import_limits(audit)
    audit.set_defaults(handler=_audit)

    args = parser.parse_args(argv)
    return args.handler(args)


def _import_limits(command) -> None:
    from .audit import TIMEOUT

    command.add_argument("--jobs", type=int, help="files read at once (default: the number of cores)")
    command.add_argument("--timeout", type=int, default=TIMEOUT,
                         help=f"seconds one file may take before it is given up (default {TIMEOUT})")


def _run(args) -> int:
    from tqdm import tqdm

    from .batch import Interrupted, Locked, Options, discover, run
    from .batch.folder import describe
    from .pages.index import write_index

    executor = args.executor or ("dask" if args.scheduler else "local")
    jobs = discover(args.params or None, args.params_dir, notebooks=args.notebooks, allowed=args.allow_dir)
    if not jobs:
        print(f"没有找到参数文件（{args.params_dir}/<年度>/<机关代码>.yaml）", file=sys.stderr)
        return 2
    options = Options(workers=args.jobs, timeout=args.timeout, scheduler=args.scheduler)
    started = time.perf_counter()
    stopped_by = None
    try:
        with tqdm(total=len(jobs), desc="生成报告", unit="份") as bar:
            def progress(outcome):
                bar.set_postfix_str(f"{outcome.year} {outcome.agency_id}", refresh=False)
                bar.update()
            try:
                outcomes = run(jobs, args.out, executor=executor, options=options, force=args.force,
                               progress=progress)
            except Interrupted as stop:
                outcomes, stopped_by = stop.outcomes, stop.signum
        index = write_index(args.out)
    except Locked as locked:
        print(locked, file=sys.stderr)
        return 2
    except OSError as error:  # the output folder itself: no permission, a full disk
        print(f"{describe(error)}（之前生成的报告保留不变）", file=sys.stderr)
        return 1
    not_run = len(jobs) - len(outcomes)
    _summary(outcomes, not_run, time.perf_counter() - started, index, args.out, stopped_by)
    if stopped_by:
        return 128 + stopped_by  # as a shell reports a command stopped by a signal: 130, 143
    return 0 if all(o.ok for o in outcomes) and not_run == 0 else 1


def _summary(outcomes, not_run: int, seconds: float, index: Path, out: Path, stopped_by=None) -> None:
    done = [o for o in outcomes if o.ok]
    failed = [o for o in outcomes if not o.ok]
    skipped = sum(o.skipped for o in done)
    rendered = len(outcomes) - skipped
    rate = f"（{rendered / seconds * 60:.1f} 份/分钟）" if rendered else ""
    print(f"\n{len(outcomes) + not_run} 份报告，用时 {seconds:.1f} 秒{rate}：生成 {len(done) - skipped}，"
          f"未变化跳过 {skipped}，失败 {len(failed)}" + (f"，中断未生成 {not_run}" if not_run else ""))
    if not_run:
        how = "已按 Ctrl-C 中断" if stopped_by == signal.SIGINT else "已收到终止信号而中断"
        print(f"{how}：{not_run} 份报告没有生成，之前生成的保留不变；"
              "再次运行 nianbao run 即生成其余的（已生成的会跳过）。")
    elif skipped == len(outcomes):
        print("输入均未变化，没有重新生成任何报告（要重新生成请加 --force）。")
    noticed = [o for o in outcomes if o.notice]
    if noticed:
        print(f"运行中遇到并已处理的问题 {len(noticed)} 处：")
        for o in noticed:
            print(f"  {o.params_file}（{o.year} {o.agency_id}）：{o.notice}")
    with_errors = sorted((o for o in done if o.errors), key=lambda o: -o.errors)
    if with_errors:
        print(f"含错误的报告 {len(with_errors)} 份，请先处理：")
        for o in with_errors:
            print(f"  {o.year} {o.agency}：错误 {o.errors}，提示 {o.warnings}  → {out / o.folder / 'report.html'}")
    if failed:
        print(f"生成失败 {len(failed)} 份（之前生成的报告保留不变）：")
        for o in failed:
            print(f"  {o.params_file}（{o.year} {o.agency_id}）")
            for line in o.reason.splitlines():
                print(f"      {line}")
            notebook = out / o.folder / "report.failed.ipynb"
            if o.folder and notebook.exists():
                print(f"      出错的笔记本：{notebook}")
    print(f"审核索引：{index}")


def _check(args) -> int:
    from .checks import check

    records, failed = [], False
    for path in args.files:
        try:
            records.append(intake.read(path))
        except intake.IntakeError as error:
            print(error, file=sys.stderr)
            failed = True
        except Exception as error:  # a file no reader foresaw: said, and the others still checked
            print(f"{path}: 无法读取：{type(error).__name__}: {error}", file=sys.stderr)
            failed = True
    by_year = {(r.agency_id, r.year): r for r in records}
    for record in records:
        try:
            findings = check(record, by_year.get((record.agency_id, record.year - 1)))
        except Exception as error:  # a rule that fails on one record must not hide the others'
            print(f"{record.source}: 无法检查：{type(error).__name__}: {error}", file=sys.stderr)
            failed = True
            continue
        errors = sum(f.severity == "error" for f in findings)
        failed |= errors > 0
        print(f"{record.source}  {record.agency} {record.year}年度（{record.spec.name}）："
              f"错误 {errors}，提示 {len(findings) - errors}")
        for f in findings:
            table = record.spec.tables[f.table].name if f.table else ""
            where = " · ".join(x for x in (table, f.row, f.column, f.part) if x)
            said = f"应为 {f.expected}，实为 {f.found}" in f.message  # most sum rules say it already
            values = f"（应为 {f.expected or '—'}，实为 {f.found or '—'}）" if (f.expected or f.found) and not said else ""
            print(f"  {'错误' if f.severity == 'error' else '提示'} {f.rule}  {where}：{f.message}{values}")
            if f.excerpt:
                print(f"      “{f.excerpt}”")
    return 1 if failed else 0


def _import(args) -> int:
    from . import longcsv
    from .audit import read_all
    from .intake import yamlfile

    if args.csv and len(args.files) != 1:
        print("--csv 只能用于一个文件（要导入多个文件请用 -o 目录）", file=sys.stderr)
        return 2
    # With --csv, stdout holds the CSV alone: what the importer says goes to stderr.
    say = (lambda text: print(text, file=sys.stderr)) if args.csv else print
    failed = False
    for path, imported, failure in read_all(args.files, jobs=args.jobs, timeout=args.timeout):
        if imported is None:
            print(failure, file=sys.stderr)
            failed = True
            continue
        record = imported.record
        written = ""
        if args.output:
            try:
                args.output.mkdir(parents=True, exist_ok=True)
                target = args.output / f"{path.stem}.yaml"
                target.write_text(yamlfile.dump(record), encoding="utf-8")
            except OSError as error:
                print(f"{path}: 无法写入 {error.filename}：{error.strerror}", file=sys.stderr)
                failed = True
                continue
            written = f" → {target}"
        say(f"{path}{written}  {record.agency or '（机关未识别）'} {record.year}年度，{record.spec.name}，"
            f"读取方式 {imported.kind}：未能确定 {len(imported.notes)} 处")
        for note in imported.notes:
            say(f"  提示 {note.rule}  {note.message}")
        if args.csv:
            sys.stdout.write(longcsv.dumps(record))
    return 1 if failed else 0


def _audit(args) -> int:
    from tqdm import tqdm

    from .audit import audit, files

    if not args.folder.is_dir():
        print(f"{args.folder}: 不是目录", file=sys.stderr)
        return 2
    with tqdm(total=len(files(args.folder)), desc="导入核查", unit="份") as bar:
        entries = audit(args.folder, args.output, progress=lambda entry: bar.update(), jobs=args.jobs,
                        timeout=args.timeout)
    with_errors = [e for e in entries if e.errors]
    print(f"\n{len(entries)} 份报告：含错误 {len(with_errors)}，"
          f"仅有提示 {sum(1 for e in entries if not e.errors and e.warnings)}，"
          f"无问题 {sum(1 for e in entries if not e.errors and not e.warnings)}")
    for e in with_errors:
        record = e.imported.record if e.imported else None
        what = f"{record.agency} {record.year}年度" if record else e.failure
        print(f"  {e.file.name}  {what}：错误 {e.errors}，提示 {e.warnings}  → {args.output / e.page}")
    print(f"核查结果：{args.output / 'index.html'}（表格：{args.output / 'audit.csv'}）")
    return 1 if with_errors else 0


def _workbook(args) -> int:
    from .intake import excel

    try:
        record = intake.read(args.record) if args.record else None
        path = excel.write_workbook(record.edition if record else args.edition, args.output, record=record)
    except intake.IntakeError as error:
        print(error, file=sys.stderr)
        return 1
    except OSError as error:
        print(f"无法写入 {error.filename or args.output}：{error.strerror}", file=sys.stderr)
        return 1
    print(f"已生成填报表：{path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
