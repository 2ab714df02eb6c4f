"""`nianbao run`: every params file executed, checked and rendered, with progress and a summary."""
from __future__ import annotations

import signal
import sys
import time
from pathlib import Path


def add(commands) -> None:
    run = commands.add_parser("run", help="逐个机关年度执行模板笔记本、审核并生成报告（HTML、PDF、Word）",
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


def _run(args) -> int:
    from tqdm import tqdm

    from ..batch import Interrupted, Locked, Options, discover, executors, run
    from ..batch.folder import describe
    from ..desk.index import write_index
    from ..opendata.package import write_batch

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
        write_batch(args.out)  # outputs/data/: the data package over every report, as the index
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
    from ..batch.folder import FAILED_NOTEBOOK

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
