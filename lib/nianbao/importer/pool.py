"""Published files read in a pool of worker processes, each file within its time and memory bounds.

`nianbao import` (read_all) and `nianbao audit` (two passes over a folder) read every file in a
worker of a pebble pool: a file that runs past its time limit is stopped and its worker
replaced; one whose worker dies (a native library at the memory bound) or whose reading fails
fails alone, with the reason. Only a few tasks are scheduled ahead of the one taken, so memory
stays flat in the number of files.
"""
from __future__ import annotations

import functools
import logging
import os
import tempfile
import warnings
from collections import deque
from collections.abc import Iterable
from concurrent.futures import TimeoutError as TimedOut
from pathlib import Path

from .. import limits
from . import ImportFailed, NotAReport, read


class Skipped(str):
    """Why a file that is no report at all was passed over: not a failure of the audit."""


# Seconds one file may take to import: a report with a text layer takes well under one, a scan
# about 7 s of CPU a page (RapidOCR, benchmarks/ocr.py): more than a minute for ten pages
TIMEOUT = 180
# Tasks queued per worker beyond the one it runs: enough that no worker waits for the next
# file, few enough that results finished ahead of a slow file do not pile up in memory.
AHEAD = 4


def in_order(pool, function, tasks: Iterable, timeout: int, jobs: int):
    """(task, its future) for each task in the order given. Only a few tasks are scheduled ahead
    of the one taken, so that what finished early waits in memory for a few tasks, not for all
    of them: schedule-all kept every file's result until the last one was taken."""
    pending = deque()
    for task in tasks:
        pending.append((task, pool.schedule(function, args=(task,), timeout=timeout)))
        if len(pending) > AHEAD * jobs:
            yield pending.popleft()
    yield from pending


def outcome(future, path: Path, timeout: int, doing: str):
    """The future's result, or (None, why it has none): too slow, or its worker died."""
    from pebble import ProcessExpired

    try:
        return future.result()
    except TimedOut:
        return None, f"{path}: {doing}超过 {timeout} 秒，已放弃（文件过大或结构异常）"
    except ProcessExpired as died:  # a native library stopped at the memory bound, most likely
        return None, f"{path}: {doing}时工作进程意外终止（退出码 {died.exitcode}），可能是{limits.out_of_memory(doing)}"
    except Exception as error:  # the task itself failed: its result could not be sent back
        return None, f"{path}: {doing}时出错（{type(error).__name__}）"


def workers(jobs: int | None) -> int:
    return jobs or os.cpu_count() or 1


def pool(jobs: int | None, scratch: str):
    from pebble import ProcessPool

    return ProcessPool(max_workers=workers(jobs), initializer=_worker, initargs=(scratch,))


def _worker(scratch: str) -> None:
    """A worker's memory is bounded, and that of the programs it starts: a file that takes more
    fails alone. Libraries' warnings (PIL, pdfminer) stay off the terminal. Temporary files go to
    `scratch`, which the pool's owner removes even when a worker is stopped mid-file."""
    limits.bound_memory()
    warnings.simplefilter("ignore")
    logging.disable(logging.CRITICAL)
    tempfile.tempdir = scratch


def read_all(paths: list[Path], *, jobs: int | None = None, timeout: int = TIMEOUT,
             agency: str = "", year: int | None = None):
    """(path, Imported or None, why not) for each file, in the order given; `agency` and `year`
    stand in for what a document does not state.

    Each file is read in a worker process of a pool (pebble): one that runs longer than
    `timeout` seconds is stopped, its worker replaced, and the file fails with that reason;
    one whose import raises fails alone. Only results come back, and only a few ahead of the
    one yielded, so memory stays flat in the number of files.
    """
    with tempfile.TemporaryDirectory(prefix="nianbao-import-", ignore_cleanup_errors=True) as scratch, \
            pool(jobs, scratch) as processes:
        reading = functools.partial(read_one, agency=agency, year=year)
        for path, future in in_order(processes, reading, paths, timeout, workers(jobs)):
            yield path, *outcome(future, path, timeout, "导入")


def read_one(path: Path, agency: str = "", year: int | None = None):
    try:
        return read(path, agency, year), ""
    except NotAReport as failed:
        return None, Skipped(failed)
    except ImportFailed as failed:
        return None, str(failed)
    except MemoryError:
        return None, f"{path}: {limits.out_of_memory('读取此文件')}"
    except Exception as error:  # a page no reader foresaw must not stop the others
        return None, f"{path}: 读取时出现未预料的错误（{type(error).__name__}），请将此文件报告给 nianbao 的维护者"
