"""``seigen report RUN_DIR [RUN_DIR ...] [--out DIR]``: training runs as one report with figures.

Writes ``OUT/index.html`` (self-contained: every figure embedded as a base64 PNG),
``OUT/index.md`` (the same text, linking ``OUT/figures/*.png``) and the PNGs. ``OUT``
defaults to ``report/`` under the first run directory.

What a directory holds decides what is drawn (its *kind*)::

    kind           detected by                                   figures
    dqn, ppo, a2c  config.json with "env" (and "algo"; none: dqn) return vs env steps and vs
                                                                 wall-clock, losses, the Elo of
                                                                 self-play snapshots (board games)
    selfplay       config.json with "game"                       Elo vs wall-clock and vs games
                                                                 (eval.jsonl), losses, Connect Four
                                                                 accuracy (curve.jsonl)
    sl             the same, with an sl/ folder                  held-out move accuracy and losses,
                                                                 then self-play's figures if it went on
    atari100k      atari100k.json (seigen bench atari100k)       seigen.scripts.atari100k.report_figures
    run            metrics.jsonl or eval.jsonl only              what its rows hold

* **Seeds.** Runs of one kind and env (or game) whose configs differ only in ``seed`` (and in
  where and how they ran: ``IGNORED``) form a group: one figure with a thin line per seed,
  their mean, and the **min-max band** over the seeds (with a handful of seeds, the honest
  spread; a bootstrap interval of so few means would look tighter than it is). The mean
  and band cover the x range every seed reached. Each seed's return is the trailing mean
  of its last ``--smooth`` episodes.
* **Wall-clock.** ``metrics.jsonl``'s ``time`` is seconds since the session started
  (``RunDir.log``); a resumed run starts again at 0, so sessions are laid end to end
  (the time between them is not counted).
* **Self-play Elo.** An ``eval.jsonl`` row rates the net of trainer step N on the run's
  ladder (random = 0, 95% interval); its time and games are those of the first metrics row
  at step N or later (the trainer logs every 10 s).
* **Connect Four accuracy.** ``RUN_DIR/curve.jsonl``: the JSON lines of
  ``seigen eval RUN_DIR --curve --json`` (``minutes``, ``games_played``, ``connect4``).

Metrics lines that are empty or torn (a crash mid-write) are skipped.
"""

from __future__ import annotations

import base64
import html
import json
import math
import os
import re
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from seigen.scripts.configs import ReportConfig

RL_KINDS = ("dqn", "ppo", "a2c")
IGNORED = frozenset(
    {"seed", "run_dir", "resume", "device", "actor_device", "track", "wandb_mode", "progress", "threads"}
    | {"config", "ray_address"}
)
"""Config keys that do not make two runs different experiments (where and how they ran)."""
RUN_FILES = ("config.json", "metrics.jsonl", "eval.jsonl", "atari100k.json")
"""A directory with one of these is a run directory (or an Atari 100k root)."""
CURVE_FILE = "curve.jsonl"
"""A self-play run's ``seigen eval --curve --json`` rows, read for the Connect Four accuracy."""


class ReportError(Exception):
    """A path that cannot be reported; the message (one line) names it."""


# ---------------------------------------------------------------------------- runs
@dataclass
class Run:
    """One run directory as read: its kind, config and rows (metrics with ``wall`` seconds added)."""

    path: Path
    kind: str
    config: dict[str, Any] = field(default_factory=dict)
    metrics: list[dict[str, Any]] = field(default_factory=list)
    evals: list[dict[str, Any]] = field(default_factory=list)
    curve: list[dict[str, Any]] = field(default_factory=list)

    @property
    def name(self) -> str:
        return str(self.path)

    @property
    def subject(self) -> str:
        """The env (RL runs) or the game (self-play and supervised runs)."""
        return str(self.config.get("env") or self.config.get("game") or "-")

    @property
    def seed(self) -> Any:
        return self.config.get("seed")

    def rows(self, key: str) -> list[dict[str, Any]]:
        """The metrics rows holding a number under ``key``."""
        return [r for r in self.metrics if _number(r.get(key))]

    def last(self, key: str) -> dict[str, Any] | None:
        found = self.rows(key)
        return found[-1] if found else None


