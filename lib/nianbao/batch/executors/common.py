"""What every executor shares: the run's options, and how a batch stops (collect, Interrupted)."""
from __future__ import annotations

import signal
import sys
import threading
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Options:
    """How a batch runs, whatever runs it."""
    root: Path = Path(".")         # the project folder: kernels run there
    workers: int | None = None     # local worker processes (default: cores + 1)
    timeout: int = 300             # seconds a cell, an HTML or a PDF may take
    scheduler: str | None = None   # the Dask scheduler's address


class Interrupted(KeyboardInterrupt):
    """Ctrl-C or SIGTERM stopped the batch: the reports not begun were cancelled and those running
    were finished. `outcomes` holds every report that ended, skipped ones included."""

    def __init__(self, outcomes: list, signum: int = signal.SIGINT):
        super().__init__()
        self.outcomes = outcomes
        self.signum = signum


def collect(futures: dict, as_completed, outcome_of, done, stop=lambda: None) -> None:
    """Call `done(outcome)` for each job as its future ends (a job stopped before it began, or
    one whose `outcome_of` gives None, has none).

    Ctrl-C (SIGINT) or SIGTERM does not stop this loop halfway through storing a report: it
    cancels the futures not begun and calls `stop`; the reports being made end (workers ignore
    SIGINT) and are stored; then Interrupted is raised. A second signal stops at once.
    """
    interrupted = []

    def cancel(signum, frame):
        signal.signal(signum, signal.default_int_handler if signum == signal.SIGINT else signal.SIG_DFL)
        interrupted.append(signum)
        stop()
        for future in futures:
            future.cancel()
        what = "Ctrl-C" if signum == signal.SIGINT else "终止信号"
        print(f"\n已中断（{what}）：不再开始新的报告，正在等待进行中的报告完成（再次中断则立即退出）……",
              file=sys.stderr, flush=True)

    # Only the main thread may handle signals; elsewhere they keep their defaults.
    here = threading.current_thread() is threading.main_thread()
    previous = {signum: signal.signal(signum, cancel) for signum in (signal.SIGINT, signal.SIGTERM)} if here else {}
    try:
        for future in as_completed(futures):
            outcome = None if future.cancelled() else outcome_of(future, futures[future])
            if outcome is not None:
                done(outcome)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    if interrupted:
        raise Interrupted([], interrupted[0])
