"""A forked kernel on its way out is asked to shut down, not interrupted: the interrupt
jupyter_client sends first could land while the kernel still answered papermill's last request,
and ipykernel logged "KeyboardInterrupt caught in kernel." after a good report."""
import asyncio
import signal
import subprocess
import sys

from jupyter_client import KernelManager

from nianbao.kernels import ForkedProvisioner

# A stand-in for the kernel process: it says when it is ready and exits 3 when interrupted.
KERNEL = ("import signal, sys, time\nsignal.signal(signal.SIGINT, lambda *_: sys.exit(3))\n"
          "print('ready', flush=True)\ntime.sleep(60)\n")


def test_a_kernel_is_interrupted_by_a_person_but_not_on_its_way_out():
    kernel = subprocess.Popen([sys.executable, "-c", KERNEL], stdout=subprocess.PIPE, text=True,
                              start_new_session=True)
    try:
        assert kernel.stdout.readline() == "ready\n"
        manager = KernelManager()
        provisioner = ForkedProvisioner(kernel_id="test", parent=manager)
        provisioner.process, provisioner.pid, provisioner.pgid = kernel, kernel.pid, kernel.pid

        manager.shutting_down = True  # jupyter_client's shutdown: the interrupt comes first
        asyncio.run(provisioner.send_signal(signal.SIGINT))
        try:
            kernel.wait(timeout=1)
        except subprocess.TimeoutExpired:
            pass
        assert kernel.poll() is None

        manager.shutting_down = False  # an analyst's interrupt (Kernel → Interrupt)
        asyncio.run(provisioner.send_signal(signal.SIGINT))
        assert kernel.wait(timeout=10) == 3
    finally:
        kernel.kill()
        kernel.wait()
