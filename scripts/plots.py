"""The figures of ``seigen report`` and of ``seigen bench ... --plot``, drawn with matplotlib off-screen.

Figures are built as ``matplotlib.figure.Figure`` objects on the non-interactive Agg canvas,
never through pyplot: no GUI backend is touched, no global figure state is kept, and a
figure is freed once saved. Two kinds of figure:

* **lines** (:func:`lines_figure`): panels of lines against a shared quantity, with an
  optional band per line (an Elo interval; the min-max over seeds), labelled axes and a
  legend. :func:`seed_lines` turns one group's seeds into thin per-seed lines plus their
  mean and the min-max band over the seeds.
* **bars** (:func:`bars_figure`, :func:`save_bench_plot`): a benchmark's table as grouped
  bars, one group per measured setting (a board size, a game, a task) and one bar per
  implementation (seigen and its peers), each bar labelled with its value, the group's
  ratios (seigen/peer) under its name; a log scale when positive values span more than 30x.
"""

from __future__ import annotations

import math
import sys
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

DPI = 110
"""Resolution of the saved PNGs (a 10 x 4 inch figure is 1100 x 440 pixels)."""
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf")
"""Colours of lines and bars, in order (matplotlib's tab10 without grey and olive)."""
PEER_COLOURS = ("#7f7f7f", "#bcbd22", "#c7c7c7")
SEED_STYLES = ("--", ":", "-.", (0, (5, 1, 1, 1, 1, 1)))
"""Line styles of the seeds of a group (its mean is solid)."""
"""Colours of the peers' bars (any label not starting with ``seigen``)."""


# ---------------------------------------------------------------------------- lines
@dataclass
class Line:
    """One line of a panel: ``y`` against ``x``, with an optional band ``low``..``high``."""

    x: Sequence[float]
    y: Sequence[float]
    label: str | None = None
    """Legend entry (None: not in the legend)."""
    low: Sequence[float] | None = None
    high: Sequence[float] | None = None
    band_label: str | None = None
    """Legend entry of the band (None: not in the legend)."""
    color: str | None = None
    width: float = 1.8
    alpha: float = 1.0
    marker: str | None = None
    style: Any = "-"
    """matplotlib's linestyle (the seeds of a group: dashed, dotted, ...)."""


@dataclass
class Panel:
    """One set of axes: its lines, axis labels (with units) and an optional title."""

    xlabel: str
    ylabel: str
    lines: list[Line] = field(default_factory=list)
    title: str = ""
    x_eng: bool = False
    """Engineering tick labels on x (50k, 1.2M): for step and game counts."""
    log_y: bool = False
    """A log scale on y (the axis label says so)."""


@dataclass(frozen=True)
class Margins:
    """Room around and between the axes, in inches (fixed margins: a layout engine such as
    matplotlib's constrained layout doubles the time to save a figure)."""

    left: float = 0.9
    right: float = 0.25
    top: float = 0.6
    bottom: float = 0.62
    between_columns: float = 0.95
    between_rows: float = 0.95


def _figure(
    panels: int, ncols: int, width: float, height: float, margins: Margins = Margins()
) -> tuple[Any, list[Any]]:
    """A figure of ``panels`` axes, ``ncols`` a row, each ``width`` x ``height`` inches with its labels."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    ncols = max(1, min(ncols, panels))
    nrows = math.ceil(panels / ncols)
    m = margins
    axes_w = width - m.between_columns
    axes_h = height - m.between_rows
    fig_w = m.left + m.right + ncols * axes_w + (ncols - 1) * m.between_columns
    fig_h = m.top + m.bottom + nrows * axes_h + (nrows - 1) * m.between_rows
    fig = Figure(figsize=(fig_w, fig_h))
    FigureCanvasAgg(fig)
    fig.subplots_adjust(
        left=m.left / fig_w,
        right=1 - m.right / fig_w,
        bottom=m.bottom / fig_h,
        top=1 - m.top / fig_h,
        wspace=m.between_columns / axes_w,
        hspace=m.between_rows / axes_h,
    )
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel().tolist()
    for ax in axes[panels:]:
        ax.set_visible(False)
    return fig, axes[:panels]


def lines_figure(title: str, panels: Sequence[Panel], ncols: int = 2) -> Any:
    """A figure of ``panels`` (``ncols`` a row), each with its lines, bands, labels and legend."""
    from matplotlib.ticker import EngFormatter

    titled = any(p.title for p in panels)
    margins = Margins(top=0.85 if titled else 0.6, between_rows=1.2 if titled else 0.95)
    fig, axes = _figure(len(panels), ncols, 5.4, 3.9, margins)
    fig.suptitle(title, fontsize=12)
    for ax, panel in zip(axes, panels, strict=True):
        for i, line in enumerate(panel.lines):
            color = line.color or PALETTE[i % len(PALETTE)]
            x = np.asarray(line.x, dtype=float)
            if line.low is not None and line.high is not None and len(x):
                ax.fill_between(
                    x, line.low, line.high, color=color, alpha=0.18, linewidth=0, label=line.band_label
                )
            ax.plot(
                x,
                line.y,
                color=color,
                linewidth=line.width,
                alpha=line.alpha,
                linestyle=line.style,
                marker=line.marker,
                markersize=4,
                label=line.label,
            )
        ax.set_xlabel(panel.xlabel)
        ax.set_ylabel(panel.ylabel + (" (log scale)" if panel.log_y else ""))
        if panel.log_y:
            ax.set_yscale("log")
        if panel.title:
            ax.set_title(panel.title, fontsize=10)
        if panel.x_eng:
            ax.xaxis.set_major_formatter(EngFormatter(sep=""))
        ax.grid(True, alpha=0.3)
        if any(line.label or line.band_label for line in panel.lines):
            ax.legend(fontsize=8, loc="best")
    return fig


def save(fig: Any, path: str | Path) -> Path:
    """Write ``fig`` as a PNG at ``path`` (its folder created) and free it; returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format="png", dpi=DPI)
    fig.clear()
    return path


