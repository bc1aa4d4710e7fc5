"""``seigen train sl``: the Go policy-value net learns from SGF games (``seigen.selfplay.supervised``)."""

from __future__ import annotations

import json
import sys
from typing import Any

from seigen.selfplay.config import SupervisedConfig


def _status_line(row: dict[str, Any]) -> str:
    if "read" in row:
        return f"reading SGF files: {row['read']:,}/{row['files']:,}"
    parts = [f"step {row['step']:,}/{row['total']:,}", f"loss {row['loss']:.3f}"]
    if "holdout_accuracy" in row:
        parts.append(f"held-out accuracy {100 * row['holdout_accuracy']:.1f}%")
    if "holdout_value_loss" in row:
        parts.append(f"held-out value loss {row['holdout_value_loss']:.3f}")
    return " | ".join(parts)


def main(cfg: SupervisedConfig) -> int:
    """Read the SGF files, train, and print where the run is and what to do with it."""
    import logging

    from rich.console import Console
    from rich.live import Live
    from rich.logging import RichHandler
    from rich.text import Text

    from seigen.agents.runs import RunError
    from seigen.selfplay.run import interrupt_flag, restore_signals
    from seigen.selfplay.supervised import train_supervised

    console = Console(stderr=True)
    logging.getLogger("seigen.selfplay").addHandler(
        RichHandler(console=console, show_time=False, show_path=False)
    )
    logging.getLogger("seigen.selfplay").setLevel(logging.INFO)
    live = (
        Live(Text("reading the SGF files ..."), console=console, refresh_per_second=2)
        if cfg.progress
        else None
    )
    flag, previous = interrupt_flag()
    try:
        if live is not None:
            live.start()
        try:
            summary = train_supervised(
                cfg,
                status=(lambda row: live.update(Text(_status_line(row)))) if live is not None else None,
                stop=lambda: flag["flag"],
            )
        finally:
            if live is not None:
                live.stop()
            restore_signals(previous)
    except (RunError, ValueError, FileNotFoundError) as e:
        print(f"seigen train sl: error: {e}", file=sys.stderr)
        return 2
    if cfg.json:
        print(json.dumps(summary))
        return 130 if summary["interrupted"] else 0
    read = summary["read"]
    print(
        f"{summary['run_dir']}: {read['games']:,} games from {read['files']:,} files "
        f"({len(read['skipped'])} skipped, {read['without_result']} without a result), "
        f"{read['train_games']:,} for training, {read['holdout_games']:,} held out"
    )
    for reason in read["skipped"][:5]:
        print(f"  skipped {reason}")
    if len(read["skipped"]) > 5:
        print(f"  ... {len(read['skipped']) - 5} more in {summary['run_dir']}/sl/files.json")
    line = f"{summary['steps']:,} steps ({summary['epochs']:.2f} epochs) in {summary['minutes']:.1f} min"
    if "holdout_accuracy" in summary:
        line += f"; held out: move accuracy {100 * summary['holdout_accuracy']:.1f}%"
        if "holdout_value_loss" in summary:
            line += f", value loss {summary['holdout_value_loss']:.3f}"
    print(line)
    if summary["interrupted"] or summary["steps"] < summary["total_steps"]:
        print(f"stopped; continue with: seigen train sl --resume --run-dir {summary['run_dir']}")
    print(f"self-play from here: seigen selfplay --resume --run-dir {summary['run_dir']}")
    print(f"play it: seigen gtp --player net --model {summary['run_dir']}")
    return 130 if summary["interrupted"] else 0


if __name__ == "__main__":
    from seigen.scripts.cli import main as cli_main

    raise SystemExit(cli_main(["train", "sl", *sys.argv[1:]]))
