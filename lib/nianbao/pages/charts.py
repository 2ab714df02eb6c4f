"""The document's charts drawn by matplotlib: SVG for the HTML page, PNG for the Word file.

matplotlib's object API (no pyplot state, so a notebook's own plots are left alone), in the
CJK faces below. The SVG keeps its text as text (it can be searched, copied and read aloud);
every Word and WPS shows PNG (SVG only from Word 2016 on). The PDF draws the same chart from
the same numbers itself (templates/typst), its text text too.

A chart is drawn for a page (the report's text block, 156 mm: the desktop and Word), the legend
beside the bars; the HTML page also carries it drawn for a phone (`phone`, which the page picks
below 600 px), narrower, with larger text and the legend below the bars: the page's chart
shrunk to a phone's 360 px would make its text 6 px high, and kept at its size it would hide
the last years and the legend off the screen.
"""
from __future__ import annotations

import io

import matplotlib
from matplotlib.figure import Figure

from ..document import Chart

# Chart text: Debian's Noto CJK first (installed by `make`), then what other systems have.
CJK_FONTS = ["Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "SimHei", "Microsoft YaHei"]


def draw(chart: Chart, image_format: str, phone: bool = False) -> bytes:
    """Bars by year: one bar per series side by side, or stacked into one bar a year; for a
    page, or for a phone's screen (`phone`)."""
    with matplotlib.rc_context({"font.family": "sans-serif", "font.sans-serif": CJK_FONTS, "font.size": 10,
                                "svg.fonttype": "none", "axes.spines.top": False, "axes.spines.right": False}):
        # a phone's: 3.6 in is 346 px at 1:1, the width of a phone's text column
        figure = Figure(figsize=(3.6, 3.4), layout="constrained") if phone else Figure(figsize=(6.2, 2.5))
        axes = figure.add_subplot()
        width = 0.8 if chart.stacked else 0.8 / len(chart.series)
        bottom = [0.0] * len(chart.years)
        for i, series in enumerate(chart.series):
            offsets = [x if chart.stacked else x - 0.4 + width * (i + 0.5) for x in range(len(chart.years))]
            axes.bar(offsets, series.values, width, bottom=bottom if chart.stacked else None, label=series.label,
                     color=series.colour)
            if chart.stacked:
                bottom = [b + h for b, h in zip(bottom, series.values)]
        axes.set_xticks(range(len(chart.years)), chart.years)
        axes.yaxis.get_major_locator().set_params(integer=True)
        axes.set_ylabel("件", rotation=0, labelpad=12)
        if phone:
            if len(chart.years) > 5:  # six years' labels side by side are wider than the bars
                axes.tick_params(axis="x", labelrotation=45)
            figure.legend(loc="outside lower center", ncols=2 if len(chart.series) <= 4 else 3, frameon=False, fontsize=10,
                          columnspacing=1.0, handlelength=1.2, handletextpad=0.4)
        else:
            axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=8)
            figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format=image_format, dpi=200)  # dpi: PNG only, sharp when printed
    return buffer.getvalue()
