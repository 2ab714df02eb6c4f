"""Open data: the reports as data beside their pages.

    schema.py    a JSON Schema per edition, for record.json (`nianbao schema`)
    figures.py   a report's key figures and the table cells each adds up (figures.yaml)
    package.py   the data package of an output folder: every cell, every report (Frictionless)
    digest.py    a report's 图解 (one A4 page, PDF and PNG) and 解读 (digest.md)
    draft.py     the narrative drafted from the tables, for the parts not yet written (`nianbao draft`)
"""
