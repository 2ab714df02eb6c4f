"""`nianbao run | check | workbook | import | audit | review`: the command line of the toolkit."""
from __future__ import annotations

import argparse
import re
import signal
import sys
import time
from collections import Counter
from pathlib import Path

from . import editions, intake


def main(argv: list[str] | None = None) -> int:
    parser = Parser(prog="nianbao", description="政府信息公开工作年度报告：生成、审核、发布")
    commands = parser.add_subparsers(dest="command", required=True, metavar="命令", parser_class=Parser)

    run = commands.add_parser("run", help="逐个机关年度执行模板笔记本、审核并生成报告（HTML、PDF）",
                              description="逐个机关年度执行模板笔记本、审核并生成报告")
    run.add_argument("params", nargs="*", type=Path, metavar="参数文件",
                     help="要运行的参数文件（默认：--params-dir 下的全部）")
    run.add_argument("--params-dir", type=Path, default=Path("params"), metavar="目录",
                     help="参数文件所在目录（默认 params/）")
    run.add_argument("--out", type=Path, default=Path("outputs"), metavar="目录", help="输出目录（默认 outputs/）")
    run.add_argument("--jobs", type=int, metavar="N", help="工作进程数（默认：CPU 核数 + 1）")
    run.add_argument("--executor", metavar="执行方式",
                     help="在哪里生成报告：local（本机，默认）、dask（Dask 集群）或其他包注册的执行方式")
    run.add_argument("--scheduler", metavar="地址",
                     help="在 Dask 集群上运行：调度器地址（如 tcp://主机:8786），其工作节点须已安装 nianbao")
    run.add_argument("--allow-dir", type=Path, action="append", default=[], metavar="目录",
                     help="允许参数文件引用的项目以外的目录（可多次给出）")
    run.add_argument("--timeout", type=int, default=300, metavar="秒",
                     help="每个笔记本单元格、HTML 和 PDF 生成的时限，超时则该报告失败（默认 300）")
    run.add_argument("--force", action="store_true", help="输入未变化的报告也重新生成")
    run.add_argument("--notebooks", type=Path, default=Path("notebooks"), metavar="目录",
                     help="各格式版本所指模板笔记本所在的目录（默认 notebooks/）")
    run.set_defaults(handler=_run)

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

    imports = commands.add_parser("import", help="把已发布的报告（文本、网页、Markdown、PDF、Word、扫描件）读回为记录",
                                  description="把已发布的报告（文本、网页、Markdown、PDF、Word、扫描件）读回为记录")
    imports.add_argument("files", nargs="+", type=Path, metavar="文件", help="已发布报告的文件")
    imports.add_argument("-o", "--output", type=Path, metavar="目录", help="每份报告写成一个记录（YAML）放入此目录")
    imports.add_argument("--csv", action="store_true", help="以 CSV 输出一份报告的表格：table,row,column,value")
    imports.add_argument("--agency", default="", metavar="机关", help="报告中找不到机关名称时采用的机关名称")
    imports.add_argument("--year", type=int, metavar="年度", help="报告中找不到报告年度时采用的年度")
    _import_limits(imports)
    imports.set_defaults(handler=_import)

    audit = commands.add_parser("audit", help="导入并审核一个目录中全部已发布的报告",
                                description="导入并审核一个目录中全部已发布的报告")
    audit.add_argument("folder", type=Path, metavar="目录", help="已发布报告所在的目录（含子目录）")
    audit.add_argument("-o", "--output", type=Path, required=True, metavar="目录",
                       help="写入 index.html、audit.csv 和各报告页面的目录")
    parents = audit.add_mutually_exclusive_group()
    parents.add_argument("--hierarchy", type=Path, metavar="文件",
                         help="上下级关系文件（YAML）：上级报告文件 → 其下级报告文件列表，路径相对于核查目录；"
                              "逐格核对上级报告的表格与下级报告表格之和，写入 reconcile.csv")
    parents.add_argument("--by-folder", action="store_true",
                         help="按目录确定上下级：目录中机关名称以“人民政府”结尾的那份报告是同目录同年度其他报告"
                              "及其直接子目录中人民政府报告的上级，逐格核对，写入 reconcile.csv")
    _import_limits(audit)
    audit.set_defaults(handler=_audit)

    review = commands.add_parser("review", help="在本机浏览器中审核报告：逐条记录审核决定",
                                 description="在 127.0.0.1 上提供输出目录的页面，每条审核结果旁有表单；"
                                             "审核决定写入 reviews/<年度>/<机关>.yaml")
    review.add_argument("--out", type=Path, default=Path("outputs"), metavar="目录", help="输出目录（默认 outputs/）")
    review.add_argument("--port", type=int, default=8765, metavar="端口", help="端口（默认 8765；0 表示任选空闲端口）")
    review.add_argument("--by", default="", metavar="姓名", help="审核人姓名，预先填入表单")
    review.set_defaults(handler=_review)

    args = parser.parse_args(argv)
    return args.handler(args)


