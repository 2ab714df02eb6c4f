"""The few private pieces of jupyter_client and papermill that nianbao copies or leans on, pinned
to the upstream source they were written against.

kernels.ReadyClient.wait_for_ready is jupyter_client's handshake without its 0.2 s pause;
kernels.BatchKernelManager._async_wait polls a private method faster; ForkedProvisioner
overrides LocalProvisioner.launch_kernel and sets what it sets; batch.engine.SaveAtEndEngine
relies on papermill saving the notebook once more when execution ends. pyproject.toml bounds
both libraries to the major versions these were read from; within them, an upgrade that changes
one of these functions fails here, naming the nianbao code to read against the new source,
instead of silently changing how kernels start and end.
"""
import hashlib
import importlib
import inspect
import textwrap

import pytest

UPSTREAM = {  # upstream function: (what of nianbao's leans on it, digest of the source read)
    "jupyter_client.client:KernelClient._async_wait_for_ready": ("nianbao.kernels.ReadyClient.wait_for_ready",
                                                                 "1591e58135a04bb1"),
    "jupyter_client.manager:KernelManager._async_wait": ("nianbao.kernels.BatchKernelManager._async_wait",
                                                         "373d247f832c9067"),
    "jupyter_client.provisioning.local_provisioner:LocalProvisioner.launch_kernel": (
        "nianbao.kernels.ForkedProvisioner.launch_kernel", "a003b7f52fa801cf"),
    "papermill.engines:NBClientEngine.execute_managed_notebook": (
        "nianbao.batch.engine.SaveAtEndEngine.execute_managed_notebook", "231b504c6d53bf56"),
    "papermill.engines:Engine.execute_notebook": ("nianbao.batch.engine.SaveAtEndEngine", "9bbe1c605a7b30a1"),
}


def digest(where: str) -> str:
    module, _, name = where.partition(":")
    found = importlib.import_module(module)
    for part in name.split("."):
        found = getattr(found, part)
    return hashlib.sha256(textwrap.dedent(inspect.getsource(found)).encode()).hexdigest()[:16]


@pytest.mark.parametrize("upstream", UPSTREAM)
def test_the_upstream_code_nianbao_leans_on_is_the_code_it_was_written_against(upstream):
    ours, read = UPSTREAM[upstream]
    assert digest(upstream) == read, (f"{upstream} has changed upstream: read {ours} against the new source, "
                                      f"then record its digest here")
