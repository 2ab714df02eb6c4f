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
its counties, each county its departments. A unit covered twice counts once; a scope that
comes back to itself is refused.

`resolve` turns the entries into the plain data the template's `covers` parameter takes (one
mapping a unit, see consolidation.py). Paths are checked as the params file's own are: inside
the project, or a folder the command line allows.
"""
from __future__ import annotations

from pathlib import Path

from .. import ids
from .folder import shown

LIST_SUFFIX = ".txt"
LIST_LINES = 10_000  # a list file's lines: far above any real scope


class ScopeError(ValueError):
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


def resolve(job, jobs: dict, roots: list[Path], *, within: tuple = ()) -> list[dict]:
    """The units `job` covers, as the template's `covers` parameter takes them.

    `jobs` maps every params file's path to its Job; `within` holds the params files of the
    governments above this one (a scope that comes back to one of them is refused).
    """
    by_name = {(other.year, Path(path).stem): other for path, other in jobs.items()}
    return _units(job, jobs, by_name, roots, (*within, job.params_file))


def _units(job, jobs: dict, by_name: dict, roots: list[Path], within: tuple) -> list[dict]:
    units, seen = [], set()
    for name, label, covered in _names(job.parameters.get("covers_entries", []), job, jobs, by_name, roots):
        if name not in seen:
            seen.add(name)
            units.append(_unit(name, label, covered, job, jobs, by_name, roots, within))
    return units


def _unit(name: str, label: str, covered, government, jobs: dict, by_name: dict, roots: list[Path],
          within: tuple) -> dict:
    unit = {"id": name, "name": label, "params": "", "folder": "", "record": "", "previous": "",
            "problem": "", "missing": False, "covers": []}
    if covered is None:
        return {**unit, "missing": True, "problem": f"找不到 {government.year} 年度的参数文件 {name}.yaml"}
    unit.update(params=shown(covered.params_file), folder=covered.folder or "")
    if covered.params_file in within:
        raise ScopeError(f"涵盖范围循环：{' → '.join(shown(p) for p in (*within, covered.params_file))}")
    if covered.problem:
        return {**unit, "problem": covered.problem}
    if covered.year != government.year:
        return {**unit, "problem": f"参数文件的年度为 {covered.year}，应为 {government.year}"}
    unit["record"] = covered.parameters["record"]
    if covered.parameters.get("covers_entries"):
        unit["covers"] = _units(covered, jobs, by_name, roots, (*within, covered.params_file))
    else:  # its year before, so that a carry-over the sum breaks is traced to the unit that breaks it
        before = by_name.get((covered.year - 1, name))
        if before is not None and not before.problem and not before.parameters.get("covers_entries"):
            unit["previous"] = before.parameters["record"]
    return unit


def _names(entries: list[str], government, jobs: dict, by_name: dict, roots: list[Path], depth: int = 0):
    """(params name, name to show, its Job or None) for every entry, folders and lists opened."""
    if depth > 8:
        raise ScopeError("名单文件相互引用超过 8 层，请检查是否有循环")
    for entry in entries:
        word, _, label = entry.strip().partition(" ")
        if word.endswith("/"):
            folder = (roots[0] / word).resolve()
            if not folder.is_dir():
                raise ScopeError(f"涵盖范围中的目录 {word} 不存在")
            for path, job in sorted(jobs.items()):
                # a folder's params files of this year, and those too broken to have a year
                if folder in Path(path).resolve().parents and str(path) != government.params_file \
                        and (job.problem or job.year == government.year):
                    yield Path(path).stem, "", job
        elif word.endswith(LIST_SUFFIX):
            listed = _list(roots[0] / word, word, roots)
            yield from _names(listed, government, jobs, by_name, roots, depth + 1)
        else:
            yield word, label.strip(), by_name.get((government.year, word))


def _list(path: Path, word: str, roots: list[Path]) -> list[str]:
    """The entries of a list file: one a line, blank lines and `#` comments left out."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise ScopeError(f"涵盖范围中的名单文件 {word} 不存在") from None
    except UnicodeDecodeError:
        raise ScopeError(f"名单文件 {word} 无法读取：应为 UTF-8 编码的文字") from None
    except OSError as error:
        raise ScopeError(f"名单文件 {word} 无法读取：{error.strerror}") from None
    if len(lines) > LIST_LINES:
        raise ScopeError(f"名单文件 {word} 有 {len(lines)} 行，超过上限 {LIST_LINES} 行")
    entries = [line.split("#", 1)[0].strip() for line in lines]
    entries = [entry for entry in entries if entry]
    problem = check_entries(entries, roots)
    if problem:
        raise ScopeError(f"名单文件 {word}：{problem}")
    return entries