class Parser(argparse.ArgumentParser):
    """argparse, speaking Chinese where it speaks to the user: its own help headings, and a bad
    argument said in one line with exit status 2 (argparse's detail, in its words, follows)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, add_help=False, **kwargs)
        self._positionals.title, self._optionals.title = "参数", "选项"
        self.add_argument("-h", "--help", action="help", help="显示此帮助并退出")

    def format_usage(self) -> str:
        return super().format_usage().replace("usage:", "用法：", 1)

    def format_help(self) -> str:
        return super().format_help().replace("usage:", "用法：", 1)

    def error(self, message: str):
        for pattern, said in _ARGPARSE_ERRORS:
            message = re.sub(pattern, said, message)
        self.exit(2, f"{self.prog}：参数有误：{message}（查看用法：{self.prog} --help）\n")


# argparse's own messages, in the user's words.
_ARGPARSE_ERRORS = [
    (r"^argument (\S+): invalid choice: (.+) \(choose from (.+)\)$", r"\1 的值 \2 无效，可选：\3"),
    (r"^argument (\S+): invalid int value: (.+)$", r"\1 的值 \2 无效，应为整数"),
    (r"^argument (\S+): expected one argument$", r"\1 后面应有一个值"),
    (r"^the following arguments are required: (.+)$", r"缺少参数：\1"),
    (r"^unrecognized arguments: (.+)$", r"无法识别的参数：\1"),
]


def _import_limits(command) -> None:
    from .audit import TIMEOUT

    command.add_argument("--jobs", type=int, metavar="N", help="同时读取的文件数（默认：CPU 核数）")
    command.add_argument("--timeout", type=int, default=TIMEOUT, metavar="秒",
                         help=f"每个文件的读取时限，超时则放弃该文件（默认 {TIMEOUT}）")


def _run(args) -> int:
    from tqdm import tqdm

    from .batch import Interrupted, Locked, Options, discover, executors, run
    from .batch.folder import describe
    from .desk.index import write_index

    executor = args.executor or ("dask" if args.scheduler else "local")
    if executor not in executors.registered():
        print(f"nianbao run：参数有误：未知的执行方式“{executor}”，可选：{'、'.join(executors.registered())}",
              file=sys.stderr)
        return 2
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
    from .batch.folder import FAILED_NOTEBOOK

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
    dependent = [o for o in outcomes if o.because]
    if dependent:
        remade = [o for o in dependent if not o.skipped]
        print(f"依赖所选报告的另 {len(dependent)} 份一并检查：重新生成 {len(remade)}，"
              f"未变化 {len(dependent) - len(remade)}")
        for o in remade:
            print(f"  {o.year} {o.agency or o.agency_id}（{o.because}）")
    noticed = [o for o in outcomes if o.notice]
    if noticed:
        print(f"运行中遇到并已处理的问题 {len(noticed)} 处：")
        for o in noticed:
            print(f"  {o.params_file}（{o.year} {o.agency_id}）：{o.notice}")
    with_errors = sorted((o for o in done if o.open_errors), key=lambda o: -o.open_errors)
    if with_errors:
        print(f"含未决错误的报告 {len(with_errors)} 份，请先处理：")
        for o in with_errors:
            settled = f"（另有 {o.errors - o.open_errors} 个已说明或误报）" if o.errors > o.open_errors else ""
            print(f"  {o.year} {o.agency}：错误 {o.open_errors}{settled}，提示 {o.warnings}"
                  f"  → {out / o.folder / 'review.html'}")
    settled = [o for o in done if o.errors and not o.open_errors]
    if settled:
        print(f"错误均已说明或标为误报的报告 {len(settled)} 份（不再标为草稿）")
    stale = [o for o in done if o.stale]
    if stale:
        print(f"有已过时审核决定的报告 {len(stale)} 份（其审核结果已不存在，请删除或重新决定）：")
        for o in stale:
            print(f"  {o.year} {o.agency}：{o.stale} 个  → reviews/{o.folder}.yaml")
    if failed:
        print(f"生成失败 {len(failed)} 份（之前生成的报告保留不变）：")
        for o in failed:
            print(f"  {o.params_file}（{o.year} {o.agency_id}）")
            for line in o.reason.splitlines():
                print(f"      {line}")
            notebook = out / o.folder / FAILED_NOTEBOOK
            if o.folder and notebook.exists():
                print(f"      出错的笔记本：{notebook}")
    print(f"审核索引：{index}")


def _check(args) -> int:
    from . import limits, project
    from .checks import check, packs, shared_narratives
    from .pages import place

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
        except Exception as error:  # a file no reader foresaw: said, and the others still checked
            print(f"{path}: 无法读取：{type(error).__name__}: {error}", file=sys.stderr)
            failed = True
    # The same agency's year before, of the same kind of document (the batch pairs reports that
    # share a template): among the files given, else among the project's params files.
    given = {(r.agency_id, r.year, r.spec.notebook): r for r in records}
    shared = shared_narratives(records) if len(records) > 1 else {}
    for record in records:
        try:
            previous, unread = given.get((record.agency_id, record.year - 1, record.spec.notebook)), []
            if previous is None:
                previous, unread = _previous_year(record, args.params_dir)
            findings = [*check(record, previous, packs=chosen), *unread,
                        *shared.get((record.agency_id, record.year), [])]
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
              f"错误 {errors}，提示 {len(findings) - errors}")
        for f in findings:
            table = record.spec.tables[f.table].name if f.table else ""
            where = " · ".join(x for x in (table, f.row, f.column, place(f.part) if f.part else "") if x)
            said = f"应为 {f.expected}，实为 {f.found}" in f.message  # most sum rules say it already
            values = f"（应为 {f.expected or '—'}，实为 {f.found or '—'}）" if (f.expected or f.found) and not said else ""
            print(f"  {'错误' if f.severity == 'error' else '提示'} {f.rule}  {where}：{f.message}{values}")
            if f.excerpt:
                print(f"      “{f.excerpt}”")
    return 1 if failed else 0


def _previous_year(record, params_dir: Path):
    """The same agency's record of the year before, found as the batch finds it: the params
    file of params/<year − 1>/ with the same agency_id and template notebook, read as the
    template reads it (a record that cannot be read is a finding, as in the report).
    Returns (record or None, findings)."""
    from .batch.jobs import NOTEBOOKS, read_params
    from .checks import Finding

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
    for path, imported, failure in read_all(args.files, jobs=args.jobs, timeout=args.timeout,
                                            agency=args.agency, year=args.year):
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
        say(f"  来源  {_origins(imported.origins)}")
        for note in imported.notes:
            say(f"  提示 {note.rule}  {note.message}")
        if args.csv:
            sys.stdout.write(longcsv.dumps(record))
    return 1 if failed else 0


def _origins(origins: dict[str, str]) -> str:
    """Where the importer found a report's agency, year and dates, as one line."""
    names = {"agency": "机关", "year": "年度", "date": "成文日期", "published": "发布日期"}
    return "；".join(f"{name}取自{origins[key]}" if key in origins else f"{name}未找到" for key, name in names.items())


