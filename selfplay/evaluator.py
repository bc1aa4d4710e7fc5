"""The evaluator: matches between agents, an Elo ladder, and the loop that rates every new net.

::

    row = evaluate_checkpoint("runs/c4/checkpoints/step-000001000.pt", previous=older, games=20)
    row["vs"]["random"]["win_rate"], row["elo"], row["elo_low"], row["elo_high"]

    run_evaluator("runs/c4", every_minutes=5, games=20, visits=100, device="cpu", stop=event)

**Matches** are the lock-step ones of ``seigen.engine.arena`` (``play_match``: colours
alternating, paired random openings of ``OPENING_PLIES`` plies) and **ratings** come from
the Bradley-Terry ladder of ``seigen.engine.ratings`` (``EloLadder``, ``random`` = 0);
each match's result has the keys of ``seigen.engine.ratings.head_to_head``.

**Evaluation** (:func:`evaluate_checkpoint`) of a net: matches against ``random``, the
rollout MCTS anchor (a search with random-playout values at the same visits,
``mcts-rollout-<visits>``; for Go the playouts fill no own eye and the prior discourages
eye-filling and passing) and the previous evaluated net; optionally (Go) against GNU Go
through ``seigen gtp --player net``. The net plays as ``step-<N>``.

**The loop** (:func:`run_evaluator`) watches ``RUN_DIR/checkpoints/latest``, evaluates a
new checkpoint once ``every_minutes`` have passed since the last evaluation, and appends
one JSON row per evaluation to ``RUN_DIR/eval.jsonl`` (:func:`read_eval` skips a torn
last line). On restart the ladder is rebuilt from ``eval.jsonl``, so ratings survive a
resume; a checkpoint that does not load becomes a row with ``error`` and is skipped.
The games themselves go to ``RUN_DIR/eval_games/step-<N>.jsonl`` (one line per game:
opponent, colour, moves, result).
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from seigen.engine.arena import OPENING_PLIES, play_match
from seigen.engine.devices import resolve_device
from seigen.engine.files import append_jsonl, read_jsonl
from seigen.engine.games import GAMES
from seigen.engine.ratings import EloLadder, head_to_head, ladder_from_rows, upgrade_rows

__all__ = [
    "anchor_agent",
    "append_eval",
    "evaluate_checkpoint",
    "find_gnugo",
    "player_name",
    "read_eval",
    "run_evaluator",
]

log = logging.getLogger(__name__)


# ============================================================================ evaluation


def anchor_agent(game_name: str, visits: int, *, seed: int = 0, rollouts: int = 1) -> Any:
    """The rollout MCTS anchor: a search over random-playout values (Go: eye-aware)."""
    from seigen.agents.agent import SearchAgent
    from seigen.engine.search import RolloutEvaluator

    if game_name == "go":
        from seigen.engine.players import EyeAwareRollouts

        evaluator: Any = EyeAwareRollouts(rollouts)
    else:
        evaluator = RolloutEvaluator(rollouts)
    return SearchAgent(evaluator, visits, seed=seed, name=f"mcts-rollout-{visits}")


def player_name(meta: dict[str, Any]) -> str:
    """A net's name in the ladder: ``step-<N>``."""
    return f"step-{int(meta.get('step', 0))}"


def _game_settings(meta: dict[str, Any]) -> dict[str, Any]:
    game = dict(meta.get("game") or {})
    name = game.get("name")
    if name not in GAMES:
        raise ValueError(f"{meta.get('path', 'the checkpoint')}: unknown game {name!r} in its metadata")
    return {
        "game_name": name,
        "size": int(game.get("size") or 9),
        "komi": game.get("komi"),
        "rules": game.get("rules") or "chinese",
        "max_moves": game.get("max_moves"),
    }


def evaluate_checkpoint(
    path: str | os.PathLike,
    *,
    previous: str | os.PathLike | tuple[Any, dict[str, Any]] | None = None,
    games: int = 20,
    visits: int = 50,
    device: str = "cpu",
    opening_moves: int | None = None,
    seed: int = 0,
    ladder: EloLadder | None = None,
    should_stop: Callable[[], bool] | None = None,
    gnugo: bool = False,
    gnugo_games: int = 4,
    gnugo_level: int = 1,
    games_file: str | os.PathLike | None = None,
) -> dict[str, Any]:
    """Rate one checkpoint (or a run directory's latest) against the anchors; a JSON-ready row.

    Matches of ``games`` games (colours alternating, ``opening_moves`` random plies per
    pair, default :data:`OPENING_PLIES`) against ``random``, ``mcts-rollout-<visits>`` and
    ``previous`` (a checkpoint path, or a ``(net, meta)`` pair from ``load_net``); with
    ``gnugo`` (Go only) also ``gnugo_games`` games against GNU Go at ``gnugo_level``
    through ``seigen gtp --player net``. The results go into ``ladder`` (a fresh one when
    None) and the row gives the net's rating from the whole ladder.

    The row: ``step``, ``player`` (``step-<N>``), ``checkpoint``, ``game``, ``visits``,
    ``games``, ``opening_moves``, ``time`` (start, seconds since the epoch), ``seconds``;
    ``vs``: per opponent the W-D-L, win rate with Wilson interval and the match's own Elo
    difference (``seigen.engine.ratings.head_to_head``), or ``{"error": ...}``; ``elo``,
    ``elo_low``, ``elo_high`` (the ladder's, relative to random); ``ladder``: every rated
    player's ``elo`` and interval; ``interrupted`` when ``should_stop`` cut it short
    (then the ladder is left unchanged). ``CheckpointError`` when ``path`` does not load.
    """
    from seigen.agents.pvnet import load_net

    device = resolve_device(device)
    net, meta = load_net(path, device)
    return _evaluate(
        net,
        meta,
        previous=previous,
        games=games,
        visits=visits,
        device=device,
        opening_moves=opening_moves,
        seed=seed,
        ladder=ladder,
        should_stop=should_stop,
        gnugo=gnugo,
        gnugo_games=gnugo_games,
        gnugo_level=gnugo_level,
        games_file=games_file,
    )


