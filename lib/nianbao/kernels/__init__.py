"""Kernels started from a process that has imported them once.

A report's kernel spent a second or two of CPU before it ran a cell, nearly all of it
imports: ipykernel 0.5 s and its debugger 0.2 s, then the report's nianbao, pandas and
matplotlib 1.4 s (measured here), and the batch starts a fresh kernel for every report.
ForkedProvisioner (registered for jupyter_client as `nianbao-forked` by entry point) asks
multiprocessing's fork server, which imported PRELOAD once, for a new process, and starts
the kernel in it.

Every report still gets a kernel process of its own. The fork server only imports modules
and reads what every report reads (nianbao.kernels.preload); it never starts a kernel or runs
notebook code, so no report sees what another one did.

As in every process multiprocessing starts this way, the main module of the process that asks
for kernels is imported before a kernel's code runs: here once, by the fork server (preload.py),
whose kernels then find it imported. It costs `nianbao run` nothing; a Dask worker's main
module imports Dask, which every kernel paid for before (0.5 s of CPU). A script that calls
batch.run must keep its own work under `if __name__ == "__main__":`.

The batch's worker processes use it (use_forked_kernels); elsewhere a kernel spec naming it,
or JUPYTER_DEFAULT_PROVISIONER_NAME=nianbao-forked, selects it. The batch's kernel manager
(BatchKernelManager) takes a kernel as ready, and as ended, as soon as it is: a report's
kernel is otherwise waited for longer than it works.
"""
from __future__ import annotations

import contextlib
import json
import multiprocessing
import multiprocessing.forkserver
import multiprocessing.spawn
import os
import signal
import sys
import time
from queue import Empty
from typing import Any

from jupyter_client import AsyncKernelManager
from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.provisioning import KernelProvisionerFactory, LocalProvisioner
from traitlets import DottedObjectName, Type

from .. import limits

NAME = "nianbao-forked"
PRELOAD = ["ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.debugger", "nianbao.kernels",
           "nianbao.kernels.preload",
           # what a kernel still imported as it started (ipykernel 7, IPython 9): 0.05 s of CPU each
           "IPython.core.completerlib", "IPython.core.debugger", "IPython.core.logger", "IPython.core.oinspect",
           "IPython.extensions.storemagic", "IPython.utils.wildcard", "psutil", "tornado.platform.asyncio",
           "faulthandler"]
# The main module of the process that started the fork server and its sys.path, for preload.py;
# and that process's pid, with which the fork server ends.
MAIN_MODULE = "NIANBAO_KERNELS_MAIN"
PARENT = "NIANBAO_KERNELS_PARENT"
# ipykernel's default backend, which it sets before user code runs; see _kernel.
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"

_forkserver = multiprocessing.get_context("forkserver")


def use_forked_kernels() -> None:
    """Start this process's fork server now (it imports PRELOAD), and have its kernels forked."""
    # Imported under Python's frozen modules, ipykernel's debugger warns on stderr that it may
    # miss breakpoints; batch kernels are never debugged (ipykernel's kernel spec sets it too).
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    # A batch started from a notebook open in JupyterLab (`!nianbao run`) inherits its kernel's
    # JPY_SESSION_NAME; the batch's kernels serve no open notebook, and their fragments must be
    # the bare ones the rendered report expects (report.shown).
    os.environ.pop("JPY_SESSION_NAME", None)
    # multiprocessing's own '__main__' preload never reaches the fork server on Python 3.11
    # (it passes the path under a key the server does not read, and not sys.path): preload.py
    # imports it instead, with this process's sys.path, as each kernel would have.
    preparation = multiprocessing.spawn.get_preparation_data("kernel")
    if preparation.get("init_main_from_path"):
        os.environ[MAIN_MODULE] = json.dumps([preparation["init_main_from_path"], preparation["sys_path"]])
    # The fork server ends with this process (preload.py), also when this one dies before the
    # fork server asked for it: it is told whose it is.
    os.environ[PARENT] = str(os.getpid())
    _forkserver.set_forkserver_preload(PRELOAD)
    multiprocessing.forkserver.ensure_running()
    for told in (MAIN_MODULE, PARENT):  # the fork server has them; the kernels need not
        os.environ.pop(told, None)
    KernelProvisionerFactory.instance().default_provisioner_name = NAME


class ForkedProvisioner(LocalProvisioner):
    """LocalProvisioner, with this Python's ipykernel forked from the fork server instead of
    started by a new interpreter; any other kernel is started as LocalProvisioner does."""

    async def launch_kernel(self, cmd: list[str], **kwargs: Any):
        arguments = _ipykernel_arguments(cmd)
        if arguments is None:
            return await super().launch_kernel(cmd, **kwargs)
        env = kwargs.get("env") or dict(os.environ)
        cwd = str(kwargs.get("cwd") or os.getcwd())
        spent, told = _forkserver.Pipe(duplex=False)
        process = _forkserver.Process(target=_kernel, args=(arguments, env, cwd, told), name="kernel")
        process.start()
        told.close()
        self.process = _Forked(process, spent)
        # The kernel leads a process group of its own (_kernel calls setsid), as the kernels
        # jupyter_client starts do: signals for the group reach the kernel and its children.
        self.pid = self.pgid = process.pid
        self.cwd = cwd
        return self.connection_info

    async def send_signal(self, signum: int) -> None:
        # jupyter_client interrupts a kernel before it asks it to shut down, busy or not. After
        # a report's last cell papermill asks the kernel for its info, and the interrupt could
        # land while the kernel was still answering: ipykernel takes that for an interrupted
        # request and logs "KeyboardInterrupt caught in kernel." after a good report. The
        # shutdown request alone ends an idle kernel; one still running a cell (past its
        # timeout) is terminated a moment later, as jupyter_client does with any kernel that
        # does not end.
        if signum == signal.SIGINT and self.parent.shutting_down:
            return
        await super().send_signal(signum)


