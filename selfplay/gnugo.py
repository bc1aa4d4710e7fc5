"""A short match of a net against GNU Go, through ``seigen gtp --player net`` and the GTP match runner.

Part of an evaluation of a Go net (``seigen.selfplay.evaluation``); the result has the
keys of ``seigen.engine.ratings.head_to_head`` and goes on the same ladder as ``gnugo-<level>``.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable
from typing import Any

from seigen.engine.ratings import head_to_head


def find_gnugo() -> str | None:
    """GNU Go's path (``GNUGO``, then ``gnugo`` on PATH, then ``/usr/games/gnugo``), or None."""
    for candidate in (os.environ.get("GNUGO"), shutil.which("gnugo"), "/usr/games/gnugo"):
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


def gnugo_match(
    meta: dict[str, Any],
    settings: dict[str, Any],
    games: int,
    visits: int,
    level: int,
    should_stop: Callable[[], bool] | None,
    device: str = "cpu",
    mix: float = 0.0,
) -> tuple[str, dict[str, Any]]:
    """A short match against GNU Go through ``seigen gtp --player net`` (never raises).

    GNU Go plays the same moves for the same position, and so does a net at a fixed
    seed: expect few distinct games. The match can only stop between games.
    """
    import tempfile

    from seigen.engine.match import MatchError, MatchSettings, run_match

    key = f"gnugo-{level}"
    gnugo = find_gnugo()
    if gnugo is None:
        return key, {"error": "GNU Go not found (gnugo on PATH, /usr/games/gnugo or GNUGO=...)"}
    komi = settings["komi"]
    net_cmd = [
        sys.executable, "-m", "seigen.scripts.cli", "gtp", "--player", "net", "--model", str(meta["path"]),
        "--visits", str(visits), "--size", str(settings["size"]), "--rules", settings["rules"],
        "--device", device if device in ("cpu", "cuda") else "auto",
    ]  # fmt: skip
    if device == "cpu":
        # one torch thread: a small net on one position at a time runs many times faster
        # that way on a busy machine (and GNU Go and the evaluator need the other cores)
        net_cmd = ["env", "OMP_NUM_THREADS=1", *net_cmd]
    if komi is not None:
        net_cmd += ["--komi", str(komi)]
    if mix:
        net_cmd += ["--mix", str(mix)]
    gnugo_cmd = [
        gnugo,
        "--mode",
        "gtp",
        "--level",
        str(level),
        "--chinese-rules",
        "--positional-superko",
        "--capture-all-dead",
    ]

    def on_game(record: Any, result: Any) -> None:
        if should_stop is not None and should_stop():
            raise KeyboardInterrupt  # run_match's own way to stop early, keeping the games so far

    sgf_dir = tempfile.mkdtemp(prefix="seigen-eval-gnugo-")
    try:
        match = run_match(
            MatchSettings(
                black=net_cmd,
                white=gnugo_cmd,
                games=games,
                size=settings["size"],
                komi=komi,
                rules=settings["rules"],
                alternate=True,
                max_moves=settings["max_moves"],
                sgf_dir=sgf_dir,
                move_timeout=120.0,
            ),
            on_game=on_game,
        )
        summary = match.summary()
    except (MatchError, OSError, ValueError) as e:
        return key, {"error": f"{type(e).__name__}: {e}"}
    finally:
        shutil.rmtree(sgf_dir, ignore_errors=True)
    a = summary["engines"]["A"]
    out = head_to_head(a["wins"], a["draws"], a["losses"]) | {"forfeits": summary["forfeits"]}
    if summary["forfeit_games"]:
        out["forfeit_games"] = summary["forfeit_games"][:4]
    if match.interrupted:
        out["interrupted"] = True
    return key, out