def _review(args) -> int:
    from .desk.server import serve

    if not (args.out / "index.html").is_file():
        print(f"{args.out} 中没有审核索引：请先运行 nianbao run", file=sys.stderr)
        return 2
    try:
        serve(args.out, Path("."), args.port, args.by, announce=lambda line: print(line, flush=True))
    except OSError as error:
        print(f"审核服务无法启动（端口 {args.port}）：{error.strerror}；可用 --port 换一个端口", file=sys.stderr)
        return 2
    return 0


def _audit(args) -> int:
    from tqdm import tqdm

    from . import reconcile
    from .audit import audit, files

    if not args.folder.is_dir():
        print(f"{args.folder}: 不是目录", file=sys.stderr)
        return 2
    reports = files(args.folder)
    hierarchy = None
    if args.hierarchy:
        try:
            hierarchy = reconcile.read_hierarchy(args.hierarchy, args.folder, reports)
        except reconcile.HierarchyError as error:
            print(error, file=sys.stderr)
            return 2
    started = time.perf_counter()
    bars = {}

    def progress(step, entry):
        """A bar per pass over the files, as `nianbao run` shows its reports: done/total and a rate."""
        if step not in bars:
            for bar in bars.values():
                bar.close()
            bars[step] = tqdm(total=len(reports), desc=AUDIT_STEPS[step], unit="份")
        bars[step].set_postfix_str(entry.file.name, refresh=False)
        bars[step].update()

    try:
        entries = audit(args.folder, args.output, progress=progress, jobs=args.jobs,
                        timeout=args.timeout, hierarchy=hierarchy, by_folder=args.by_folder)
    finally:
        for bar in bars.values():
            bar.close()
    seconds = time.perf_counter() - started
    checked = [e for e in entries if not e.skipped and not e.duplicate_of]
    with_errors = [e for e in checked if e.errors]
    skipped, duplicates = [e for e in entries if e.skipped], [e for e in entries if e.duplicate_of]
    print(f"\n{len(entries)} 个文件，用时 {seconds:.1f} 秒（{len(entries) / seconds * 60:.0f} 份/分钟）")
    print(f"{len(checked)} 份报告：含错误 {len(with_errors)}，"
          f"仅有提示 {sum(1 for e in checked if not e.errors and e.warnings)}，"
          f"无问题 {sum(1 for e in checked if not e.errors and not e.warnings)}"
          f"；跳过 {len(entries) - len(checked)} 个文件（不是报告 {len(skipped)}，重复 {len(duplicates)}）")
    if with_errors:
        rules = Counter(f.rule for e in with_errors for f in e.findings if f.severity == "error")
        unreadable = sum(1 for e in with_errors if not e.read)
        print("错误最多的规则：" + "，".join(f"{rule} {count} 处" for rule, count in rules.most_common(5))
              + (f"；无法导入 {unreadable} 份" if unreadable else ""))
        print(f"含错误的报告（错误多者在前{f'，列出前 {LISTED} 份' if len(with_errors) > LISTED else ''}）：")
    for e in with_errors[:LISTED]:
        what = f"{e.read.agency} {e.read.year}年度" if e.read else e.failure
        print(f"  {e.file.relative_to(args.folder)}  {what}：错误 {e.errors}，提示 {e.warnings}  → {args.output / e.page}")
    for e in skipped[:LISTED]:
        print(f"  已跳过 {e.skipped}")
    for e in duplicates[:LISTED]:
        print(f"  重复 {e.file.relative_to(args.folder)}：与 {e.duplicate_of} 是同一份报告，未再核查")
    if max(len(with_errors), len(skipped), len(duplicates)) > LISTED:
        print(f"  …… 每个文件一行：{args.output / 'audit.csv'}")
    if hierarchy is not None or args.by_folder:
        _reconcile_summary(entries, args.output)
    print(f"核查结果：{args.output / 'index.html'}（表格：{args.output / 'audit.csv'}）")
    return 1 if with_errors else 0


AUDIT_STEPS = {"read": "导入", "checked": "核查"}
LISTED = 20  # files of one kind the summary names; audit.csv and index.html list them all


def _reconcile_summary(entries, out: Path) -> None:
    from .reconcile import AMBIGUOUS

    parents = [e for e in entries if e.reconciliation]
    differences = sum(len(e.reconciliation.differences) for e in parents)
    incomplete = sum(not e.reconciliation.complete for e in parents)
    ambiguous = [f for e in entries for f in e.findings if f.rule == AMBIGUOUS]
    print(f"逐格核对下级报告：上级报告 {len(parents)} 份，核对下级 "
          f"{sum(len(e.reconciliation.children) for e in parents)} 份，不一致 {differences} 处"
          + (f"，下级之和不完整 {incomplete} 份" if incomplete else "")
          + (f"，同一目录同年度有多份人民政府报告而未核对 {len(ambiguous)} 份（提示 {AMBIGUOUS}）" if ambiguous else "")
          + f"（表格：{out / 'reconcile.csv'}）")


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
