"""Jobs: the agency-years a batch makes, read from params files.

A params file (params/<year>/<name>.yaml) names the agency-year and its record:

    agency_id: quzhou-jgswbzzx
    year: 2022
    record: data/2022/quzhou-jgswbzzx.yaml   # relative to the project folder
    previous: data/2021/...                   # optional; found among the params when absent
    history: [data/2020/..., data/2021/...]   # optional; all earlier years found among the params
    notebook: notebooks/...                   # optional; by default the one the record's edition names
    covers: [shili-jtysj, params/2023/xian/]  # a government's report: the units it adds up (scope.py)

The outputs go to <out>/<year>/<name>/, which is the agency id for its annual report; another
document of the same agency-year (a work summary) has a params file of its own.

A params file that cannot be run (unreadable, a field missing or of the wrong kind, a path
outside the project) gives a job with a `problem`: that agency-year fails with the reason, and
every other one runs. Paths a params file names must lie inside the project folder, or inside
a folder the command line allows (`allowed`); the name and the agency id must be valid ids
(nianbao.ids), since they become the output folder's paths.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import nbformat
import papermill
import yaml

from .. import ids, intake, project, reviews, rulepacks, yamltext
from . import cache, scope
from ..errors import reason
from .folder import Outcome, shown

NOTEBOOKS = Path("notebooks")
FIELDS = ("agency_id", "year", "record", "previous", "history", "notebook", "covers")
YEARS = (1990, 2100)


@dataclass(frozen=True)
class Job:
    params_file: str
    agency_id: str
    year: int
    parameters: dict   # what papermill injects: record, previous, history, year, agency_id, covers
    notebook: str = ""  # the template notebook to execute
    problem: str = ""  # why the params file cannot be run, when it cannot
    inputs: str = ""   # fingerprint of everything the outputs are made from
    folder: str | None = ""  # <year>/<name> under the output folder; None when no valid one exists
    because: str = ""  # run with the params files named on the command line, as it depends on them

    @property
    def input_files(self) -> list[str]:
        """What the report is made from: the template, this and other years' records, the
        reviewers' decisions, the project's rule packs, and for a government's report the
        params files and records of every unit it covers."""
        parameters = self.parameters
        sources = [parameters.get("record"), parameters.get("previous"), *parameters.get("history", []),
                   {"covers": parameters.get("covers", [])}, parameters.get("decisions"),
                   *([project.FILE] if parameters.get("rule_packs") else []),
                   *(rulepacks.definition(pack)["source"] for pack in parameters.get("rule_packs", []))]
        return [self.notebook, *(path for source in sources for path in _files(source) if path)]

    def outcome(self, **known) -> Outcome:
        """How this job ended, failed until shown otherwise."""
        return Outcome(self.params_file, self.agency_id, self.year, "failed", self.folder or "",
                       inputs=self.inputs, because=self.because, **known)


def discover(selected: list[Path] | None, params_dir: Path = Path("params"), root: Path = Path("."),
             notebooks: Path = NOTEBOOKS, allowed: list[Path] = ()) -> list[Job]:
    """Jobs for the selected params files (all under params_dir when none are named).

    A record's previous year is the params file of the same agency and template for year − 1,
    and its history every earlier year's, looked for among all params files, so that running
    one agency still checks its carry-over and shows its history. A params file that names no
    notebook gets the one its record's edition names, from the `notebooks` folder.

    With params files selected, the reports that depend on them come along (`because` says on
    which): a government's report on its units, the next year's report on this year's. Made
    from what changed, they are made again; the others are skipped as unchanged.
    """
    every = sorted(params_dir.glob("**/*.yaml")) if params_dir.is_dir() else []
    chosen = [Path(p) for p in selected] if selected else every
    roots = [root.resolve(), *(Path(folder).resolve() for folder in allowed)]
    read = {path: read_params(path, roots, notebooks) for path in {*every, *chosen}}
    try:  # the project's local rule packs (nianbao.yaml): every report is checked against them
        packs = project.rule_packs(root)
    except project.ProjectError as error:
        read = {path: replace(job, problem=job.problem or f"项目设置有误：{error}") for path, job in read.items()}
        packs = []
    read = {path: replace(job, parameters={**job.parameters, "rule_packs": packs}) for path, job in read.items()}
    declared = _declared({job.notebook for job in read.values() if not job.problem})
    known = {(job.agency_id, job.year, job.notebook): job for job in read.values()
             if not job.problem and job.notebook in declared}
    scopes = scope.Scopes(read, roots)

    def job_of(path: Path) -> Job:
        job = read[path]
        if not job.problem and job.notebook not in declared:
            job = replace(job, problem=f"模板笔记本无法读取，或没有调用 report.review()（审核结果由它输出）："
                                       f"{shown(job.notebook)}")
        if not job.problem and job.parameters["covers_entries"]:
            try:
                job = replace(job, parameters={**job.parameters, "covers": scopes.resolve(job)})
            except scope.ScopeError as error:
                job = replace(job, problem=f"参数文件的 covers：{error}")
            if not job.problem and "covers" not in declared[job.notebook]:
                job = replace(job, problem=f"模板笔记本 {shown(job.notebook)} 没有 covers 参数，无法汇总涵盖单位的报告")
        if not job.problem:
            earlier = sorted(year for agency, year, notebook in known
                             if (agency, notebook) == (job.agency_id, job.notebook) and year < job.year)
            records = {year: _source(known[(job.agency_id, year, job.notebook)], scopes) for year in earlier}
            found = {"history": job.parameters["history"] or list(records.values()),
                     "previous": job.parameters["previous"] or records.get(job.year - 1, "")}
            # A template takes what its parameters cell declares (a work summary has no history).
            parameters = {name: value for name, value in {**job.parameters, **found}.items()
                          if name in declared[job.notebook]}
            job = replace(job, parameters=parameters)
        return job

    def fingerprinted(job: Job) -> Job:  # read every input file: only for the jobs that run
        return job if job.problem else replace(job, inputs=cache.fingerprint(job.params_file, job.input_files,
                                                                             roots[0]))

    jobs = [job_of(path) for path in chosen]
    dependents = _dependents(jobs, [job_of(path) for path in every if path not in set(chosen)], roots[0]) \
        if selected else []
    return [fingerprinted(job) for job in [*jobs, *dependents]]


def _dependents(chosen: list[Job], others: list[Job], root: Path) -> list[Job]:
    """The jobs among `others` made from a chosen job's record or params file, each with the
    params files it depends on."""
    made_from = {}
    for job in chosen:
        for path in (job.params_file, job.parameters.get("record")):
            if path:
                made_from[Path(root, path).resolve()] = job.params_file
    found = []
    for job in others:
        on = sorted({made_from[file] for file in map(lambda p: Path(root, p).resolve(), job.input_files)
                     if file in made_from})
        if on and not job.problem:
            found.append(replace(job, because="依赖 " + "、".join(shown(Path(p)) for p in on)))
    return found


def _source(job: Job, scopes: scope.Scopes):
    """What another year's report is read from: its record, or for a government's report its
    record and what it covers (consolidation.py), so that years compare sum with sum."""
    if not job.parameters["covers_entries"]:
        return job.parameters["record"]
    try:
        return {"record": job.parameters["record"], "covers": scopes.resolve(job)}
    except scope.ScopeError:  # that year's own report fails with the reason
        return job.parameters["record"]


def _files(source) -> list[str]:
    """The files a record source is read from: a path, or a government's {record, covers}."""
    if not isinstance(source, dict):
        return [source]
    found = [source.get("record")]
    for unit in source.get("covers", []):
        found += [unit["params"], *_files(unit)]
    return found


