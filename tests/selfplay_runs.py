"""Helpers of the self-play tests (``test_selfplay``, ``test_distributed``, ``test_ddp``):
games played at random as records, and whole ``seigen selfplay`` runs as subprocesses, to
kill, resume and compare."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from seigen.agents.runs import CHECKPOINT, load_checkpoint
from seigen.engine.games import make_game
from seigen.selfplay.actor import area_ownership
from seigen.selfplay.shards import GameRecord, list_shards, read_shard


def play_records(n: int, game: str = "tictactoe", seed: int = 0) -> list[GameRecord]:
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        g = make_game(game, size=5)
        rec = GameRecord()
        while not g.is_terminal():
            mask = g.legal_mask()
            a = int(rng.choice(np.flatnonzero(mask)))
            rec.features.append(g.features().astype(np.uint8))
            rec.policy.append(mask / mask.sum())
            rec.movers.append(g.to_play)
            rec.moves.append(a)
            g.play(a)
        rec.result = float(g.returns())
        if game == "go":
            rec.ownership = area_ownership(g.board.colors())
            rec.score = float(g.board.score())
        out.append(rec)
    return out


TINY = [
    "--game", "tictactoe", "--games-in-flight", "16", "--visits", "8", "--gumbel-considered", "4",
    "--min-positions", "100", "--batch-size", "32", "--checkpoint-every", "10", "--shard-seconds", "0.3",
    "--eval-every", "0", "--no-progress", "--blocks", "1", "--channels", "8", "--window", "2000",
    "--threads", "1", "--no-final-eval",
]  # fmt: skip


def seigen(*args: str, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "seigen.scripts.cli", "selfplay", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # one process group: the run and its actors
        env={**os.environ, **(env or {})},
    )


def finish(p: subprocess.Popen, timeout: float = 120) -> tuple[int, str, str]:
    out, err = p.communicate(timeout=timeout)
    return p.returncode, out, err


def kill_run(p: subprocess.Popen) -> None:
    os.killpg(p.pid, signal.SIGKILL)
    p.communicate(timeout=30)


def audit(run: Path) -> tuple[int, set[str]]:
    """Every shard and checkpoint on disk loads; returns (finished games, shard names)."""
    games, names = 0, set()
    for path in list_shards(run / "games"):
        games += read_shard(path).games
        names.add(path.name)
    checkpoints = [p for p in (run / "checkpoints").glob("step-*.pt") if CHECKPOINT.search(p.name)]
    assert checkpoints
    for path in checkpoints:
        assert load_checkpoint(path)["kind"] == "alphazero"
    latest = (run / "checkpoints" / "latest").read_text().strip()
    assert (run / "checkpoints" / latest).exists()
    return games, names


def wait_for_games(run: Path, p: subprocess.Popen, at_least: int = 1, timeout: float = 60) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end and p.poll() is None:
        if len(list_shards(run / "games")) >= at_least:
            return
        time.sleep(0.1)
    raise AssertionError(
        f"no games appeared (exit {p.poll()}: {p.stderr.read() if p.poll() is not None else ''})"
    )
