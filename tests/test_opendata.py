"""A record as data: the JSON Schema of each edition (`nianbao schema`, shipped with the package),
every demo record valid against it; and a report's 图解 and 解读 made from its record, text
kept text. (The batch's record.json, data package and 图解: test_opendata_batch.py.)"""
import io
import json
from dataclasses import replace
from importlib import resources

import jsonschema
import pytest
from pypdf import PdfReader

from conftest import ROOT
from nianbao import editions, intake
from nianbao.checks import check
from nianbao.cli import main
from nianbao.document.notebook import Checked
from nianbao.opendata import digest

VALIDATOR = jsonschema.Draft202012Validator


def printed(capsys, edition: str) -> dict:
    assert main(["schema", "--edition", edition]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("edition", editions.available())
def test_each_editions_schema_is_printed_and_shipped_with_the_package(capsys, edition):
    schema = printed(capsys, edition)
    VALIDATOR.check_schema(schema)
    shipped = resources.files("nianbao") / "schemas" / f"record-{edition}.schema.json"
    # made again with `nianbao schema --edition ID > lib/nianbao/schemas/record-ID.schema.json`
    assert json.loads(shipped.read_text(encoding="utf-8")) == schema


def test_the_schema_gives_the_official_labels_units_and_what_a_blank_means(capsys):
    schema = printed(capsys, "2021")
    rows = schema["properties"]["tables"]["properties"]["三"]["properties"]
    cell = rows["三、本年度办理结果/（一）予以公开"]["properties"]["法人或其他组织/商业企业"]
    assert cell["type"] == ["integer", "null"] and cell["minimum"] == 0
    assert cell["title"] == "法人或其他组织 / 商业企业" and "null 表示空白：未填报、数值未知，不等于 0" in cell["description"]
    fee = schema["properties"]["tables"]["properties"]["二"]["properties"]["第二十条第（八）项/行政事业性收费"]
    assert fee["properties"]["本年收费金额（单位：万元）"]["unit"] == "万元"
    assert fee["properties"]["本年收费金额（单位：万元）"]["type"] == ["number", "null"]
    legacy = printed(capsys, "legacy")["properties"]["tables"]["properties"]["统计表"]["properties"]
    assert legacy["八、机构建设和保障经费情况/（三）从事政府信息公开工作人员数"]["properties"]["统计数"]["unit"] == "人"
    signed = printed(capsys, "2019")["properties"]["tables"]["properties"]["二"]["properties"]
    assert signed["第二十条第（五）项/行政许可"]["properties"]["本年增／减"]["type"] == ["integer", "null"]
    assert "minimum" in signed["第二十条第（五）项/行政许可"]["properties"]["本年增／减"]  # may be negative, bounded


@pytest.mark.parametrize("path", sorted((ROOT / "data").glob("*/*.yaml")), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_demo_record_validates_and_a_wrong_one_does_not(capsys, path):
    record = intake.read(path).to_dict()
    schema = printed(capsys, record["edition"])
    VALIDATOR(schema).validate(record)
    for wrong in ({**record, "edition": "1999"}, {**record, "year": "2023"}, {**record, "tables": {"五": {}}},
                  {**record, "parts": {**record["parts"], "七": "…"}}):
        assert not VALIDATOR(schema).is_valid(wrong)


def test_an_unknown_edition_is_refused_in_chinese(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["schema", "--edition", "2030"])
    assert stop.value.code == 2 and "--edition 的值 '2030' 无效" in capsys.readouterr().err


def checked(path: str, **changes) -> Checked:
    record = replace(intake.read(ROOT / path), **changes)
    return Checked(record, check(record))


def test_a_hostile_agency_name_stays_text_in_the_digest(tmp_path):
    name = "示例局<script>alert(1)</script>**[点此](http://127.0.0.1/x)#\\"
    report = checked("data/2023/shili-sjzyglj.yaml", agency=name)
    digest.write(tmp_path, report)
    said = (tmp_path / "digest.md").read_text(encoding="utf-8")
    first = said.splitlines()[0]
    assert first.startswith("# 示例局\\<script\\>alert\\(1\\)\\</script\\>"
                            "\\*\\*\\[点此\\]\\(http://127\\.0\\.0\\.1/x\\)\\#\\\\")
    text = PdfReader(tmp_path / "digest.pdf").pages[0].extract_text().replace("\n", "")
    assert "<script>alert(1)</script>**[点此](http://127.0.0.1/x)#" in text  # shown as the text it is


def test_a_report_without_tables_has_no_digest(tmp_path):
    digest.write(tmp_path, checked("data/2022/quzhou-jgswbzzx-summary.yaml"))
    assert list(tmp_path.iterdir()) == []


def test_a_blank_figure_is_left_out_and_a_reviewers_false_alarm_brings_a_table_back(tmp_path):
    report = checked("data/2022/dinghai-jgswglzx.yaml")  # table 二 was not published: all blank
    made = digest.digest(report.record, None, report.findings)
    assert "主动公开" not in made.sections and made.left_out == []
    report = checked("data/2023/shili-jtysj.yaml")  # table 三 does not add up
    assert "依申请公开" not in digest.digest(report.record, None, report.findings).sections
    settled = [replace(f, decision="误报") if f.table == "三" else f for f in report.findings]
    assert digest.digest(report.record, None, settled).sections["依申请公开"][0].figure.value == 22


def test_the_digest_is_one_a4_page_however_much_its_figures_say():
    from nianbao.pages.typeset import digest_pages

    card = {"label": "现行有效行政规范性文件" * 2, "value": "999999999999", "unit": "万元",
            "change": "较上年增加999999999998万元（+99999999999800%）", "note": "结果纠正999999999999件，占100%",
            "cells": []}
    data = {"title": "示例" * 40 + "2023年政府信息公开工作年度报告", "agency": "示例" * 40, "year": 2023, "draft": "草稿",
            "sections": [{"title": name, "bars": bars, "cards": [card] * 12}
                         for name, bars in [("主动公开", False), ("依申请公开", False), ("办理结果", True), ("收费", False)]],
            "notes": ["表三未通过核查，其数字未列入本图解。" * 5]}
    pdf, png = digest_pages(data)
    pages = PdfReader(io.BytesIO(pdf)).pages
    assert len(pages) == 1 and [round(float(x)) for x in pages[0].mediabox[2:]] == [595, 842]
    assert "999999999999" in pages[0].extract_text()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
