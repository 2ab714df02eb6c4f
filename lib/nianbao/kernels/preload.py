"""What every report's kernel would otherwise do before its first cell, done once on import.

It also imports the main module of the process that asked for the fork server, under the name
multiprocessing gives it in the processes it starts (__mp_main__), so that its kernels, finding
it imported, do not import it each.

The batch's kernel fork server imports this module (kernels.PRELOAD), and nothing else does:
it binds the fork server's life to the worker that started it, and has each kernel it
forks start with the report's modules imported (pandas and matplotlib with them), every
edition read, the intake's readers found and the report's templates compiled: 0.1 s less per
report, measured on synthetic agencies. Then all it holds is frozen (gc.freeze): a kernel's
garbage collector no longer walks the million objects of IPython, pandas and matplotlib it
inherited at every full collection, nor writes to their pages; a report's cells took 0.15 to
0.20 s of CPU in its kernel, 0.08 s with them frozen.
"""
import gc
import json
import multiprocessing.spawn
import os
import sys

from .. import checks, editions, intake, limits, pages, report  # noqa: F401
from ..document import history  # noqa: F401  (pandas)
from ..pages import charts  # noqa: F401  (matplotlib)
from . import MAIN_MODULE, PARENT

limits.die_with_parent(int(os.environ.pop(PARENT)) if os.environ.get(PARENT, "").isdigit() else None)

for _edition in editions.available():
    editions.load(_edition)
checks.kinds()
intake.readers()
for _template in pages.environment.list_templates(filter_func=lambda name: name.startswith("report/")):
    pages.environment.get_template(_template)
if os.environ.get(MAIN_MODULE):
    _main, sys.path[:] = json.loads(os.environ.pop(MAIN_MODULE))
    try:
        multiprocessing.spawn.import_main_path(_main)
    except Exception:  # each kernel imports it then, and fails as it would have
        pass
gc.freeze()  # last: what the kernels inherit, the collector leaves alone
