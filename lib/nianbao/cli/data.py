"""`nianbao schema` and `nianbao draft`: a record as data, and the narrative drafted from its tables."""
from __future__ import annotations

import json
import sys
from pathlib import Path

from .. import editions


def add(commands) -> None:
    schema = commands.add_parser("schema", help="输出某一格式版本的 record.json 的 JSON Schema",
                                 description="输出某一格式版本的 record.json 的 JSON Schema（标签、单位、空白的含义）")
    schema.add_argument("--edition", default="2021", choices=editions.available(), metavar="格式版本",
                        help=f"格式版本：{'、'.join(editions.available())}（默认 2021）")
    schema.set_defaults(handler=_schema)

    draft = commands.add_parser("draft", help="按表格数字为尚未填写的正文部分起草文字（以【待核改】标记）",
                                description="按表格数字为记录中尚未填写的正文部分起草文字，写回记录文件；"
                                            "已有的文字不会改动。起草的每段以【待核改】开头，核改后删去该标记。")
    draft.add_argument("records", nargs="+", type=Path, metavar="记录", help="记录文件（.yaml 或 .xlsx）")
    draft.add_argument("--params-dir", type=Path, default=Path("params"), metavar="目录",
                       help="参数文件所在目录（默认 params/）：政府的报告按其参数文件的 covers 汇总后起草")
    draft.set_defaults(handler=_draft)


def _schema(args) -> int:
    from ..opendata.schema import record_schema

    print(json.dumps(record_schema(args.edition), ensure_ascii=False, indent=1))
    return 0


def _draft(args) -> int:
    from .. import intake, limits, project
    from ..batch.folder import describe
    from ..checks import packs
    from ..opendata import draft

    limits.bound_memory()  # the records are anyone's: one that costs gigabytes fails alone, said why
    try:
        chosen = packs(project.rule_packs())
    except (KeyError, ValueError) as error:
        print(error.args[0], file=sys.stderr)
        return 2
    failed = False
    for path in args.records:
        try:
            record = _summed(intake.read(path), path, args.params_dir)
            _, lines = draft.into_file(record, path, chosen)
        except (intake.IntakeError, draft.DraftError) as error:
            print(error, file=sys.stderr)
            failed = True
            continue
        except OSError as error:  # no permission, a full disk: said as the batch says it
            print(describe(error), file=sys.stderr)
            failed = True
            continue
        print("\n".join(lines))
    return 1 if failed else 0


def _summed(record, path: Path, params_dir: Path):
    """A government's record with its tables summed, when a params file of its year names this
    record and `covers:` units (the sum the report states); any other record as it is."""
    from ..batch.jobs import discover, read_params
    from ..consolidation import consolidate
    from ..opendata.draft import DraftError

    root = Path(".").resolve()
    for params in sorted((params_dir / str(record.year)).glob("**/*.yaml")):
        job = read_params(params, [root])
        if job.problem or Path(job.parameters["record"]) != path.resolve() or not job.parameters["covers_entries"]:
            continue
        job = discover([params], params_dir)[0]
        if job.problem:
            raise DraftError(f"{params}: {job.problem}")
        return consolidate(record, job.parameters["covers"])[0]
    return record
