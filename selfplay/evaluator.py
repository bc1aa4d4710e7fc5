"""The evaluator: the loop (a process of a self-play run) that rates every new net of a run.

::

    run_evaluator("runs/c4", every_minutes=5, games=20, visits=100, device="cpu", stop=event)

:func:`run_evaluator` follows the run's newest checkpoint (``NewestCheckpoint`` of
``seigen.agents.runs``), evaluates a new one once ``every_minutes`` have passed since the
last evaluation (``seigen.selfplay.evaluation``: matches against the anchors and the
previous evaluated net, an Elo ladder), and appends one JSON row per evaluation to
``RUN_DIR/eval.jsonl`` (``seigen.selfplay.eval_log``; :func:`read_eval` skips a torn last
line). On restart the ladder is rebuilt from ``eval.jsonl``, so ratings survive a
resume; a checkpoint that does not load becomes a row with ``error`` and is skipped.
The games themselves go to ``RUN_DIR/eval_games/step-<N>.jsonl`` (one line per game:
opponent, colour, moves, result).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path
from typing import Any

from seigen.engine.devices import resolve_device
from seigen.engine.ratings import ladder_from_rows
from seigen.selfplay.eval_log import append_eval, read_eval
from seigen.selfplay.evaluation import anchor_agent, evaluate_checkpoint, evaluate_net, game_settings

__all__ = [
    "anchor_agent",
    "append_eval",
    "evaluate_checkpoint",
    "read_eval",
    "run_evaluator",
]

log = logging.getLogger(__name__)


def _pause(stop: Any, seconds: float) -> None:
    """Sleep ``seconds`` or until ``stop.is_set()`` (any object with ``is_set``, e.g. a watch on an event)."""
    deadline = time.monotonic() + seconds
    while not stop.is_set():
        left = deadline - time.monotonic()
        if left <= 0:
            return
        time.sleep(min(left, 0.05))


def run_evaluator(
    run_dir: str | os.PathLike,
    *,
    every_minutes: float = 0.0,
    games: int = 20,
    visits: int = 50,
    device: str = "cpu",
    stop: Any = None,
    poll_seconds: float = 2.0,
    opening_moves: int | None = None,
    seed: int = 0,
    gnugo: bool = False,
    gnugo_games: int = 4,
    gnugo_level: int = 1,
    threads: int | None = 1,
    max_evaluations: int | None = None,
    teacher: tuple[str, int, float] | None = None,
    mix: float = 0.0,
) -> int:
    """The evaluator's loop: rate each new checkpoint of a run; returns the evaluations made.

    Follows the run's newest checkpoint (``NewestCheckpoint``), looking every
    ``poll_seconds``. A checkpoint not yet evaluated is evaluated when ``every_minutes``
    have passed since the start of the last evaluation (the first one always), against
    the previous evaluated net (``seigen.selfplay.evaluation.evaluate_net``); one row per
    evaluation is appended to ``eval.jsonl``. A checkpoint that does not load gives a row
    with ``error`` and is skipped. On (re)start the ladder, the last evaluated
    checkpoint and the time of the last evaluation come from ``eval.jsonl``. ``stop`` (a
    ``threading.Event``, ``multiprocessing.Event`` or anything with ``is_set()``) ends the
    loop within about one batched search of being set (a GNU Go match only between its
    games); an evaluation cut short writes no row and is redone on restart.
    Any other failure of an evaluation is logged and written as an ``error`` row too.
    ``threads`` sets torch's threads (None leaves them); ``device`` ``auto`` means cuda when present.
    ``teacher`` ``(kind, simulations, until)``: while ``RUN_DIR/teacher.json`` is absent each
    net also plays that classic player, and the first net to win ``until`` of those games
    writes the file, which ends the teacher's games (``seigen.selfplay.teacher``). ``mix``:
    the nets search with AlphaGo's mixed leaf values (``SelfPlayConfig.mix``).
    """
    from seigen.agents.pvnet import load_net
    from seigen.agents.runs import CheckpointError, NewestCheckpoint
    from seigen.selfplay.teacher import TEACHER_FILE, mark_teacher_beaten

    if threads is not None:
        import torch

        torch.set_num_threads(threads)
    run_dir = Path(run_dir)
    device = resolve_device(device)
    stop = stop if stop is not None else threading.Event()
    rows = read_eval(run_dir)
    ladder = ladder_from_rows(rows)
    # the last checkpoint looked at: evaluated, or skipped with an error row
    follow = NewestCheckpoint(
        run_dir, every=0.0, name=Path(rows[-1].get("checkpoint", "")).name if rows else None
    )
    done = [r for r in rows if not r.get("error") and "player" in r]
    last_time: float | None = done[-1].get("time") if done else None
    previous: Any = done[-1].get("checkpoint") if done else None  # a path until loaded
    count = 0

    def skip(latest: Path, error: str) -> None:
        append_eval(run_dir, {"checkpoint": str(latest), "time": round(time.time(), 3), "error": error})
        follow.name = latest.name

    while not stop.is_set():
        due = last_time is None or time.time() - last_time >= 60.0 * every_minutes
        latest = follow.changed() if due else None
        if latest is None:
            _pause(stop, poll_seconds)
            continue
        try:
            net, meta = load_net(latest, device)
            game_settings(meta)
        except (CheckpointError, ValueError) as e:
            if not latest.exists():
                _pause(stop, poll_seconds)
                continue  # removed under us (an old checkpoint dropped): look again
            log.warning("skipping checkpoint %s: %s", latest.name, e)
            skip(latest, str(e))
            continue
        if isinstance(previous, str) and not Path(previous).exists():
            previous = None  # deleted since (old checkpoints are dropped): no match against it
        step = int(meta.get("step", 0))
        try:
            row = evaluate_net(
                net,
                meta,
                previous=previous,
                games=games,
                visits=visits,
                device=device,
                opening_moves=opening_moves,
                seed=seed + len(done) + count,  # fresh openings for every evaluation of the run
                ladder=ladder,
                should_stop=stop.is_set,
                gnugo=gnugo,
                gnugo_games=gnugo_games,
                gnugo_level=gnugo_level,
                games_file=run_dir / "eval_games" / f"step-{step:09d}.jsonl",
                teacher=teacher[:2]
                if teacher is not None and not (run_dir / TEACHER_FILE).exists()
                else None,
                mix=mix,
            )
        except Exception as e:  # the loop outlives a bad net or a bug: the row says what happened
            log.exception("evaluating %s failed", latest.name)
            skip(latest, f"{type(e).__name__}: {e}")
            continue
        if row.get("interrupted"):
            break
        append_eval(run_dir, row)
        taught = f"{teacher[0]}-{teacher[1]}" if teacher is not None else None
        if taught in row["vs"] and (row["vs"][taught].get("win_rate") or 0.0) >= teacher[2]:
            mark_teacher_beaten(run_dir, row, taught)
            log.info("%s beat the teacher %s: self-play with the net from here", row["player"], taught)
        log.info(
            "evaluated %s: elo %s [%s, %s]; %s",
            row["player"],
            row.get("elo"),
            row.get("elo_low"),
            row.get("elo_high"),
            ", ".join(f"{k} {v.get('wdl', v.get('error'))}" for k, v in row["vs"].items()),
        )
        follow.name, last_time = latest.name, row["time"]
        previous = (net, meta)
        count += 1
        if max_evaluations is not None and count >= max_evaluations:
            break
    return count