def _number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as e:
        raise ReportError(f"{path}: cannot be read as JSON ({e})") from None
    if not isinstance(data, dict):
        raise ReportError(f"{path}: not a JSON object")
    return data


def wall_clock(rows: list[dict[str, Any]]) -> None:
    """Add ``wall`` to each row with a ``time``: seconds of training so far, the sessions of a
    resumed run laid end to end (a ``time`` smaller than the one before starts a new session)."""
    offset, previous = 0.0, None
    for row in rows:
        t = row.get("time")
        if not _number(t):
            continue
        if previous is not None and t < previous:
            offset += previous
        row["wall"] = offset + t
        previous = t


def drop_superseded(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows without those a resumed session logged again: when a session (a ``time``
    smaller than the one before) starts at step ``s``, the earlier rows from step ``s`` on are
    dropped, so that steps never go back."""
    out: list[dict[str, Any]] = []
    previous = None
    for row in rows:
        t, step = row.get("time"), row.get("step")
        if _number(t) and previous is not None and t < previous and _number(step):
            out = [r for r in out if not (_number(r.get("step")) and r["step"] >= step)]
        if _number(t):
            previous = t
        out.append(row)
    return out


def load_run(path: str | os.PathLike) -> Run:
    """Read one run directory; ``ReportError`` (one line, naming it) when it is not one."""
    from seigen.engine.files import read_jsonl
    from seigen.selfplay.eval_log import read_eval

    p = Path(path)
    if not p.exists():
        raise ReportError(f"{p}: no such directory")
    if not p.is_dir() or not any((p / name).is_file() for name in RUN_FILES):
        raise ReportError(
            f"{p} is not a run directory (it has no {', '.join(RUN_FILES[:-1])} or {RUN_FILES[-1]})"
        )
    if (p / "atari100k.json").is_file():
        return Run(p, "atari100k")
    config = _read_json(p / "config.json") if (p / "config.json").is_file() else {}
    if "env" in config:
        kind = str(config.get("algo") or "dqn")
    elif "game" in config:
        kind = "sl" if (p / "sl").is_dir() else "selfplay"
    else:
        kind = "run"
    metrics = read_jsonl(p / "metrics.jsonl")
    wall_clock(metrics)
    metrics = drop_superseded(metrics)
    return Run(p, kind, config, metrics, read_eval(p), read_jsonl(p / CURVE_FILE))


def group_runs(runs: Sequence[Run]) -> list[list[Run]]:
    """Runs of one kind and subject whose configs differ only in ``IGNORED`` keys, in order of
    first appearance; each group sorted by seed. A run without a config is a group of its own."""
    groups: dict[str, list[Run]] = {}
    for run in runs:
        if run.config:
            same = {k: v for k, v in run.config.items() if k not in IGNORED}
            key = json.dumps([run.kind, same], sort_keys=True, default=str)
        else:
            key = f"path:{run.path.resolve()}"
        groups.setdefault(key, []).append(run)

    def order(run: Run) -> tuple[int, float, str]:
        return (0, run.seed, run.name) if _number(run.seed) else (1, 0.0, f"{run.seed} {run.name}")

    return [sorted(g, key=order) for g in groups.values()]


def group_names(groups: Sequence[Sequence[Run]]) -> list[str]:
    """A name per group: ``DQN on CartPole-v1``, with the settings that tell apart groups of
    the same kind and subject (``DQN on CartPole-v1, double=True``)."""
    names = []
    for group in groups:
        first = group[0]
        base = f"{first.kind.upper()} on {first.subject}" if first.kind in RL_KINDS else first.subject
        if first.kind == "run":
            base = first.path.name
        siblings = [g[0] for g in groups if g[0].kind == first.kind and g[0].subject == first.subject]
        keys = sorted(
            {k for s in siblings for k in {*s.config, *first.config} if k not in IGNORED}
            - {k for k in first.config if all(s.config.get(k) == first.config.get(k) for s in siblings)}
        )
        extra = ", ".join(f"{k}={first.config.get(k)}" for k in keys[:3])
        names.append(f"{base}, {extra}" if extra else base)
    return names


def _seeds_text(group: Sequence[Run]) -> str:
    seeds = [str(r.seed) for r in group if r.seed is not None]
    if len(group) == 1:
        return f"seed {seeds[0]}" if seeds else group[0].path.name
    return f"{len(group)} seeds ({', '.join(seeds)})" if seeds else f"{len(group)} runs"


def _run_label(run: Run, group: Sequence[Run]) -> str:
    """A run's legend entry inside its group: its seed, else its folder name."""
    seeds = [r.seed for r in group]
    unique = run.seed is not None and seeds.count(run.seed) == 1
    return f"seed {run.seed}" if unique else run.path.name


# ---------------------------------------------------------------------------- the document
@dataclass
class Figure:
    title: str
    png: Path
    caption: str = ""


@dataclass
class Table:
    title: str
    header: list[str]
    rows: list[list[str]]


@dataclass
class Section:
    title: str
    text: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)


