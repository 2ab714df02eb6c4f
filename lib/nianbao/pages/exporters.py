"""nbconvert exporters for reports, registered by entry point (pyproject.toml), so that
`jupyter nbconvert --to nianbao_html` / `--to nianbao_pdf` work as well as the batch.

The look lives in templates/nbconvert/nianbao (a Jinja template and its stylesheet). The PDF,
like the Word file, is made from the findings payload the review cell outputs: Typst sets it
from that data in the stylesheet's print layout (pages/typeset.py, templates/typst).
"""
from __future__ import annotations

from pathlib import Path

from nbconvert.exporters import Exporter, HTMLExporter, TemplateExporter
from nbconvert.filters.highlight import Highlight2HTML
from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter
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

    def from_notebook_node(self, nb, resources=None, **kw):
        """The page as the template writes it. HTMLExporter's own export then parses the page
        with BeautifulSoup, to give images without alt text a placeholder and JupyterLab's
        cell wrappers a tabindex, and writes it out again: two thirds of an export's CPU. This
        template gives every image its alt text and draws no JupyterLab cells. Its filters
        are those HTMLExporter registers (no code is shown, but the base templates use them)."""
        resources = self._init_resources(resources)
        language = nb.metadata.get("language_info", {})
        self.register_filter("highlight_code", Highlight2HTML(
            pygments_lexer=language.get("pygments_lexer", language.get("name")), parent=self))
        self.register_filter("filter_data_type", WidgetsDataTypeFilter(
            notebook_metadata=self._nb_metadata, parent=self, resources=resources))
        return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    def _validate_preprocessor(self, nbc, preprocessor):
        """Not again: the notebook is the one papermill executed and validated, and nbconvert
        would validate it after each of its eleven preprocessors (a sixth of an export's CPU),
        of which it enables three (tag and regex removal, magics highlighting), none of them
        touching outputs."""


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
