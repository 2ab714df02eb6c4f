"""The papermill engine of the batch (registered as `nianbao` by entry point, so
`papermill --engine nianbao` runs it too).

papermill's own engine writes the output notebook before and after every cell when asked to
save as it goes, which is the only way to keep the notebook of a report whose kernel dies or
hangs. Written 2 × 13 times, the report's notebook cost half a second of CPU per report
(measured on the template). This engine writes it once, when execution ends however it ends:
the notebook of a failed report is still there, with the failing cell and what it printed.
"""
from __future__ import annotations

from papermill.engines import NBClientEngine


class SaveAtEndEngine(NBClientEngine):
    """nbclient, with the output notebook written when execution ends, not after every cell."""

    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, **kwargs):
        # papermill's Engine.execute_notebook saves once more when this returns or raises
        # (notebook_complete, in a finally); until then nothing is written.
        output_path, nb_man.output_path = nb_man.output_path, None
        try:
            return super().execute_managed_notebook(nb_man, kernel_name, **kwargs)
        finally:
            nb_man.output_path = output_path
