"""Synthetic agencies for the benchmark: realistic, consistent 2021-edition records.

Each agency-year has table 三 numbers that add up (every column and every row), a carry-over,
table 四 and 二 figures of a plausible size, and a narrative that states its own numbers, so
that a report made from it is as heavy as a real one and passes the checks. Seeded: the same
N gives the same agencies.
"""
from __future__ import annotations

import random
from pathlib import Path

from nianbao import editions
from nianbao.intake import yamlfile
from nianbao.record import Record, blank_tables

EDITION = editions.load("2021")
DISTRICTS = ["东城区", "西湖区", "南岸区", "北塘区", "青山区", "临江县", "石桥县", "云溪县"]
BODIES = ["教育局", "民政局", "财政局", "住房和城乡建设局", "交通运输局", "卫生健康委员会", "市场监督管理局",
          "生态环境局", "自然资源局", "人力资源和社会保障局", "农业农村局", "文化广电旅游局"]
OUTCOME_WEIGHTS = {  # how requests tend to end, by table 三 leaf row
    "（一）予以公开": 40, "（二）部分公开（区分处理的，只计这一情形，不计其他情形）": 10, "4.保护第三方合法权益": 3,
    "6.属于四类过程性信息": 2, "1.本机关不掌握相关政府信息": 25, "2.没有现成信息需要另行制作": 4,
    "1.信访举报投诉类申请": 4, "2.重复申请": 4, "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请": 5,
    "3.其他": 3,
}
COLUMNS = [c.label for c in EDITION.tables["三"].blocks[0].columns]  # six applicant kinds, then 总计
SIZES = [120, 20, 2, 2, 5, 3]  # upper bounds of new requests per applicant kind


def agency(number: int, year: int = 2023) -> Record:
    rng = random.Random(number)
    name = f"示例市{DISTRICTS[number % len(DISTRICTS)]}{BODIES[number % len(BODIES)]}"
    tables = blank_tables(EDITION)
    table = tables["三"]
    rows = {row.split("/")[-1]: row for row in EDITION.tables["三"].rows}
    for row in table.values():
        row.update(dict.fromkeys(row, 0))
    for kind, bound in zip(COLUMNS[:-1], SIZES):
        new, carried_in = rng.randint(0, bound), rng.randint(0, bound // 20)
        carried_out = rng.randint(0, (new + carried_in) // 10)
        table[rows["一、本年新收政府信息公开申请数量"]][kind] = new
        table[rows["二、上年结转政府信息公开申请数量"]][kind] = carried_in
        table[rows["四、结转下年度继续办理"]][kind] = carried_out
        table[rows["（七）总计"]][kind] = new + carried_in - carried_out
        for label in rng.choices(list(OUTCOME_WEIGHTS), list(OUTCOME_WEIGHTS.values()), k=new + carried_in - carried_out):
            table[rows[label]][kind] += 1
    for values in table.values():
        values["总计"] = sum(values[kind] for kind in COLUMNS[:-1])

    four = tables["四"][""]
    for group in ["行政复议", "行政诉讼/未经复议直接起诉", "行政诉讼/复议后起诉"]:
        parts = [rng.choice([0, 0, 0, 1, 2]) for _ in range(4)]
        four.update(zip([f"{group}/{r}" for r in ("结果维持", "结果纠正", "其他结果", "尚未审结")], parts))
        four[f"{group}/总计"] = sum(parts)

    two = tables["二"]
    issued, repealed = rng.randint(0, 6), rng.randint(0, 3)
    two["第二十条第（一）项/规章"].update(本年制发件数=0, 本年废止件数=0, 现行有效件数=0)
    two["第二十条第（一）项/行政规范性文件"].update(本年制发件数=issued, 本年废止件数=repealed,
                                        现行有效件数=issued + rng.randint(repealed, 40))
    for row in ("第二十条第（五）项/行政许可", "第二十条第（六）项/行政处罚", "第二十条第（六）项/行政强制"):
        two[row]["本年处理决定数量"] = rng.randint(0, 3000)
    two["第二十条第（八）项/行政事业性收费"]["本年收费金额（单位：万元）"] = round(rng.uniform(0, 500), 2)

    received = table[rows["一、本年新收政府信息公开申请数量"]]["总计"]
    handled = table[rows["（七）总计"]]["总计"]
    review = four["行政复议/总计"]
    lawsuits = four["行政诉讼/未经复议直接起诉/总计"] + four["行政诉讼/复议后起诉/总计"]
    published = rng.randint(80, 900)
    parts = {
        "一": f"{year}年，{name}坚持以公开为常态、不公开为例外，围绕中心工作推进政务公开。\n\n"
             f"（一）主动公开。全年通过门户网站主动公开政府信息{published}条，政策解读{rng.randint(2, 20)}篇。\n\n"
             f"（二）依申请公开。全年新收政府信息公开申请{received}件，办结{handled}件。\n\n"
             f"（三）政府信息管理。制发行政规范性文件{issued}件，废止{repealed}件。\n\n"
             f"（四）平台建设。持续优化门户网站政府信息公开专栏。\n\n"
             f"（五）监督保障。全年发生政府信息公开行政复议{review}件、行政诉讼{lawsuits}件。",
        "五": f"存在的主要问题：政策解读的形式还不够丰富。\n\n改进措施：{year + 1}年，我局将加强图解、问答等解读形式。",
        "六": "本年度未收取信息处理费。\n\n本年度无其他需要报告的事项。",
    }
    return Record(agency=name, agency_id=f"synthetic-{number:04d}", year=year, edition=EDITION.id,
                  date=f"{year + 1}年1月{rng.randint(10, 25)}日", published=f"{year + 1}年1月{rng.randint(26, 30)}日",
                  contact=f"如对本报告有疑问，请与{name}办公室联系（电话：0000-{rng.randint(1000000, 9999999)}）。",
                  parts=parts, tables=tables)


def write_project(folder: Path, count: int) -> list[Path]:
    """`count` synthetic agency-years as records and params files under `folder`; the params files."""
    params = []
    for number in range(count):
        record = agency(number)
        data = folder / "data" / str(record.year) / f"{record.agency_id}.yaml"
        param = folder / "params" / str(record.year) / f"{record.agency_id}.yaml"
        for path in (data, param):
            path.parent.mkdir(parents=True, exist_ok=True)
        data.write_text(yamlfile.dump(record), encoding="utf-8")
        param.write_text(f"agency_id: {record.agency_id}\nyear: {record.year}\nrecord: {data.relative_to(folder)}\n",
                         encoding="utf-8")
        params.append(param)
    return params
