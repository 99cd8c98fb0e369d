"""Charts of summary tables as matplotlib Figures.

Built on ``matplotlib.figure.Figure`` and never ``matplotlib.pyplot``: pyplot keeps every figure
in a global registry until it is closed, which leaks memory and is not thread-safe in a web
server. A Figure made directly is freed like any other object.

Matplotlib does not shape Arabic script, nor Bengali or Karen, and carries no Chinese font. So
an SVG keeps its words as text (``svg.fonttype: none``) and names the fonts for them, and the
browser draws every script itself. Matplotlib only measures the text to lay the chart out;
where a font for a script is missing on the server, that measure is approximate.
"""

from __future__ import annotations

import io
import math
import re
import textwrap
import unicodedata
import warnings
from collections.abc import Callable, Mapping
from typing import Any, Literal

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter
from matplotlib.typing import RcKeyType

from analysis.suppression import in_rank_order

_BAR = "#2b6f8f"
_MUTED = "0.3"
# The scripts of every language offered, in the order a browser should try them (Debian's
# fonts-noto-core and fonts-noto-cjk carry them all).
FONTS = ["Noto Sans", "Noto Sans Arabic", "Noto Sans Bengali", "Noto Sans Myanmar", "Noto Sans CJK SC",
         "Noto Sans CJK TC", "DejaVu Sans"]
STYLE: dict[RcKeyType, Any] = {"font.family": "sans-serif", "font.sans-serif": FONTS, "font.size": 12,
                                "svg.fonttype": "none", "svg.hashsalt": "analysis"}
# Inches: about 430 CSS pixels, so a phone shows the chart at nearly its own size.
WIDTH = 4.5
_LINE = 12 * 1.45 / 72  # the height of one line of 12-point text, in inches


def wrap(text: str, columns: int) -> str:
    """`text` in lines of at most `columns`, where a Chinese character takes two columns.
    Text with spaces breaks between words; Chinese, written without them, between characters."""
    if " " in text.strip():
        return textwrap.fill(text, columns)
    lines, line, used = [], "", 0
    for character in text:
        width = 2 if unicodedata.east_asian_width(character) in "WF" else 1
        if used + width > columns and line:
            lines.append(line)
            line, used = "", 0
        line += character
        used += width
    return "\n".join([*lines, line])


def _axis_end(highest: float) -> float:
    """The next 5% above the highest whisker and room for its value label, at most 100%."""
    return min(1.0, math.ceil(round((highest + 0.06) * 20, 6)) / 20)


def top_issues_chart(
    table: pd.DataFrame,
    labels: Mapping[str, str],
    title: str,
    *,
    suppressed_text: str = "Not shown: too few responses",
    axis_label: str = "Share of respondents (95% interval)",
    value_format: Callable[[float], str] | None = None,
) -> Figure:
    """Horizontal bars of one group's shares with Wilson interval whiskers, most chosen on top.

    Each label is written above its bar across the chart's whole width, so that long issue
    names in any language stay readable on a phone. ``table`` holds the rows of one group from
    ``top_choices`` (or ``frequency_table``). ``labels`` maps choice codes to display text in the
    reader's language (line breaks kept); a code without a label is shown as is. Suppressed
    choices get no bar, only ``suppressed_text``. Pass ``value_format`` (e.g. a locale-aware
    percent formatter) to print each share by its bar.
    """
    if table.empty:
        raise ValueError("the table has no rows to chart")
    if table["group"].nunique() != 1:
        raise ValueError("chart one group at a time: filter the table on 'group' first")
    rows = in_rank_order(table)
    shown = ~rows["suppressed"].to_numpy(dtype=bool)
    share = rows["share"].to_numpy(dtype=float, na_value=np.nan)
    low = rows["ci_low"].to_numpy(dtype=float, na_value=np.nan)
    high = rows["ci_high"].to_numpy(dtype=float, na_value=np.nan)
    texts = [labels.get(str(code), str(code)) for code in rows["choice"]]

    # In units of one text line, from the top: each row is its label, then its bar.
    label_tops, bar_centres, position = [], [], 0.0
    for text in texts:
        label_tops.append(position)
        position += text.count("\n") + 1 + 0.2
        bar_centres.append(position + 0.5)
        position += 1.0 + 0.6
    label_tops_array, y = np.array(label_tops), np.array(bar_centres)
    # Title, tick labels, axis label and margins, in lines.
    decoration_lines = title.count("\n") + axis_label.count("\n") + 4.5

    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(WIDTH, _LINE * (position + decoration_lines)), layout="constrained")
        ax = fig.add_subplot()
        ax.barh(y[shown], share[shown], color=_BAR, height=1.0)
        ax.errorbar(
            share[shown],
            y[shown],
            xerr=np.vstack([share[shown] - low[shown], high[shown] - share[shown]]),
            fmt="none",
            ecolor="black",
            elinewidth=1,
            capsize=3,
        )
        edge = ax.get_yaxis_transform()  # x in axes fractions, y in data units
        for top, text in zip(label_tops_array, texts, strict=True):
            # Wrapped to the width by the caller: left out of the layout, so one long word cannot squeeze the bars.
            ax.text(0, top, text, transform=edge, va="top", ha="left", linespacing=1.0, in_layout=False)
        for position_of_row in y[~shown]:
            ax.text(0.005, position_of_row, suppressed_text, va="center", color=_MUTED, style="italic")
        if value_format is not None:
            for centre, value, whisker in zip(y[shown], share[shown], high[shown], strict=True):
                ax.text(whisker + 0.01, centre, value_format(value), va="center", fontsize="small")
        ax.set_yticks([])
        ax.set_ylim(position, -0.2)
        shown_high = high[shown]
        ax.set_xlim(0, _axis_end(float(np.nanmax(shown_high)) if shown_high.size else 0.0))
        ax.xaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
        ax.set_xlabel(axis_label)
        ax.set_title(title, loc="left", fontsize="medium", fontweight="bold")
        ax.spines[["top", "right", "left"]].set_visible(False)
    return fig


_POINTS = re.compile(rb'(<svg[^>]*?) width="([\d.]+)pt" height="([\d.]+)pt"')


def figure_to_bytes(fig: Figure, fmt: Literal["svg", "png"] = "svg") -> bytes:
    """The figure as SVG or PNG bytes; the same figure always gives the same bytes. An SVG
    keeps its text as text, with its size in CSS pixels."""
    if fmt not in ("svg", "png"):
        raise ValueError(f"unsupported format {fmt!r}; use 'svg' or 'png'")
    # Without a fixed salt and date, SVG ids and metadata change on every render, which
    # defeats caching and makes tests compare noise.
    metadata = {"Date": None} if fmt == "svg" else {"Software": None}
    buffer = io.BytesIO()
    with matplotlib.rc_context(STYLE), warnings.catch_warnings():
        # A server without a font for some script measures its text roughly; the browser
        # still draws it. A PNG from such a server shows boxes, said in its caption.
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from font", category=UserWarning)
        if fig.get_layout_engine() is not None:
            # Laid out once and then fixed: a second layout shifts by rounding, and with it the ids.
            fig.draw_without_rendering()
            fig.set_layout_engine("none")
        fig.savefig(buffer, format=fmt, metadata=metadata, dpi=150 if fmt == "png" else "figure")
    data = buffer.getvalue()
    if fmt == "svg":
        data = _POINTS.sub(lambda m: b'%s width="%dpx" height="%dpx"' % (
            m.group(1), round(float(m.group(2)) * 4 / 3), round(float(m.group(3)) * 4 / 3)), data, count=1)
    return data