def _evaluate(
    net: Any,
    meta: dict[str, Any],
    *,
    previous: str | os.PathLike | tuple[Any, dict[str, Any]] | None,
    games: int,
    visits: int,
    device: str,
    opening_moves: int | None,
    seed: int,
    ladder: EloLadder | None,
    should_stop: Callable[[], bool] | None,
    gnugo: bool,
    gnugo_games: int,
    gnugo_level: int,
    games_file: str | os.PathLike | None,
) -> dict[str, Any]:
    from seigen.agents.agent import RandomAgent, net_agent
    from seigen.agents.pvnet import load_net
    from seigen.agents.runs import CheckpointError

    started_wall, started = time.time(), time.monotonic()
    settings = _game_settings(meta)
    game_name = settings["game_name"]
    if opening_moves is None:
        opening_moves = OPENING_PLIES[game_name]
    name = player_name(meta)
    me = net_agent(net, visits, device, name=name, seed=seed)
    opponents: list[Any] = [RandomAgent(seed), anchor_agent(game_name, visits, seed=seed + 1)]
    vs: dict[str, Any] = {}
    if previous is not None:
        try:
            prev_net, prev_meta = (
                load_net(previous, device) if isinstance(previous, (str, os.PathLike)) else previous
            )
            prev_name = player_name(prev_meta)
            if prev_name == name:
                prev_name = f"{prev_name}-previous"
            if _game_settings(prev_meta)["game_name"] != game_name:
                raise CheckpointError(
                    f"{prev_meta.get('path')}: a net for {_game_settings(prev_meta)['game_name']}"
                )
            opponents.append(net_agent(prev_net, visits, device, name=prev_name, seed=seed + 2))
        except (CheckpointError, ValueError) as e:
            vs["previous"] = {"error": str(e)}
            log.warning("previous net not played: %s", e)
    row: dict[str, Any] = {
        "step": int(meta.get("step", 0)),
        "player": name,
        "checkpoint": str(meta.get("path", "")),
        "game": {"name": game_name}
        | ({k: v for k, v in settings.items() if k != "game_name"} if game_name == "go" else {}),
        "visits": visits,
        "games": games,
        "opening_moves": opening_moves,
        "time": round(started_wall, 3),
    }
    outcomes = []
    for k, opponent in enumerate(opponents):
        outcome = play_match(
            me,
            opponent,
            game_name,
            games,
            size=settings["size"],
            komi=settings["komi"],
            rules=settings["rules"],
            max_moves=settings["max_moves"],
            opening_moves=opening_moves,
            seed=seed * 1000 + k,
            should_stop=should_stop,
        )
        vs[outcome.opponent] = outcome.summary()
        outcomes.append(outcome)
        if outcome.interrupted:
            break
        log.info("%s vs %s: %s", name, outcome.opponent, vs[outcome.opponent]["wdl"])
    interrupted = any(o.interrupted for o in outcomes)
    if gnugo and not interrupted:
        if game_name != "go":
            vs["gnugo"] = {"error": f"GNU Go plays Go only, not {game_name}"}
        else:
            key, result = _gnugo_match(meta, settings, gnugo_games, visits, gnugo_level, should_stop, device)
            vs[key] = result
    row["vs"] = vs
    if interrupted:
        row["interrupted"] = True
    else:
        ladder = ladder if ladder is not None else EloLadder()
        for outcome in outcomes:
            ladder.add_outcome(outcome)
        for key, result in vs.items():
            if key.startswith("gnugo") and result.get("games"):
                ladder.add(name, key, result["wins"], result["draws"], result["losses"])
        ratings = ladder.ratings()
        mine = ratings.get(name, {})
        row.update(elo=mine.get("elo"), elo_low=mine.get("elo_low"), elo_high=mine.get("elo_high"))
        row["ladder"] = {
            p: {k: r[k] for k in ("elo", "elo_low", "elo_high", "games")} for p, r in ratings.items()
        }
        if games_file is not None:
            path = Path(games_file)
            path.parent.mkdir(parents=True, exist_ok=True)
            append_jsonl(path, *(record for outcome in outcomes for record in outcome.records()))
    row["seconds"] = round(time.monotonic() - started, 3)
    return row


