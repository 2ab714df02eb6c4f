"""nbconvert exporters for reports, registered by entry point (pyproject.toml), so that
`jupyter nbconvert --to nianbao_html` / `--to nianbao_pdf` work as well as the batch.

The look lives in templates/nbconvert/nianbao (a Jinja template and its stylesheet). The PDF,
like the Word file, is made from the findings payload the review cell outputs: Typst sets it
from that data in the stylesheet's print layout (pages/typeset.py, templates/typst).
"""
from __future__ import annotations

from pathlib import Path

from nbconvert.exporters import Exporter, HTMLExporter
from traitlets import default

from ..report import findings_payload
from .typeset import pdf_from_payload

TEMPLATES = Path(__file__).parents[1] / "templates" / "nbconvert"


class ReportHTMLExporter(HTMLExporter):
    """The report as one self-contained HTML file, code and prompts left out."""

    export_from_notebook = "nianbao report (HTML)"

    @default("template_name")
    def _template_name_default(self):
        return "nianbao"

    @default("extra_template_basedirs")
    def _extra_template_basedirs_default(self):
        return [str(TEMPLATES)]

    @default("exclude_input")
    def _exclude_input_default(self):
        return True


class ReportPDFExporter(Exporter):
    """`jupyter nbconvert --to nianbao_pdf report.ipynb`: an executed report notebook as an A4
    PDF, typeset from the findings payload of its review cell (pages/typeset.py)."""

    export_from_notebook = "nianbao report (PDF)"
    output_mimetype = "application/pdf"

    @default("file_extension")
    def _file_extension_default(self):
        return ".pdf"

    def from_notebook_node(self, nb, resources=None, **kw):
        nb, resources = super().from_notebook_node(nb, resources, **kw)
        return pdf_from_payload(findings_payload(nb)), resources
