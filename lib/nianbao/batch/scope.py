"""What a government's params file covers: its `covers:` entries, resolved to units.

A government's report adds up the reports of the units it covers (consolidation.py). Its
params file names them, each entry a line of text:

    covers:
      - shili-jtysj                       # a params name of the same year (params/**/shili-jtysj.yaml)
      - shili-wsjkw 示例市卫生健康委员会     # …and the name to show while it has no report
      - params/2023/xian/                 # a folder: every params file in it and below
      - scopes/shili-2023.txt             # a list: one entry a line, `#` begins a comment

An entry is a word, then optionally the unit's name; the word is a folder when it ends with
`/`, a list file when it ends with `.txt`, and a params name otherwise. A covered unit that is a
government in turn (its own params file has `covers:`) brings its scope along: a city covers
its counties, each county its departments. A scope that comes back to itself is refused.

Each unit counts once in a government's sum, wherever in the whole tree it is reached; a unit
reached a second time is kept in the tree as a duplicate (`"duplicate": True`), which the sum
leaves out and the report names. Which occurrence counts: one reached through a covered
government counts under that government, so that every government's subtotal within the sum
is its own report's total, and its direct listing elsewhere is the duplicate; between two
sibling governments that both reach it, the first, as the scope is read.

`Scopes` resolves the entries into the plain data the template's `covers` parameter takes (one
mapping a unit, see consolidation.py), each government's entries once per discovery, so that
scopes sharing sub-scopes cost work in proportion to the params files, not to the paths through
them. Paths are checked as the params file's own are: inside the project, or a folder the
command line allows.
"""
from __future__ import annotations

from pathlib import Path

from .. import ids, intake
from ..errors import NianbaoError, reason
from .folder import shown

LIST_SUFFIX = ".txt"
LIST_LINES = 10_000  # a list file's lines: far above any real scope


class ScopeError(NianbaoError, ValueError):
    """A scope that cannot be resolved: the message names the entry and what was expected."""


def check_entries(entries, roots: list[Path]) -> str | None:
    """What is wrong with a params file's `covers:` value itself, or None."""
    if not isinstance(entries, list) or not all(isinstance(entry, str) and entry.strip() for entry in entries):
        return "应为涵盖单位的列表，每项一行文字，如 [shili-jtysj, params/2023/xian/, scopes/shili-2023.txt]"
    for entry in entries:
        problem = _entry_problem(entry.split()[0], roots)
        if problem:
            return f"“{entry[:60]}”：{problem}"
    return None


def _entry_problem(word: str, roots: list[Path]) -> str | None:
    if word.endswith(("/", LIST_SUFFIX)):
        path = (roots[0] / word).resolve()
        if not any(path == root or root in path.parents for root in roots):
            return "不在项目目录之内（项目以外的目录须在命令行用 --allow-dir 允许）"
        return None
    problem = ids.problem(word)
    return f"{problem}（目录请以“/”结尾，名单文件以“.txt”结尾）" if problem else None