def _declared(notebooks: set[str]) -> dict[str, set[str]]:
    """The parameters each template notebook declares. A notebook that cannot be read, or that
    never calls report.review() (the batch takes the findings from its output), is left out."""
    declared = {}
    for notebook in notebooks:
        try:
            parameters = set(papermill.inspect_notebook(notebook))
            cells = nbformat.read(notebook, as_version=4).cells
        except Exception:  # a damaged template fails the jobs that use it, not the batch
            continue
        if any(cell.cell_type == "code" and ".review()" in cell.source for cell in cells):
            declared[notebook] = parameters
    return declared


def read_params(path: Path, roots: list[Path], notebooks: Path = NOTEBOOKS) -> Job:
    """The job a params file describes, or a job with the problem that stops it running."""
    name_problem = ids.problem(path.stem)
    folder_year = int(path.parent.name) if path.parent.name.isdigit() else 0
    job = Job(str(path), path.stem if not name_problem else "", folder_year, {},
              folder=f"{folder_year}/{path.stem}" if not name_problem and folder_year else None)
    if name_problem:
        return replace(job, problem=f"参数文件名不能用作输出目录名：{name_problem}")
    if path.exists() and not path.is_file():
        return replace(job, problem=f"参数文件{intake.NOT_A_FILE}")
    try:
        data = yamltext.load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        return replace(job, problem="参数文件无法读取：应为 UTF-8 编码的文字")
    except OSError as error:
        return replace(job, problem=f"参数文件无法读取：{reason(error)}")
    except (yaml.YAMLError, ValueError) as error:
        return replace(job, problem=f"参数文件无法读取：{error}")
    if not isinstance(data, dict):
        return replace(job, problem="参数文件应为“字段: 值”的映射（agency_id、year、record 等）")
    problems = [f"未知字段“{key}”，可用字段：{'、'.join(FIELDS)}" for key in data if key not in FIELDS]
    problems += [f"缺少字段：{key}" for key in ("agency_id", "year", "record") if data.get(key) in (None, "")]
    if problems:
        return replace(job, problem="参数文件" + "；".join(problems))

    def fail(field: str, message: str) -> Job:
        return replace(job, problem=f"参数文件的 {field}：{message}")

    if ids.problem(data["agency_id"]):
        return fail("agency_id", ids.problem(data["agency_id"]))
    year = data["year"]
    if isinstance(year, bool) or not isinstance(year, int) or not YEARS[0] <= year <= YEARS[1]:
        return fail("year", f"应为四位数年份（{YEARS[0]}—{YEARS[1]}），实为“{str(year)[:40]}”")
    paths = {}
    for field in ("record", "previous", "notebook"):
        value = data.get(field) or ""
        if value and not isinstance(value, str):
            return fail(field, f"应为文件路径（文字），实为“{str(value)[:40]}”")
        paths[field] = value
    covers = data.get("covers") or []
    covers_problem = scope.check_entries(covers, roots) if covers else None
    if covers_problem:
        return fail("covers", covers_problem)
    history = data.get("history") or []
    if not isinstance(history, list) or not all(isinstance(item, str) for item in history):
        return fail("history", "应为文件路径的列表，如 [data/2021/x.yaml, data/2022/x.yaml]")
    resolved = {}
    for field, value in [*paths.items(), *((f"history[{i}]", item) for i, item in enumerate(history))]:
        if value:
            resolved[field] = (roots[0] / value).resolve()
            if not any(resolved[field] == root or root in resolved[field].parents for root in roots):
                return fail(field, f"“{value}”不在项目目录之内（项目以外的目录须在命令行用 --allow-dir 允许）")
            if resolved[field].exists() and not resolved[field].is_file():
                return fail(field, f"“{value}”{intake.NOT_A_FILE}")
    decisions = reviews.path_of(roots[0], year, path.stem)
    if decisions.exists() and not decisions.is_file():
        return replace(job, problem=f"审核决定文件 {shown(decisions)} {intake.NOT_A_FILE}")
    notebook = resolved.get("notebook")
    if notebook is None:  # the edition's own, found without reading the whole record
        edition = intake.edition_of(resolved["record"], year)
        notebook = (notebooks / (edition.notebook if edition else "annual_report.ipynb")).resolve()
    parameters = {
        "record": str(resolved["record"]),
        "previous": str(resolved.get("previous", "")),
        "history": [str(resolved[f"history[{i}]"]) for i in range(len(history))],
        "year": year,
        "agency_id": data["agency_id"],
        "covers_entries": covers,  # resolved into `covers` once every params file is read
        # the reviewers' decisions on its findings, named as the params file (reviews.py)
        "decisions": str(decisions),
    }
    job = replace(job, agency_id=data["agency_id"], year=year, parameters=parameters, notebook=str(notebook),
                  folder=f"{year}/{path.stem}")
    return job if notebook.is_file() else replace(job, problem=f"模板笔记本不存在：{shown(notebook)}")
