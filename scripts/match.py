"""``seigen match``: two GTP engines play each other; a summary table (or one JSON object).

Usage::

    seigen match --black "gnugo --mode gtp --level 1" --white "gnugo --mode gtp --level 10" \\
        --games 20 --size 9 --komi 7 --alternate [--rules chinese] [--sgf-dir DIR] \\
        [--max-moves M] [--parallel P] [--move-timeout S] [--json] [--resume]

The games, forfeits and adjudication are ``seigen.engine.match``'s (its docstring says
how a game is played and scored); this module shows progress on stderr and prints the
summary on stdout. Exit status: 0 when the match was played, 2 when it could not start
(an engine that does not start or rejects the board), 130 when interrupted (the games
finished so far are summarised). ``--resume`` continues a match in its ``--sgf-dir``.
"""

from __future__ import annotations

import json
import math
import sys
from typing import Any

from seigen.scripts.configs import MatchConfig


def _signed(x: float | None, digits: int = 0) -> str:
    if x is None or not math.isfinite(x):
        return "-"
    return f"{x:+.{digits}f}"


def _reasons(counts: dict[str, int]) -> str:
    return ", ".join(f"{reason} {n}" for reason, n in counts.items())


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{what} {n}" for what, n in counts.items()) or "-"


def render_table(summary: dict) -> Any:
    """The summary as a rich Table: one row per engine; the match's facts in the caption."""
    from rich.table import Table

    s = summary
    played = f"{s['games']} games" + (
        f" of {s['games_requested']}" if s["games"] != s["games_requested"] else ""
    )
    title = f"seigen match: {played}, {s['size']}x{s['size']}, komi {s['komi']:g}, {s['rules']} rules" + (
        ", colours alternated" if s["alternate"] else ""
    )
    table = Table(title=title)
    table.add_column("engine")
    table.add_column("wins", justify="right")
    table.add_column("as black", justify="right")
    table.add_column("as white", justify="right")
    table.add_column("draws", justify="right")
    table.add_column("win rate [95%]", justify="right", no_wrap=True)
    table.add_column("Elo [95%]", justify="right", no_wrap=True)
    table.add_column("forfeits")
    for key, e in s["engines"].items():
        if e["win_rate"] is None:
            rate = elo = "-"
        else:
            rate = f"{100 * e['win_rate']:.1f}% [{100 * e['wilson_low']:.1f}-{100 * e['wilson_high']:.1f}]"
            elo = f"{_signed(e['elo'])} [{_signed(e['elo_low'])}, {_signed(e['elo_high'])}]"
        forfeits = str(e["forfeits"]) + (f" ({_reasons(e['forfeit_reasons'])})" if e["forfeits"] else "")
        table.add_row(
            f"{key}: {e['name']}",
            f"{e['wins']}/{e['games']}",
            f"{e['wins_black']}/{e['games_black']}",
            f"{e['wins_white']}/{e['games_white']}",
            str(e["draws"]),
            rate,
            elo,
            forfeits,
        )
    lines = [
        f"A: {s['engines']['A']['command']}",
        f"B: {s['engines']['B']['command']}",
        f"ended by: {_counts(s['ended_by'])}; scored by: {_counts(s['scored_by'])}; "
        f"black won {s['black_wins']}, white {s['white_wins']}"
        + (f"; {s['mean_moves']:.1f} moves per game" if s["mean_moves"] is not None else ""),
    ]
    times = [
        f"{key} {e['seconds_per_move']:.2f} s (longest {e['max_move_seconds']:.2f} s)"
        for key, e in s["engines"].items()
        if e.get("seconds_per_move") is not None
    ]
    if times:
        lines.append("time per genmove: " + ", ".join(times))
    for f in s["forfeit_games"][:5]:
        lines.append(f"game {f['game'] + 1}: {f['detail']}")
    if len(s["forfeit_games"]) > 5:
        lines.append(f"... {len(s['forfeit_games']) - 5} more forfeits in games.jsonl")
    lines.append(
        "win rate: a draw counts half, 95% Wilson interval; Elo from the win rate (logistic) and "
        "its interval from Wilson's, a score of 0 or 1 clamped to half a game from it"
    )
    lines.append(f"SGF and JSON records: {s['sgf_dir']}")
    if s["interrupted"]:
        lines.append("interrupted: only the games finished are counted")
    table.caption = "\n".join(lines)
    return table


def _score_line(wins: dict[str, int], draws: int) -> str:
    return f"A {wins['A']} - B {wins['B']}" + (f", {draws} drawn" if draws else "")


def main(cfg: MatchConfig) -> int:
    """``seigen match``."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from seigen.engine.match import MatchError, MatchSettings, run_match

    settings = MatchSettings(
        black=cfg.black,
        white=cfg.white,
        games=cfg.games,
        size=cfg.size,
        komi=cfg.komi,
        rules=cfg.rules,
        alternate=cfg.alternate,
        max_moves=cfg.max_moves,
        parallel=cfg.parallel,
        move_timeout=cfg.move_timeout,
        startup_timeout=cfg.startup_timeout,
        sgf_dir=cfg.sgf_dir,
        resume=cfg.resume,
    )
    progress = Progress(
        TextColumn("[bold]games"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    task = progress.add_task("starting the engines", total=cfg.games)
    wins = {"A": 0, "B": 0}
    tally = {"draws": 0, "forfeits": 0}

    def count(record: Any) -> None:
        if record.winner is None:
            tally["draws"] += 1
        else:
            wins[record.winner] += 1
        tally["forfeits"] += record.forfeit is not None

    def on_start(result: Any) -> None:
        names = result.names
        for record in result.records:  # resumed: the games played before
            count(record)
        progress.update(task, completed=len(result.records), description=f"A {names['A']} vs B {names['B']}")

    def on_game(record: Any, result: Any) -> None:
        count(record)
        forfeits = f", {tally['forfeits']} forfeited" if tally["forfeits"] else ""
        progress.update(task, advance=1, description=_score_line(wins, tally["draws"]) + forfeits)

    try:
        with progress:
            result = run_match(settings, on_game=on_game, on_start=on_start)
    except MatchError as e:
        print(f"seigen match: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("seigen match: interrupted before the first game", file=sys.stderr)
        return 130
    summary = result.summary()
    if cfg.json:
        print(json.dumps(summary), flush=True)
    else:
        console = Console()
        if not console.is_terminal:  # rich's default 80 columns would fold the table
            console = Console(width=max(console.width, 120))
        console.print(render_table(summary))
    return 130 if result.interrupted else 0


if __name__ == "__main__":
    from seigen.scripts.cli import main as cli_main

    raise SystemExit(cli_main(["match", *sys.argv[1:]]))