class Report:
    """The sections of a report and the PNG files of its figures (in ``out/figures``)."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.figures_dir = out / "figures"
        self.sections: list[Section] = []
        self.notes: list[str] = []
        self._names: set[str] = set()

    def section(self, title: str) -> Section:
        s = Section(title)
        self.sections.append(s)
        return s

    def png_path(self, title: str) -> Path:
        """A fresh file name in ``figures/`` made from ``title``."""
        base = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60] or "figure"
        name, n = base, 1
        while name in self._names:
            n += 1
            name = f"{base}-{n}"
        self._names.add(name)
        return self.figures_dir / f"{name}.png"

    def add(self, section: Section, fig: Any, title: str, caption: str = "") -> None:
        from seigen.scripts.plots import save

        section.figures.append(Figure(title, save(fig, self.png_path(title)), caption))

    @property
    def figure_count(self) -> int:
        return sum(len(s.figures) for s in self.sections)


def _md_cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render_markdown(report: Report, title: str, intro: list[str]) -> str:
    lines = [f"# {title}", "", *[f"{t}  " for t in intro], ""]
    for s in report.sections:
        lines += [f"## {s.title}", ""]
        for t in s.text:
            lines += [t, ""]
        for table in s.tables:
            if table.title:
                lines += [f"**{table.title}**", ""]
            lines.append("| " + " | ".join(_md_cell(h) for h in table.header) + " |")
            lines.append("|" + "|".join("---" for _ in table.header) + "|")
            lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in table.rows]
            lines.append("")
        for f in s.figures:
            rel = Path(os.path.relpath(f.png, report.out)).as_posix()
            lines += [f"### {f.title}", "", f"![{f.title}]({rel})", ""]
            if f.caption:
                lines += [f.caption, ""]
    if report.notes:
        lines += ["## Notes", "", *[f"- {n}" for n in report.notes], ""]
    return "\n".join(lines)


CSS = """
body { font-family: system-ui, sans-serif; max-width: 1200px; margin: 2em auto; padding: 0 1em; color: #222; }
h1 { font-size: 1.6em; } h2 { border-bottom: 1px solid #ccc; padding-bottom: .2em; margin-top: 2em; }
h3 { font-size: 1.05em; margin-bottom: .3em; }
table { border-collapse: collapse; margin: .5em 0 1.5em; font-size: .9em; }
th, td { border: 1px solid #ccc; padding: .25em .6em; text-align: right; }
th { background: #f3f3f3; } td:first-child, th:first-child { text-align: left; }
figure { margin: 0 0 1.5em; } img { max-width: 100%; height: auto; }
figcaption { font-size: .85em; color: #555; } .intro { color: #555; }
"""


def render_html(report: Report, title: str, intro: list[str]) -> str:
    e = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{e(title)}</title><style>{CSS}</style></head><body>",
        f"<h1>{e(title)}</h1>",
        *[f'<p class="intro">{e(t)}</p>' for t in intro],
    ]
    for s in report.sections:
        parts.append(f"<h2>{e(s.title)}</h2>")
        parts += [f"<p>{e(t)}</p>" for t in s.text]
        for table in s.tables:
            if table.title:
                parts.append(f"<p><strong>{e(table.title)}</strong></p>")
            parts.append("<table><tr>" + "".join(f"<th>{e(h)}</th>" for h in table.header) + "</tr>")
            parts += ["<tr>" + "".join(f"<td>{e(str(c))}</td>" for c in row) + "</tr>" for row in table.rows]
            parts.append("</table>")
        for f in s.figures:
            data = base64.b64encode(f.png.read_bytes()).decode("ascii")
            caption = f"<figcaption>{e(f.caption)}</figcaption>" if f.caption else ""
            parts.append(
                f"<figure><h3>{e(f.title)}</h3>"
                f'<img alt="{e(f.title)}" src="data:image/png;base64,{data}">{caption}</figure>'
            )
    if report.notes:
        parts += ["<h2>Notes</h2>", "<ul>", *[f"<li>{e(n)}</li>" for n in report.notes], "</ul>"]
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


# ---------------------------------------------------------------------------- formatting
def _fmt(v: Any, digits: int = 3) -> str:
    if not _number(v):
        return "-"
    if isinstance(v, int) or (float(v).is_integer() and abs(v) >= 1000):
        return f"{int(v):,}"
    return f"{v:.{digits}g}" if abs(v) < 1000 else f"{v:,.0f}"


def _duration(seconds: Any) -> str:
    if not _number(seconds):
        return "-"
    if seconds >= 3600:
        return f"{seconds / 3600:.1f} h"
    if seconds >= 120:
        return f"{seconds / 60:.1f} min"
    return f"{seconds:.0f} s"


def _pct(v: Any) -> str:
    return f"{100 * v:.1f}%" if _number(v) else "-"


# ---------------------------------------------------------------------------- RL runs
def _return_curves(group: Sequence[Run], x_key: str, smooth: int) -> list[tuple[str, list, Any]]:
    from seigen.scripts.plots import trailing_mean

    curves = []
    for run in group:
        rows = [r for r in run.rows("episodic_return") if _number(r.get(x_key))]
        if rows:
            y = trailing_mean([r["episodic_return"] for r in rows], smooth)
            curves.append((_run_label(run, group), [r[x_key] for r in rows], y))
    return curves


def _wall_scale(groups: Sequence[Sequence[Run]]) -> tuple[float, str]:
    from seigen.scripts.plots import time_unit

    longest = max((r.get("wall", 0.0) for g in groups for run in g for r in run.metrics), default=0.0)
    return time_unit(longest)


def _scaled(curves: list[tuple[str, list, Any]], divisor: float) -> list[tuple[str, list, Any]]:
    return [(label, [x / divisor for x in xs], y) for label, xs, y in curves]


def rl_sections(report: Report, groups: list[list[Run]], names: list[str], smooth: int) -> None:
    """Per group: the return curves (steps, wall-clock), the losses, the snapshots' Elo;
    per env with several groups: their means compared."""
    from seigen.scripts.plots import PALETTE, Line, Panel, lines_figure, seed_lines

    smoothing = (
        f"each seed's return is the mean of its last {smooth} episodes" if smooth > 1 else "raw returns"
    )
    by_env: dict[str, list[tuple[str, list[Run]]]] = {}
    for group, name in zip(groups, names, strict=True):
        by_env.setdefault(group[0].subject, []).append((name, group))
        s = report.section(f"{name}: {_seeds_text(group)}")
        divisor, unit = _wall_scale([group])
        steps = _return_curves(group, "step", smooth)
        walls = _scaled(_return_curves(group, "wall", smooth), divisor)
        if steps:
            panels = [
                Panel("environment steps", "episodic return", seed_lines(steps, PALETTE[0]), x_eng=True),
                Panel(f"wall-clock time ({unit})", "episodic return", seed_lines(walls, PALETTE[0])),
            ]
            band = "; thin lines: seeds, bold: their mean, band: min-max over seeds" if len(steps) > 1 else ""
            report.add(
                s,
                lines_figure(f"{name}: episodic return during training", panels),
                f"{name}: return against environment steps and wall-clock time",
                f"Training episodes ({smoothing}){band}.",
            )
        else:
            s.text.append("No episode finished yet: no return curve.")
        _loss_figure(report, s, group, name, "step", "environment steps")
        elo = [
            (_run_label(run, group), [r["step"] for r in rows], [r["elo"] for r in rows])
            for run in group
            if (rows := [r for r in run.rows("elo") if _number(r.get("step"))])
        ]
        if elo:
            panel = Panel(
                "environment steps",
                "Elo (snapshot ladder, random = 0)",
                [Line(x, y, label, marker="o") for label, x, y in elo],
                x_eng=True,
            )
            report.add(
                s,
                lines_figure(f"{name}: Elo of the self-play snapshots", [panel], ncols=1),
                f"{name}: Elo of the self-play snapshots against environment steps",
                "Each snapshot rated against random and the previous snapshot (snapshots.jsonl).",
            )
    for env, members in by_env.items():
        if len(members) < 2:
            continue
        s = report.section(f"{env}: the groups compared")
        divisor, unit = _wall_scale([g for _, g in members])
        step_lines, wall_lines = [], []
        for i, (name, group) in enumerate(members):
            color = PALETTE[i % len(PALETTE)]
            step_lines += _mean_only(seed_lines(_return_curves(group, "step", smooth), color, name))
            walls = _scaled(_return_curves(group, "wall", smooth), divisor)
            wall_lines += _mean_only(seed_lines(walls, color, name))
        if step_lines:
            panels = [
                Panel("environment steps", "episodic return", step_lines, x_eng=True),
                Panel(f"wall-clock time ({unit})", "episodic return", wall_lines),
            ]
            report.add(
                s,
                lines_figure(f"{env}: episodic return by group", panels),
                f"{env}: return of each group against environment steps and wall-clock time",
                f"Mean over each group's seeds with the min-max band ({smoothing}).",
            )


def _mean_only(lines: list[Any]) -> list[Any]:
    """A group's mean line (with its band), or its only seed's line, without the per-seed lines."""
    bold = [line for line in lines if line.label is not None]
    return bold or lines


def _loss_figure(
    report: Report, s: Section, group: Sequence[Run], name: str, x_key: str, xlabel: str
) -> None:
    """The numeric metrics whose name holds ``loss``: a panel each, a line per run of the group."""
    from seigen.scripts.plots import Line, Panel, lines_figure

    keys = sorted(
        {k for run in group for r in run.metrics for k, v in r.items() if "loss" in k and _number(v)}
    )
    panels = []
    for key in keys[:6]:
        lines = []
        for run in group:
            rows = [r for r in run.rows(key) if _number(r.get(x_key))]
            if rows:
                label = _run_label(run, group) if len(group) > 1 else None
                lines.append(Line([r[x_key] for r in rows], [r[key] for r in rows], label, width=1.2))
        if lines:
            values = [v for line in lines for v in line.y]
            log = min(values) > 0 and max(values) > 100 * min(values)  # a loss falling by orders of magnitude
            panels.append(Panel(xlabel, key.replace("_", " "), lines, title=key, x_eng=True, log_y=log))
    if panels:
        more = f" ({len(keys) - 6} more keys not drawn: {', '.join(keys[6:])})" if len(keys) > 6 else ""
        report.add(
            s,
            lines_figure(f"{name}: losses", panels, ncols=3),
            f"{name}: losses",
            f"The loss values the run logged to metrics.jsonl, as logged{more}.",
        )


# ---------------------------------------------------------------------------- self-play and SL runs
def at_step(rows: Sequence[dict[str, Any]], step: int) -> dict[str, Any] | None:
    """The first row at ``step`` or later (else the last row): when the trainer had made ``step`` steps."""
    for row in rows:
        if row.get("step", -1) >= step:
            return row
    return rows[-1] if rows else None


def elo_points(run: Run) -> list[dict[str, float]]:
    """The run's rated nets: ``step``, ``elo``, ``low``, ``high``, ``wall`` (seconds) and ``games``."""
    progress = [r for r in run.rows("games") if _number(r.get("step"))]
    out = []
    for row in run.evals:
        if not _number(row.get("elo")) or not _number(row.get("step")):
            continue
        at = at_step(progress, int(row["step"]))
        out.append(
            {
                "step": row["step"],
                "elo": row["elo"],
                "low": row.get("elo_low") if _number(row.get("elo_low")) else row["elo"],
                "high": row.get("elo_high") if _number(row.get("elo_high")) else row["elo"],
                "wall": at.get("wall", 0.0) if at else 0.0,
                "games": at["games"] if at else 0,
            }
        )
    return out


def selfplay_sections(report: Report, runs: list[Run]) -> None:
    """Per game: the Elo of every run's nets against time and games; per run: losses and the
    Connect Four accuracy curve; per supervised run: its held-out accuracy."""
    from seigen.scripts.plots import Line, Panel, lines_figure, time_unit

    by_game: dict[str, list[Run]] = {}
    for run in runs:
        by_game.setdefault(run.subject, []).append(run)
    for game, members in by_game.items():
        s = report.section(f"Self-play: {game}")
        rated = [(run, pts) for run in members if (pts := elo_points(run))]
        if rated:
            divisor, unit = time_unit(max(p["wall"] for _, pts in rated for p in pts))
            by_time, by_games = [], []
            for run, pts in rated:
                label = run.path.name if len(rated) > 1 else None
                low, high = [p["low"] for p in pts], [p["high"] for p in pts]
                band = "95% interval" if len(rated) == 1 else None
                by_time.append(
                    Line(
                        [p["wall"] / divisor for p in pts],
                        [p["elo"] for p in pts],
                        label,
                        low=low,
                        high=high,
                        band_label=band,
                        marker="o",
                    )
                )
                by_games.append(
                    Line(
                        [p["games"] for p in pts],
                        [p["elo"] for p in pts],
                        label,
                        low=low,
                        high=high,
                        band_label=band,
                        marker="o",
                    )
                )
            ylabel = "Elo (run's ladder, random = 0)"
            panels = [
                Panel(f"training time ({unit})", ylabel, by_time),
                Panel("self-play games", ylabel, by_games, x_eng=True),
            ]
            report.add(
                s,
                lines_figure(f"Self-play {game}: Elo of the evaluated nets", panels),
                f"Self-play {game}: Elo against training time and self-play games",
                "Each point is one evaluated net (eval.jsonl), rated on its run's Bradley-Terry ladder "
                "against random, the rollout MCTS anchor and the previous net; band: the 95% interval.",
            )
        else:
            s.text.append("No rated net in eval.jsonl: no Elo curve.")
        for run in members:
            who = f" ({run.path.name})" if len(members) > 1 else ""
            if run.rows("holdout_accuracy"):
                _supervised_figure(report, s, run, f"Supervised {game}{who}")
            _loss_figure(report, s, [run], f"Self-play {game}{who}", "step", "trainer steps")
            _accuracy_figure(report, s, run, f"Connect Four{who}")


def _supervised_figure(report: Report, s: Section, run: Run, name: str) -> None:
    from seigen.scripts.plots import Line, Panel, lines_figure, time_unit

    rows = [r for r in run.rows("holdout_accuracy") if _number(r.get("step"))]
    if not rows:
        return
    divisor, unit = time_unit(max(r.get("wall", 0.0) for r in rows))
    y = [100 * r["holdout_accuracy"] for r in rows]
    panels = [
        Panel(
            "trainer steps", "held-out move accuracy (%)", [Line([r["step"] for r in rows], y)], x_eng=True
        ),
        Panel(
            f"wall-clock time ({unit})",
            "held-out move accuracy (%)",
            [Line([r.get("wall", 0.0) / divisor for r in rows], y)],
        ),
    ]
    report.add(
        s,
        lines_figure(f"{name}: held-out move accuracy", panels),
        f"{name}: held-out move accuracy against steps and wall-clock time",
        "Top-1 accuracy of the policy on the moves of the held-out games (seigen train sl).",
    )


def _accuracy_figure(report: Report, s: Section, run: Run, name: str) -> None:
    from seigen.scripts.plots import Line, Panel, lines_figure

    rows = [r for r in run.curve if isinstance(r.get("connect4"), dict)]
    if not rows:
        if run.subject == "connect4":
            report.notes.append(
                f"{run.path}: no Connect Four accuracy curve; `seigen eval {run.path} --curve --json "
                f"> {run.path / CURVE_FILE}` measures it for the report."
            )
        return
    search = [100 * r["connect4"].get("accuracy", math.nan) for r in rows]
    policy = [100 * r["connect4"].get("policy_accuracy", math.nan) for r in rows]
    visits = rows[0].get("visits", "?")

    def lines(xs: list[Any]) -> list[Any]:
        return [
            Line(xs, search, f"search ({visits} visits)", marker="o"),
            Line(xs, policy, "raw policy", marker="s"),
        ]

    panels = [
        Panel("training time (min)", "move accuracy (%)", lines([r.get("minutes", 0.0) for r in rows])),
        Panel(
            "self-play games",
            "move accuracy (%)",
            lines([r.get("games_played", 0) for r in rows]),
            x_eng=True,
        ),
    ]
    positions = rows[-1]["connect4"].get("positions", "?")
    report.add(
        s,
        lines_figure(f"{name}: move accuracy on solved positions", panels),
        f"{name}: move accuracy against training time and games",
        f"Share of {positions} solved positions where the net's move is an optimal move "
        f"(seigen eval --curve, {CURVE_FILE}).",
    )


# ---------------------------------------------------------------------------- the tables
def rl_table(groups: list[list[Run]], smooth: int) -> Table:
    rows = []
    for group in groups:
        for run in group:
            returns = [r["episodic_return"] for r in run.rows("episodic_return")]
            recent = sum(returns[-smooth:]) / len(returns[-smooth:]) if returns else None
            final = run.last("eval/mean")
            evaluation = "-"
            if final:
                std = final.get("eval/std")
                evaluation = f"{final['eval/mean']:.4g}" + (f" ± {std:.3g}" if _number(std) else "")
                if _number(final.get("eval/episodes")):
                    evaluation += f" ({int(final['eval/episodes'])} ep.)"
            last = run.metrics[-1] if run.metrics else {}
            rows.append(
                [
                    run.name,
                    run.kind,
                    run.subject,
                    str(run.seed if run.seed is not None else "-"),
                    _fmt(last.get("step")),
                    _duration(last.get("wall")),
                    f"{len(returns):,}",
                    _fmt(recent, 4),
                    evaluation,
                ]
            )
    header = ["run", "algo", "env", "seed", "env steps", "wall-clock", "episodes"]
    header += [f"return (last {smooth} episodes)", "final evaluation (mean ± std)"]
    return Table("DQN, PPO and A2C runs", header, rows)


def _win_rate(row: dict[str, Any] | None, prefix: str) -> str:
    for name, r in (row or {}).get("vs", {}).items():
        if name.startswith(prefix) and isinstance(r, dict) and _number(r.get("win_rate")):
            return f"{100 * r['win_rate']:.0f}% ({r.get('wdl', '')})"
    return "-"


def selfplay_table(runs: list[Run]) -> Table:
    rows = []
    for run in runs:
        rated = [r for r in run.evals if _number(r.get("elo"))]
        last_eval = rated[-1] if rated else None
        elo = "-"
        if last_eval:
            elo = f"{last_eval['elo']:+.0f}"
            if _number(last_eval.get("elo_low")) and _number(last_eval.get("elo_high")):
                elo += f" [{last_eval['elo_low']:+.0f}, {last_eval['elo_high']:+.0f}]"
        progress = run.last("games")
        c4 = [r["connect4"] for r in run.curve if isinstance(r.get("connect4"), dict)]
        held = run.last("holdout_accuracy")
        rows.append(
            [
                run.name,
                run.kind,
                run.subject,
                _fmt(
                    progress.get("step")
                    if progress
                    else (run.metrics[-1].get("step") if run.metrics else None)
                ),
                _fmt(progress.get("games") if progress else None),
                _duration(run.metrics[-1].get("wall") if run.metrics else None),
                elo,
                _win_rate(last_eval, "random"),
                _win_rate(last_eval, "mcts-rollout"),
                f"{_pct(c4[-1].get('accuracy'))} / {_pct(c4[-1].get('policy_accuracy'))}" if c4 else "-",
                _pct(held.get("holdout_accuracy")) if held else "-",
            ]
        )
    header = ["run", "kind", "game", "trainer steps", "self-play games", "wall-clock", "Elo [95%]"]
    header += ["vs random", "vs rollout MCTS", "C4 accuracy search / policy", "held-out accuracy (SL)"]
    return Table("Self-play and supervised runs (the last evaluated net)", header, rows)


# ---------------------------------------------------------------------------- Atari 100k
def atari_section(report: Report, root: Path) -> None:
    """The figures of ``seigen bench atari100k`` (``seigen.scripts.atari100k.report_figures``)."""
    s = report.section(f"Atari 100k: {root}")
    try:
        from seigen.scripts.atari100k import report_figures
    except ImportError as e:
        note = f"{root}: the Atari 100k figures are skipped (seigen.scripts.atari100k is not available: {e})"
        report.notes.append(note)
        s.text.append("The Atari 100k figures need seigen.scripts.atari100k, which is not installed here.")
        return
    try:
        # a folder of its own, so that the fixed file names of two roots do not overwrite each other
        figures = report_figures(root, report.png_path(f"atari100k {root.name}").with_suffix(""))
    except Exception as e:  # the rest of the report still stands; the note says what failed
        report.notes.append(f"{root}: the Atari 100k figures failed ({type(e).__name__}: {e})")
        s.text.append("Drawing the Atari 100k figures failed; see the notes.")
        return
    for title, png in figures:
        s.figures.append(Figure(str(title), Path(png)))


# ---------------------------------------------------------------------------- the command
def build_report(paths: Sequence[str | os.PathLike], out: Path, smooth: int = 10) -> Report:
    """Read the runs, draw the figures into ``out/figures`` and return the report (not yet written)."""
    seen, runs = set(), []
    for p in paths:
        key = Path(p).resolve()
        if key not in seen:
            seen.add(key)
            runs.append(load_run(p))
    report = Report(out)
    rl = [r for r in runs if r.kind in RL_KINDS or (r.kind == "run" and r.rows("episodic_return"))]
    selfplay = [r for r in runs if r.kind in ("selfplay", "sl") or (r.kind == "run" and r not in rl)]
    summary = report.section("Final figures")
    rl_groups = group_runs(rl)
    if rl:
        summary.tables.append(rl_table(rl_groups, smooth))
    if selfplay:
        summary.tables.append(selfplay_table(selfplay))
    if not summary.tables:
        report.sections.remove(summary)
    if rl:
        rl_sections(report, rl_groups, group_names(rl_groups), smooth)
    if selfplay:
        selfplay_sections(report, selfplay)
    for run in runs:
        if run.kind == "atari100k":
            atari_section(report, run.path)
    return report


def write_report(report: Report, paths: Sequence[str | os.PathLike]) -> tuple[Path, Path]:
    """Write ``index.md`` and ``index.html`` into the report's folder; returns their paths."""
    title = "seigen report"
    intro = [
        "Runs: " + ", ".join(str(p) for p in paths),
        f"Written {time.strftime('%Y-%m-%d %H:%M')} by seigen report.",
    ]
    report.out.mkdir(parents=True, exist_ok=True)
    md, page = report.out / "index.md", report.out / "index.html"
    md.write_text(render_markdown(report, title, intro), encoding="utf-8")
    page.write_text(render_html(report, title, intro), encoding="utf-8")
    return md, page


def main(cfg: ReportConfig) -> int:
    """``seigen report``: 0, or 2 with a one-line error for a path that is not a run directory."""
    out = Path(cfg.out) if cfg.out is not None else Path(cfg.run_dir[0]) / "report"
    try:
        report = build_report(cfg.run_dir, out, cfg.smooth)
    except ReportError as e:
        print(f"seigen report: error: {e}", file=sys.stderr)
        return 2
    md, page = write_report(report, cfg.run_dir)
    print(f"{page}: {report.figure_count} figures from {len(cfg.run_dir)} run directories (also {md})")
    for note in report.notes:
        print(f"note: {note}", file=sys.stderr)
    return 0