def time_unit(seconds: float) -> tuple[float, str]:
    """``(divisor, unit)`` for an axis of wall-clock seconds up to ``seconds``: s, min or h."""
    if seconds >= 3 * 3600:
        return 3600.0, "h"
    if seconds >= 180:
        return 60.0, "min"
    return 1.0, "s"


def trailing_mean(y: Sequence[float], window: int) -> np.ndarray:
    """The mean of the last ``window`` values at each point (fewer at the start)."""
    y = np.asarray(y, dtype=float)
    if window <= 1 or len(y) == 0:
        return y
    c = np.cumsum(np.insert(y, 0, 0.0))
    idx = np.arange(1, len(y) + 1)
    start = np.maximum(idx - window, 0)
    return (c[idx] - c[start]) / (idx - start)


def mean_and_range(
    curves: Sequence[tuple[Sequence[float], Sequence[float]]], points: int = 200
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
    """``(grid, mean, min, max)`` of curves ``(x, y)`` interpolated on a common grid over the
    x range all of them cover (x increasing); None with fewer than two curves or no overlap."""
    usable = [(np.asarray(x, float), np.asarray(y, float)) for x, y in curves if len(x) >= 2]
    if len(usable) < 2:
        return None
    lo, hi = max(x[0] for x, _ in usable), min(x[-1] for x, _ in usable)
    if not hi > lo:
        return None
    grid = np.linspace(lo, hi, points)
    ys = np.stack([np.interp(grid, x, y) for x, y in usable])
    return grid, ys.mean(axis=0), ys.min(axis=0), ys.max(axis=0)


def seed_lines(
    curves: Sequence[tuple[str, Sequence[float], Sequence[float]]], color: str, name: str = ""
) -> list[Line]:
    """One group's seeds as lines: each ``(label, x, y)`` thin, then (two seeds or more) their
    mean, bold, with the min-max band over the seeds, on the x range all seeds cover."""
    prefix = f"{name}: " if name else ""
    if len(curves) == 1:
        label, x, y = curves[0]
        return [Line(x, y, f"{prefix}{label}", color=color)]
    out = [
        Line(x, y, None if name else label, color=color, width=1.0, alpha=0.55, style=SEED_STYLES[i % 4])
        for i, (label, x, y) in enumerate(curves)
    ]
    summary = mean_and_range([(x, y) for _, x, y in curves])
    if summary is not None:
        grid, mean, low, high = summary
        out.append(
            Line(
                grid,
                mean,
                f"{prefix}mean of {len(curves)} seeds",
                low=low,
                high=high,
                band_label=f"{prefix}min-max over seeds",
                color=color,
                width=2.2,
            )
        )
    return out


# ---------------------------------------------------------------------------- bars
@dataclass(frozen=True)
class Bar:
    """One bar of a benchmark chart: ``value`` of implementation (or setting) ``label`` in ``group``."""

    group: str
    """The measured setting the bar belongs to (``9x9``, ``connect4 rollout``, a task)."""
    label: str
    """The implementation or setting (``seigen``, ``pettingzoo``, ``32 games``): the legend."""
    value: float


@dataclass
class BarPanel:
    """One chart of grouped bars: a benchmark table's column, for every row."""

    title: str
    ylabel: str
    """The measured quantity with its unit (``playouts per second``)."""
    bars: list[Bar]
    notes: dict[str, str] = field(default_factory=dict)
    """Text under a group's name: its ratios (``seigen/pettingzoo 54x``)."""
    log: bool | None = None
    """Log y scale; None: when the values are all positive and span more than 30x."""


def _short(v: float) -> str:
    """A bar's value in a few characters: 1.2M, 35.1k, 812, 3.4, 0.52."""
    a = abs(v)
    for scale, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if a >= scale:
            return f"{v / scale:.3g}{suffix}"
    return f"{v:.3g}"


def bars_figure(title: str, panels: Sequence[BarPanel]) -> Any:
    """Grouped bars, one panel a row: a colour per label (seigen's in colour, peers' in grey),
    each bar labelled with its value, each group's notes under its name."""
    panels = [p for p in panels if p.bars]
    if not panels:
        raise ValueError("nothing to plot: the benchmark produced no rows with figures")
    groups_max = max(len(dict.fromkeys(b.group for b in p.bars)) for p in panels)
    width = max(6.5, 1.9 * groups_max + 2.0)
    titles = [textwrap.fill(p.title, int((width - 1.3) * 14)) for p in panels]  # ~14 characters an inch
    title_lines = max(t.count("\n") + 1 for t in titles)
    note_lines = max((n.count("\n") + 1 for p in panels for n in p.notes.values()), default=0)
    below = 0.25 + 0.15 * (note_lines + 1)  # the group names and their notes under the axis
    above = 0.2 + 0.19 * title_lines
    margins = Margins(left=1.0, top=0.45 + above, bottom=below, between_rows=below + above)
    fig, axes = _figure(len(panels), 1, width, 3.2 + below + above, margins)
    fig.suptitle(title, fontsize=12)
    for ax, panel, panel_title in zip(axes, panels, titles, strict=True):
        groups = list(dict.fromkeys(b.group for b in panel.bars))
        labels = list(dict.fromkeys(b.label for b in panel.bars))
        ours = [lab for lab in labels if lab.startswith("seigen")]
        colours = {lab: PALETTE[i % len(PALETTE)] for i, lab in enumerate(ours)}
        peers = [lab for lab in labels if lab not in colours]
        colours |= {lab: PEER_COLOURS[i % len(PEER_COLOURS)] for i, lab in enumerate(peers)}
        if not ours or len(peers) > len(PEER_COLOURS):  # settings, not implementations: all in colour
            colours = {lab: PALETTE[i % len(PALETTE)] for i, lab in enumerate(labels)}
        width = 0.8 / len(labels)
        values = {(b.group, b.label): b.value for b in panel.bars}
        positive = [v for v in values.values() if v > 0]
        spread = len(positive) == len(values) and max(positive) > 30 * min(positive)
        log = panel.log if panel.log is not None else spread
        for j, lab in enumerate(labels):
            xs = [i + (j - (len(labels) - 1) / 2) * width for i, g in enumerate(groups) if (g, lab) in values]
            ys = [values[(g, lab)] for g in groups if (g, lab) in values]
            drawn = ax.bar(xs, ys, width * 0.92, label=lab, color=colours[lab])
            ax.bar_label(drawn, labels=[_short(v) for v in ys], fontsize=7, padding=1)
        ax.set_xticks(range(len(groups)))
        ax.set_xticklabels(
            [f"{g}\n{panel.notes[g]}" if panel.notes.get(g) else g for g in groups], fontsize=8
        )
        if log:
            ax.set_yscale("log")
        ax.set_ylabel(panel.ylabel + (" (log scale)" if log else ""))
        ax.set_title(panel_title, fontsize=10)
        ax.margins(y=0.15)
        ax.grid(True, axis="y", alpha=0.3)
        ax.legend(fontsize=8, loc="best")
    return fig


def save_bench_plot(path: str | Path, title: str, panels: Sequence[BarPanel]) -> Path:
    """Save a benchmark's bar chart at ``path`` (PNG) and say so on stderr (stdout keeps the
    table or the JSON lines); returns the path. The one helper every ``seigen bench ... --plot`` uses."""
    out = save(bars_figure(title, panels), path)
    print(f"figure: {out}", file=sys.stderr, flush=True)
    return out


def ratio_text(ratio: float, name: str) -> str:
    """``seigen/pettingzoo 54.2x``: a ratio as a note under a group of bars."""
    return f"{name} {ratio:,.3g}x" if ratio < 1000 else f"{name} {ratio:,.0f}x"
