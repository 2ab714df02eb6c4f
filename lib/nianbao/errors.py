"""The one root of nianbao's own errors.

Every error nianbao raises for a person to read is a NianbaoError: its message says, in Chinese,
what went wrong and where (the file, sheet, cell, field or step), and is shown as it is, never
with a traceback. The command line and the batch catch this one class; anything else is a fault
of nianbao's own and is reported with its traceback for a developer.
"""
from __future__ import annotations


class NianbaoError(Exception):
    """An error whose message, in Chinese, is all a person needs to see."""