class Scopes:
    """The scopes of one discovery: `jobs` maps every params file's path to its Job."""

    def __init__(self, jobs: dict, roots: list[Path]):
        self.jobs, self.roots = jobs, roots
        self.by_name = {(job.year, Path(path).stem): job for path, job in jobs.items()}
        self._entries: dict[str, list | ScopeError] = {}   # params file → its units, one a name
        self._below: dict[str, set | ScopeError] = {}      # params file → every name in its scope
        self._resolved: dict[str, list | ScopeError] = {}  # params file → its `covers` parameter
        self._open: list[str] = []  # the governments whose scope is being read, outermost first

    def resolve(self, job) -> list[dict]:
        """The units `job` covers, as the template's `covers` parameter takes them; raise
        ScopeError for a scope that cannot be resolved, at any depth."""
        def resolved() -> list[dict]:
            self._below_of(job)  # first the whole scope, so that a cycle is said from this government
            return self._walk(job, set())

        return _once(self._resolved, job.params_file, resolved)

    def _walk(self, job, counted: set[str]) -> list[dict]:
        """`job`'s units, those in `counted` (reached earlier in this walk) as duplicates."""
        entries = self._entries_of(job)
        # What a covered government reaches counts under it, so that its subtotal within this
        # sum is its own report's total; the same unit listed here beside it is the duplicate.
        through = set().union(*(self._below_of(covered) for _, _, covered in entries if self._government(covered, job)))
        units = []
        for name, label, covered in entries:
            if name in counted or name in through:  # counted: a sibling government before reached it
                units.append(self._unit(name, label, covered, job, duplicate=True))
                continue
            counted.add(name)
            unit = self._unit(name, label, covered, job)
            if self._government(covered, job):
                unit["covers"] = self._walk(covered, counted)
            units.append(unit)
        return units

    def _government(self, covered, government) -> bool:
        """Whether a covered unit is a government whose scope comes along."""
        return (covered is not None and not covered.problem and covered.year == government.year
                and bool(covered.parameters.get("covers_entries")))

    def _below_of(self, job) -> set[str]:
        """The name of every unit in a government's scope, at any depth."""
        if job.params_file in self._open:
            cycle = [*self._open[self._open.index(job.params_file):], job.params_file]
            raise ScopeError(f"涵盖范围循环：{' → '.join(shown(p) for p in cycle)}")

        def below() -> set[str]:
            self._open.append(job.params_file)
            try:
                names = set()
                for name, _, covered in self._entries_of(job):
                    names.add(name)
                    if self._government(covered, job):
                        names |= self._below_of(covered)
                return names
            finally:
                self._open.pop()

        return _once(self._below, job.params_file, below)

    def _entries_of(self, job) -> list[tuple[str, str, object]]:
        """(params name, name to show, its Job or None) for each unit a government names
        itself, folders and lists opened, each name once (a unit named twice counts once)."""
        def entries():
            found = {}
            for name, label, covered in _names(job.parameters.get("covers_entries", []), job, self):
                found.setdefault(name, (name, label, covered))
            return list(found.values())

        return _once(self._entries, job.params_file, entries)

    def _unit(self, name: str, label: str, covered, government, duplicate: bool = False) -> dict:
        unit = {"id": name, "name": label, "params": "", "folder": "", "record": "", "previous": "",
                "problem": "", "missing": False, "duplicate": duplicate, "covers": []}
        if covered is None:
            return {**unit, "missing": True, "problem": f"找不到 {government.year} 年度的参数文件 {name}.yaml"}
        unit.update(params=shown(covered.params_file), folder=covered.folder or "")
        if duplicate:  # left out of the sum: where it counts, the other occurrence says the rest
            return unit
        if covered.problem:
            return {**unit, "problem": covered.problem}
        if covered.year != government.year:
            return {**unit, "problem": f"参数文件的年度为 {covered.year}，应为 {government.year}"}
        unit["record"] = covered.parameters["record"]
        if not covered.parameters.get("covers_entries"):
            # its year before, so that a carry-over the sum breaks is traced to the unit that breaks it
            before = self.by_name.get((covered.year - 1, name))
            if before is not None and not before.problem and not before.parameters.get("covers_entries"):
                unit["previous"] = before.parameters["record"]
        return unit


def _once(memo: dict, key: str, make):
    """make(), made once per key; a ScopeError is kept and raised again."""
    if key not in memo:
        try:
            memo[key] = make()
        except ScopeError as error:
            memo[key] = error
    if isinstance(memo[key], ScopeError):
        raise memo[key]
    return memo[key]


def _names(entries: list[str], government, scopes: Scopes, depth: int = 0):
    """(params name, name to show, its Job or None) for every entry, folders and lists opened."""
    if depth > 8:
        raise ScopeError("名单文件相互引用超过 8 层，请检查是否有循环")
    roots = scopes.roots
    for entry in entries:
        word, _, label = entry.strip().partition(" ")
        if word.endswith("/"):
            folder = (roots[0] / word).resolve()
            if not folder.is_dir():
                raise ScopeError(f"涵盖范围中的目录 {word} 不存在")
            for path, job in sorted(scopes.jobs.items()):
                # a folder's params files of this year, and those too broken to have a year
                if folder in Path(path).resolve().parents and str(path) != government.params_file \
                        and (job.problem or job.year == government.year):
                    yield Path(path).stem, "", job
        elif word.endswith(LIST_SUFFIX):
            listed = _list(roots[0] / word, word, roots)
            yield from _names(listed, government, scopes, depth + 1)
        else:
            yield word, label.strip(), scopes.by_name.get((government.year, word))


def _list(path: Path, word: str, roots: list[Path]) -> list[str]:
    """The entries of a list file: one a line, blank lines and `#` comments left out."""
    if path.exists() and not path.is_file():  # a named pipe would hold the batch for ever
        raise ScopeError(f"名单文件 {word} 无法读取：{intake.NOT_A_FILE}")
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise ScopeError(f"涵盖范围中的名单文件 {word} 不存在") from None
    except UnicodeDecodeError:
        raise ScopeError(f"名单文件 {word} 无法读取：应为 UTF-8 编码的文字") from None
    except OSError as error:
        raise ScopeError(f"名单文件 {word} 无法读取：{reason(error)}") from None
    if len(lines) > LIST_LINES:
        raise ScopeError(f"名单文件 {word} 有 {len(lines)} 行，超过上限 {LIST_LINES} 行")
    entries = [line.split("#", 1)[0].strip() for line in lines]
    entries = [entry for entry in entries if entry]
    problem = check_entries(entries, roots)
    if problem:
        raise ScopeError(f"名单文件 {word}：{problem}")
    return entries
