"""`nianbao import` and `nianbao audit`: reports agencies published, read back and checked."""
from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path


def add(commands) -> None:
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


def _import_limits(command) -> None:
    from ..importer.pool import TIMEOUT

    command.add_argument("--jobs", type=int, metavar="N", help="同时读取的文件数（默认：CPU 核数）")
    command.add_argument("--timeout", type=int, default=TIMEOUT, metavar="秒",
                         help=f"每个文件的读取时限，超时则放弃该文件（默认 {TIMEOUT}）")


def _import(args) -> int:
    from .. import longcsv
    from ..batch.folder import describe
    from ..importer.pool import read_all
    from ..intake import yamlfile

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
                print(f"{path}: {describe(error)}", file=sys.stderr)
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


def _audit(args) -> int:
    from tqdm import tqdm

    from .. import reconcile
    from ..audit import audit, files
    from ..batch.folder import describe

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
    except OSError as error:  # the output folder: a file in its place, no permission, a full disk
        print(describe(error), file=sys.stderr)
        return 1
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
    _copies_summary(entries, args.output)
    _watch_summary(args.output)
    print(f"核查结果：{args.output / 'index.html'}（表格：{args.output / 'audit.csv'}）")
    return 1 if with_errors else 0


AUDIT_STEPS = {"read": "导入", "checked": "核查"}
LISTED = 20  # files of one kind the summary names; audit.csv and index.html list them all


def _reconcile_summary(entries, out: Path) -> None:
    from ..reconcile import AMBIGUOUS

    parents = [e for e in entries if e.reconciliation]
    differences = sum(len(e.reconciliation.differences) for e in parents)
    incomplete = sum(not e.reconciliation.complete for e in parents)
    ambiguous = [f for e in entries for f in e.findings if f.rule == AMBIGUOUS]
    print(f"逐格核对下级报告：上级报告 {len(parents)} 份，核对下级 "
          f"{sum(len(e.reconciliation.children) for e in parents)} 份，不一致 {differences} 处"
          + (f"，下级之和不完整 {incomplete} 份" if incomplete else "")
          + (f"，同一目录同年度有多份人民政府报告而未核对 {len(ambiguous)} 份（提示 {AMBIGUOUS}）" if ambiguous else "")
          + f"（表格：{out / 'reconcile.csv'}）")


def _copies_summary(entries, out: Path) -> None:
    """Each disagreement among the files of one report, once (each of its files has it)."""
    from .. import copies

    said = list(dict.fromkeys((f.rule, f.message) for e in entries for f in e.findings if f.rule in copies.rules()))
    if said:
        rules = "、".join(dict.fromkeys(rule for rule, _ in said))
        print(f"同一份报告的多个文件所载不同（{rules}）：{len(said)} 处（表格：{out / 'copies.csv'}）")
        for _, message in said[:LISTED]:
            print(f"  {message}")


def _watch_summary(out: Path) -> None:
    """What the ledger of originals says of this audit against the earlier ones (watch.py)."""
    from .. import watch

    ledger = watch.read(out)
    if ledger is None:
        return
    added, removed, unreadable = (ledger.having(status) for status in (watch.NEW, watch.REMOVED, watch.UNREADABLE))
    if len(added) == len(ledger.originals):
        print(f"发布监测：首次建立原件台账，{len(added)} 个文件（{out / watch.LEDGER}）")
        return
    print(f"发布监测：首次读取后变更 {len(ledger.changed)} 份，新增 {len(added)}，删除 {len(removed)}"
          + (f"，本次无法读取 {len(unreadable)}" if unreadable else "") + f"（台账：{out / watch.LEDGER}）")
    for o in ledger.changed[:LISTED]:
        print(f"  已变更 {o.file}：首次读取于 {o.first_read}，{o.changed} 读到变更"
              f"（SHA-256 {o.first_sha256[:12]} → {o.sha256[:12]}，{o.bytes} 字节）")
    for o in added[:LISTED]:
        print(f"  新增 {o.file}：{o.first_read} 首次读取")
    for o in removed[:LISTED]:
        print(f"  已删除 {o.file}：首次读取于 {o.first_read}，{o.removed} 发现已删除")
    for o in unreadable[:LISTED]:
        print(f"  本次无法读取 {o.file}：{o.reason}（台账保留此前的记录）")
