"""``seigen selfplay``: run (or resume) AlphaZero self-play, with a live line and a closing summary."""

from __future__ import annotations

import sys
from typing import Any

from seigen.selfplay.config import SelfPlayConfig


def _status_line(
    cfg: SelfPlayConfig, row: dict[str, Any], latest_eval: dict[str, Any] | None, elapsed: float
) -> str:
    limit = f" / {cfg.max_minutes:g} min" if cfg.max_minutes else ""
    parts = [
        f"{elapsed / 60:5.1f} min{limit}",
        f"games {row['games']:,}",
        f"{row['positions_per_s']:,.0f} pos/s",
        f"{row['evals_per_s']:,.0f} evals/s",
        f"step {row['step']:,}",
    ]
    if "loss" in row:
        parts.append(
            f"loss {row['loss']:.3f} (policy {row['policy_loss']:.3f}, value {row['value_loss']:.3f})"
        )
    elif row["window"] < cfg.min_positions:
        parts.append(f"filling window {row['window']:,}/{cfg.min_positions:,}")
    if latest_eval and latest_eval.get("elo") is not None:
        parts.append(f"Elo {latest_eval['elo']:.0f} (step {latest_eval.get('step', '?')})")
    return " | ".join(parts)


def main(cfg: SelfPlayConfig) -> int:
    """Run self-play until a limit or Ctrl-C, then evaluate the final net and print a summary."""
    from rich.console import Console
    from rich.live import Live
    from rich.text import Text

    from seigen.agents.runs import RunError
    from seigen.selfplay.run import run_selfplay

    console = Console(stderr=True)
    import logging

    from rich.logging import RichHandler

    handler = RichHandler(console=console, show_time=False, show_path=False)  # above the live line
    logging.getLogger("seigen.selfplay").addHandler(handler)
    live = (
        Live(Text("starting ..."), console=console, refresh_per_second=2, transient=False)
        if cfg.progress
        else None
    )

    def status(
        run_cfg: SelfPlayConfig, row: dict[str, Any], latest_eval: dict[str, Any] | None, elapsed: float
    ) -> None:
        if live is not None:
            live.update(Text(_status_line(run_cfg, row, latest_eval, elapsed)))

    try:
        if live is not None:
            live.start()
        try:
            summary = run_selfplay(cfg, status if live is not None else None)
        finally:
            if live is not None:
                live.stop()
                if not console.is_terminal:
                    console.line()  # the last frame has no newline of its own off a terminal
    except (RunError, ValueError) as e:
        print(f"seigen selfplay: error: {e}", file=sys.stderr)
        return 2
    print(
        f"{summary['run_dir']}: {summary['games']:,} games, {summary['positions']:,} positions, "
        f"{summary['steps']:,} training steps in {summary['minutes']:.1f} min "
        f"({summary['positions_per_s']:,.0f} positions/s, {summary['evals_per_s']:,.0f} net evaluations/s)"
    )
    if summary.get("resign_checked"):
        checked, false = summary["resign_checked"], summary["false_resigns"]
        print(
            f"resignation check: {checked:,} games played out past a resignation, "
            f"{false:,} ({100 * false / checked:.1f}%) won by the side that would have resigned"
        )
    if summary["failure"]:
        print(f"seigen selfplay: error: {summary['failure']}", file=sys.stderr)
        return 1
    if summary["interrupted"]:
        print("stopped; continue with: seigen selfplay --resume --run-dir " + summary["run_dir"])
    elif cfg.final_eval:
        from seigen.scripts.evaluate import print_report
        from seigen.selfplay.report import measure

        visits = summary["eval_visits"]
        print(f"evaluating the final net ({visits} visits per move) ...", file=sys.stderr)
        row = measure(summary["run_dir"], visits=visits, games=summary["eval_games"], positions=100)
        print_report([row], f"the final net of {summary['run_dir']}, {visits} visits per move")
    print(f"play it: seigen play --model {summary['run_dir']}")
    return 0