def find_gnugo() -> str | None:
    """GNU Go's path (``GNUGO``, then ``gnugo`` on PATH, then ``/usr/games/gnugo``), or None."""
    for candidate in (os.environ.get("GNUGO"), shutil.which("gnugo"), "/usr/games/gnugo"):
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


def _gnugo_match(
    meta: dict[str, Any],
    settings: dict[str, Any],
    games: int,
    visits: int,
    level: int,
    should_stop: Callable[[], bool] | None,
    device: str = "cpu",
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


# ============================================================================ the loop


def read_eval(run_dir: str | os.PathLike) -> list[dict[str, Any]]:
    """The rows of ``RUN_DIR/eval.jsonl`` (or of that file), skipping any line that does not
    parse (a torn last line from a crash); no file, no rows. Results written before
    ``seigen.engine.ratings``' one key schema come back under its keys (``upgrade_rows``)."""
    path = Path(run_dir)
    return upgrade_rows(read_jsonl(path / "eval.jsonl" if path.is_dir() else path))


def append_eval(run_dir: str | os.PathLike, row: dict[str, Any]) -> None:
    """Append one row to ``RUN_DIR/eval.jsonl`` (or to the ``.jsonl`` file given) as one line
    (after a newline if the file ends in a torn line, so the torn part stays a line of its own)."""
    path = Path(run_dir)
    append_jsonl(path if path.suffix == ".jsonl" else path / "eval.jsonl", row)


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
) -> int:
    """The evaluator's loop: rate each new checkpoint of a run; returns the evaluations made.

    Polls ``latest_checkpoint(run_dir)`` every ``poll_seconds``. A checkpoint not yet
    evaluated is evaluated when ``every_minutes`` have passed since the start of the last
    evaluation (the first one always), against the previous evaluated net; one row per
    evaluation is appended to ``eval.jsonl``. A checkpoint that does not load gives a row
    with ``error`` and is skipped. On (re)start the ladder, the last evaluated
    checkpoint and the time of the last evaluation come from ``eval.jsonl``. ``stop`` (a
    ``threading.Event``, ``multiprocessing.Event`` or anything with ``is_set()``) ends the
    loop within about one batched search of being set (a GNU Go match only between its
    games); an evaluation cut short writes no row and is redone on restart.
    Any other failure of an evaluation is logged and written as an ``error`` row too.
    ``threads`` sets torch's threads (None leaves them); ``device`` ``auto`` means cuda when present.
    """
    from seigen.agents.pvnet import load_net
    from seigen.agents.runs import CheckpointError, latest_checkpoint

    if threads is not None:
        import torch

        torch.set_num_threads(threads)
    run_dir = Path(run_dir)
    device = resolve_device(device)
    stop = stop if stop is not None else threading.Event()
    rows = read_eval(run_dir)
    ladder = ladder_from_rows(rows)
    last_seen = Path(rows[-1].get("checkpoint", "")).name if rows else None
    done = [r for r in rows if not r.get("error") and "player" in r]
    last_time: float | None = done[-1].get("time") if done else None
    previous: Any = done[-1].get("checkpoint") if done else None  # a path until loaded
    count = 0
    while not stop.is_set():
        latest = latest_checkpoint(run_dir)
        due = last_time is None or time.time() - last_time >= 60.0 * every_minutes
        if latest is None or latest.name == last_seen or not due:
            _pause(stop, poll_seconds)
            continue
        try:
            net, meta = load_net(latest, device)
            _game_settings(meta)
        except (CheckpointError, ValueError) as e:
            if not latest.exists():
                _pause(stop, poll_seconds)
                continue  # removed under us (an old checkpoint dropped): look again
            log.warning("skipping checkpoint %s: %s", latest.name, e)
            append_eval(run_dir, {"checkpoint": str(latest), "time": round(time.time(), 3), "error": str(e)})
            last_seen = latest.name
            continue
        if isinstance(previous, str) and not Path(previous).exists():
            previous = None  # deleted since (old checkpoints are dropped): no match against it
        step = int(meta.get("step", 0))
        try:
            row = _evaluate(
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
            )
        except Exception as e:  # the loop outlives a bad net or a bug: the row says what happened
            log.exception("evaluating %s failed", latest.name)
            append_eval(
                run_dir,
                {
                    "checkpoint": str(latest),
                    "time": round(time.time(), 3),
                    "error": f"{type(e).__name__}: {e}",
                },
            )
            last_seen = latest.name
            continue
        if row.get("interrupted"):
            break
        append_eval(run_dir, row)
        log.info(
            "evaluated %s: elo %s [%s, %s]; %s",
            row["player"],
            row.get("elo"),
            row.get("elo_low"),
            row.get("elo_high"),
            ", ".join(f"{k} {v.get('wdl', v.get('error'))}" for k, v in row["vs"].items()),
        )
        last_seen, last_time = latest.name, row["time"]
        previous = (net, meta)
        count += 1
        if max_evaluations is not None and count >= max_evaluations:
            break
    return count
