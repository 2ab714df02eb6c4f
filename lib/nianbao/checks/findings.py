"""What every check returns, how findings are counted, and the small helpers the kinds share to word them."""
from __future__ import annotations

import datetime as dt
import hashlib
import math
from dataclasses import asdict, dataclass

from ..record import Record, Value, format_value


@dataclass(frozen=True)
class Finding:
    rule: str           # the rule id from the edition, e.g. "表三.勾稽关系"
    severity: str       # "error" | "warning" | "info" (editions.schema.SEVERITIES)
    message: str        # Chinese, for a reviewer who never reads code
    table: str = ""     # "二" | "三" | "四" or "" when it is about text/metadata
    row: str = ""       # official row key ("" for table 四's single row)
    column: str = ""    # official column label
    part: str = ""      # narrative part id, or metadata field name, when about text
    excerpt: str = ""   # the offending text excerpt, when about text
    expected: str = ""  # what the rule expected, as text
    found: str = ""     # what it found
    decision: str = ""  # what a reviewer decided of it (reviews.py): 需修改, 已说明 or 误报
    note: str = ""      # the reviewer's note with it

    @property
    def id(self) -> str:
        """The finding's fingerprint: the same from run to run while the rule, the place and the
        values found stay the same, another when a value changes. The first 12 hex digits of
        SHA-256 over rule, table, row, column, part, excerpt, expected and found; the message is
        left out, so that rewording a rule does not orphan the decisions made on it."""
        key = "\x1f".join((self.rule, self.table, self.row, self.column, self.part, self.excerpt,
                           self.expected, self.found))
        return hashlib.sha256(key.encode()).hexdigest()[:12]

    def to_dict(self) -> dict:
        return {"id": self.id, **asdict(self)}


@dataclass(frozen=True)
class Counts:
    errors: int
    warnings: int


def counts(findings) -> Counts:
    """Errors and warnings among findings (Finding objects, or their dicts from checks.json)."""
    severities = [f["severity"] if isinstance(f, dict) else f.severity for f in findings]
    return Counts(severities.count("error"), severities.count("warning"))


def report_counts(items) -> dict:
    """How many of (made, errors, warnings) items (reports) failed, have errors, only warnings,
    or none: the desk's and the audit's summary."""
    items = list(items)
    found = {"total": len(items), "failed": sum(not made for made, _, _ in items),
             "with_errors": sum(made and errors > 0 for made, errors, _ in items),
             "with_warnings": sum(made and not errors and warnings > 0 for made, errors, warnings in items)}
    found["clean"] = found["total"] - found["failed"] - found["with_errors"] - found["with_warnings"]
    return found


@dataclass(frozen=True)
class Context:
    """What a check may need beyond the record and its rule."""
    previous: Record | None  # the same agency's record for the year before, when given
    today: dt.date
    coverage: object = None  # a government's report: what it covers (consolidation.Coverage)
    # (table, row) of an imported report whose numbers the import could not read: unknown, not
    # blank in the report, and the import's own notes say so
    unread: frozenset = frozenset()
    layout: str = ""         # an imported report: how its file was read (importer.Imported.kind; `scan`: by OCR)
    title: str = ""          # an imported report: its title as published (importer.Imported.title); a
                             # report made here bears its edition's title


def finding(rule: dict, message: str, **where) -> Finding:
    return Finding(rule=rule["id"], severity=rule["severity"], message=message, **where)


def number(value: Value) -> str:
    """A value for a message: as the report prints it, and a blank said in words."""
    return "空白" if value is None else format_value(value)


def same(a: float, b: float) -> bool:
    # amounts are decimals: sums of floats must not differ by rounding noise
    return math.isclose(a, b, rel_tol=0, abs_tol=1e-6)


def at(row: str, column: str) -> str:
    """Where a cell stands, for messages: `“规章”行“现行有效件数”列` (table 四's row has no label)."""
    return f"“{row}”行“{column}”列" if row else f"“{column}”列"