class ReadyClient(AsyncKernelClient):
    """jupyter_client's client, ready without its pause: it took a kernel as ready only after
    IOPub had been silent for 0.2 s, which every report waited for. The handshake is the same:
    the kernel has answered kernel_info and said something on IOPub. What IOPub still holds of
    it is dropped at once; nbclient would skip it anyway, as it takes only the messages of the
    cell it runs."""

    async def wait_for_ready(self, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
        while True:
            self.kernel_info()
            try:
                reply = await self.shell_channel.get_msg(timeout=1)
            except Empty:
                reply = None
            if reply is not None and reply["msg_type"] == "kernel_info_reply":
                try:
                    await self.iopub_channel.get_msg(timeout=0.2)  # IOPub is connected
                except Empty:
                    pass
                else:
                    self._handle_kernel_info_reply(reply)
                    break
            # jupyter_client's words, which the batch looks for to start a kernel once more
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:.0f} seconds")
        while True:
            try:
                await self.iopub_channel.get_msg(timeout=0)
            except Empty:
                return


class BatchKernelManager(AsyncKernelManager):
    """The kernel manager of the batch's reports: its clients are ReadyClients, and it notices
    a kernel's end within 10 ms of it, where jupyter_client looks every 0.1 s (which every
    report waited for once its kernel was asked to shut down)."""

    client_class = DottedObjectName("nianbao.kernels.ReadyClient")
    client_factory = Type(ReadyClient, klass=AsyncKernelClient)

    async def _async_wait(self, pollinterval: float = 0.1) -> None:
        await super()._async_wait(pollinterval=min(pollinterval, 0.01))


def _ipykernel_arguments(cmd: list[str]) -> list[str] | None:
    """The kernel's own arguments when `cmd` starts ipykernel with this interpreter."""
    if len(cmd) > 3 and cmd[1:3] == ["-m", "ipykernel_launcher"] \
            and os.path.realpath(cmd[0]) == os.path.realpath(sys.executable):
        return cmd[3:]
    return None


def _kernel(arguments: list[str], env: dict[str, str], cwd: str, told) -> None:
    """The forked process: become the kernel that `python -m ipykernel_launcher` would be,
    and tell `told` the CPU seconds it spent when it ends."""
    limits.die_with_parent()
    limits.bound_memory()  # it reads the agency's record and draws the report: untrusted input
    os.setsid()
    os.environ.clear()
    os.environ.update(env)
    os.chdir(cwd)
    # matplotlib read MPLBACKEND when the fork server imported it, before ipykernel sets its
    # inline default; set and apply it here as a new interpreter would have.
    os.environ.setdefault("MPLBACKEND", INLINE_BACKEND)
    import matplotlib
    import numpy.random

    matplotlib.rcParams["backend"] = os.environ["MPLBACKEND"]
    numpy.random.seed()  # every fork would otherwise share the fork server's random state

    from ipykernel.kernelapp import IPKernelApp

    # The kernel ends when its parent does; its parent is the fork server, not the process
    # that asked for it (JPY_PARENT_PID), and the fork server ends with that process.
    try:
        IPKernelApp.launch_instance(argv=[*arguments, f"--IPKernelApp.parent_handle={os.getppid()}"])
    finally:
        told.send(sum(os.times()[:2]))


# CPU seconds spent by the kernels this process had forked, summed as each one ends: a
# report's kernel is another process, which the report's own CPU time does not include.
_kernels_cpu = 0.0


def kernels_cpu() -> float:
    """The CPU seconds of the forked kernels of this process that have ended so far."""
    return _kernels_cpu


class _Forked:
    """A forked kernel, with what LocalProvisioner uses of its subprocess.Popen."""

    stdin = stdout = stderr = None

    def __init__(self, process: multiprocessing.process.BaseProcess, spent):
        self._process = process
        self._spent = spent
        self.pid = process.pid

    def poll(self) -> int | None:
        return self._process.exitcode

    def wait(self, timeout: float | None = None) -> int | None:
        global _kernels_cpu
        self._process.join(timeout)
        if self._process.exitcode is not None and not self._spent.closed:
            with contextlib.suppress(EOFError):  # a kernel killed outright sent nothing: its CPU is not known
                if self._spent.poll():
                    _kernels_cpu += self._spent.recv()
            self._spent.close()
        return self._process.exitcode

    def send_signal(self, signum: int) -> None:
        os.kill(self.pid, signum)

    def terminate(self) -> None:
        self._process.terminate()

    def kill(self) -> None:
        self._process.kill()
