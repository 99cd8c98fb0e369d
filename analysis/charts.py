"""Charts of summary tables as matplotlib Figures.

Built on ``matplotlib.figure.Figure`` and never ``matplotlib.pyplot``: pyplot keeps every figure
in a global registry until it is closed, which leaks memory and is not thread-safe in a web
server. A Figure made directly is freed like any other object.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from typing import Literal

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

_BAR = "#2b6f8f"
_MUTED = "0.35"


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

    ``table`` holds the rows of one group from ``top_choices`` (or ``frequency_table``).
    ``labels`` maps choice codes to display text in the reader's language; a code without a
    label is shown as is. Suppressed choices get no bar, only ``suppressed_text``. Pass
    ``value_format`` (e.g. a locale-aware percent formatter) to print each share by its bar.
    """
    if table.empty:
        raise ValueError("the table has no rows to chart")
    if table["group"].nunique() != 1:
        raise ValueError("chart one group at a time: filter the table on 'group' first")
    rows = table.assign(
        _order=table["rank"].fillna(len(table) + 1).astype(int),
        _position=np.arange(len(table)),
    ).sort_values(["_order", "_position"], kind="stable")
    shown = ~rows["suppressed"].to_numpy(dtype=bool)
    share = rows["share"].to_numpy(dtype=float, na_value=np.nan)
    low = rows["ci_low"].to_numpy(dtype=float, na_value=np.nan)
    high = rows["ci_high"].to_numpy(dtype=float, na_value=np.nan)
    y = np.arange(len(rows))

    fig = Figure(figsize=(7.0, 0.42 * len(rows) + 1.3), layout="constrained")
    ax = fig.add_subplot()
    ax.barh(y[shown], share[shown], color=_BAR, height=0.65)
    ax.errorbar(
        share[shown],
        y[shown],
        xerr=np.vstack([share[shown] - low[shown], high[shown] - share[shown]]),
        fmt="none",
        ecolor="black",
        elinewidth=1,
        capsize=3,
    )
    for position in y[~shown]:
        ax.text(0.005, position, suppressed_text, va="center", color=_MUTED, style="italic")
    if value_format is not None:
        for position, value, top in zip(y[shown], share[shown], high[shown], strict=True):
            ax.text(top + 0.01, position, value_format(value), va="center", fontsize="small")
    ax.set_yticks(y, [labels.get(str(code), str(code)) for code in rows["choice"]])
    # Most chosen on top, with room for the last row's text above the axis.
    ax.set_ylim(len(rows) - 0.3, -0.7)
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
    ax.set_xlabel(axis_label)
    ax.set_title(title, loc="left")
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def figure_to_bytes(fig: Figure, fmt: Literal["svg", "png"] = "svg") -> bytes:
    """The figure as SVG or PNG bytes; the same figure always gives the same bytes."""
    if fmt not in ("svg", "png"):
        raise ValueError(f"unsupported format {fmt!r}; use 'svg' or 'png'")
    # Without a fixed salt and date, SVG ids and metadata change on every render, which
    # defeats caching and makes tests compare noise.
    metadata = {"Date": None} if fmt == "svg" else {"Software": None}
    buffer = io.BytesIO()
    with matplotlib.rc_context({"svg.hashsalt": "analysis"}):
        fig.savefig(buffer, format=fmt, metadata=metadata)
    return buffer.getvalue()
