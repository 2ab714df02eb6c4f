"""Bounds on the processes nianbao starts: how much memory they may take, and how long they live.

Some input costs memory out of all proportion to its size: a narrative of stacked combining
accents (16 KB took the typesetter to 3.9 GB), a workbook or a Word file whose XML unpacks to
gigabytes, a PDF of millions of tiny objects. Every process that reads or lays out such input
runs with its address space bounded: the report's kernel, the batch's workers, the typesetter,
the import's and audit's workers, `nianbao check`, and the programs they start (LibreOffice,
Tesseract). Past the bound Python raises MemoryError and a native program aborts; either way the
input fails alone, with a reason in Chinese (`out_of_memory`), and the machine and the batch go on.

The bound is on a process's data (RLIMIT_DATA: what it allocates and writes, its heap and private
mappings), 2 GiB beyond the data the process holds when it is bounded, far above what any real
report needs (a kernel with pandas and matplotlib holds 0.25 GiB, the typesetter with its fonts
0.1 GiB). Its address space would be the wrong measure: every thread reserves 64 MiB of it for
its allocator and the fonts are mapped whole, so a kernel maps 0.8 GiB it never touches. What
the process holds already is not counted against it because a worker forked from a large
process (a test run that has loaded the OCR models, a JupyterLab kernel) holds its parent's pages
without using more memory; bounded below them, it could not even start a thread, and Python then
waits for ever on a thread that never began. NIANBAO_MEMORY_LIMIT (in MiB) sets another bound.

A process the batch starts also ends with the process that made it (`die_with_parent`), so a
batch killed outright leaves none of its workers, fork servers, kernels or typesetters behind.
"""
from __future__ import annotations

import os
import resource
import signal
import sys

DEFAULT_MIB = 2048
VARIABLE = "NIANBAO_MEMORY_LIMIT"


def memory_limit() -> int:
    """The bound in bytes: NIANBAO_MEMORY_LIMIT MiB when it is a positive whole number, else 2 GiB."""
    given = os.environ.get(VARIABLE, "")
    mib = int(given) if given.isdigit() and int(given) > 0 else DEFAULT_MIB
    return mib * 2**20


def said() -> str:
    """The bound as a person reads it: `2 GB`, `512 MB`."""
    mib = memory_limit() // 2**20
    return f"{mib // 1024} GB" if mib % 1024 == 0 else f"{mib} MB"


def bound_memory() -> None:
    """Bound this process's data (and that of every process it starts) to the bound beyond what
    it holds now; never raise a bound already lower."""
    limit = _data_held() + memory_limit()
    soft, hard = resource.getrlimit(resource.RLIMIT_DATA)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    if soft == resource.RLIM_INFINITY or soft > limit:
        resource.setrlimit(resource.RLIMIT_DATA, (limit, hard))


def _data_held() -> int:
    """The bytes of data this process holds now, as RLIMIT_DATA counts them (Linux's VmData);
    0 where the system does not say."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            return next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmData:"))
    except (OSError, StopIteration, ValueError):
        return 0


def out_of_memory(what: str) -> str:
    """Why an input failed at the bound, for a person: `what` is the work, `排版 PDF`."""
    return f"{what}所需内存超过上限 {said()}，已放弃（输入中可能有异常内容，如大量叠加的组合符号或解压后极大的文件）"


def die_with_parent(parent: int | None = None, signum: int = signal.SIGKILL) -> None:
    """Have Linux send this process `signum` (kill it) when the one that made it dies, however
    it dies.

    The batch's workers, their fork servers, the kernels forked from those and the typesetters
    each call it, so a batch killed outright (kill -9, the out-of-memory killer) leaves none of
    them behind; so do the programs the importer starts. `parent` is the pid the process was
    made by, when the caller knows it; elsewhere than Linux this does nothing.
    """
    if sys.platform != "linux":
        return
    import ctypes

    parent = os.getppid() if parent is None else parent
    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signum)
    if os.getppid() != parent:  # the parent died before the request took hold
        os._exit(1)
