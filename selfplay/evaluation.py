"""The evaluation of one net: matches against the anchors, rated on an Elo ladder.

::

    row = evaluate_checkpoint("runs/c4/checkpoints/step-000001000.pt", previous=older, games=20)
    row["vs"]["random"]["win_rate"], row["elo"], row["elo_low"], row["elo_high"]

**Matches** are the lock-step ones of ``seigen.engine.arena`` (``play_match``: colours
alternating, paired random openings of ``OPENING_PLIES`` plies) and **ratings** come from
the Bradley-Terry ladder of ``seigen.engine.ratings`` (``EloLadder``, ``random`` = 0);
each match's result has the keys of ``seigen.engine.ratings.head_to_head``.

A net (:func:`evaluate_checkpoint`, :func:`evaluate_net`) plays ``random``, the rollout
MCTS anchor (a search with random-playout values at the same visits,
``mcts-rollout-<visits>``; for Go the playouts fill no own eye and the prior discourages
eye-filling and passing) and the previous evaluated net; optionally (Go) GNU Go
(``seigen.selfplay.gnugo``). The net plays as ``step-<N>``.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from seigen.engine.arena import OPENING_PLIES, play_match
from seigen.engine.devices import resolve_device
from seigen.engine.files import append_jsonl
from seigen.engine.games import GAMES
from seigen.engine.ratings import EloLadder
from seigen.selfplay.gnugo import gnugo_match

log = logging.getLogger(__name__)


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


def game_settings(meta: dict[str, Any]) -> dict[str, Any]:
    """The game of a net's checkpoint dict as ``play_match`` takes it (``game_name``, ``size``,
    ``komi``, ``rules``, ``max_moves``); ``ValueError`` for a game seigen does not know."""
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


def evaluate_checkpoint(path: str | os.PathLike, *, device: str = "cpu", **options: Any) -> dict[str, Any]:
    """Rate one checkpoint (or a run directory's latest) against the anchors: :func:`evaluate_net`
    of its net, with the same ``options``; ``CheckpointError`` when ``path`` does not load."""
    from seigen.agents.pvnet import load_net

    device = resolve_device(device)
    net, meta = load_net(path, device)
    return evaluate_net(net, meta, device=device, **options)


def evaluate_net(
    net: Any,
    meta: dict[str, Any],
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
    teacher: tuple[str, int] | None = None,
    mix: float = 0.0,
) -> dict[str, Any]:
    """Rate a loaded net (``load_net``'s ``(net, meta)``) against the anchors; a JSON-ready row.

    Matches of ``games`` games (colours alternating, ``opening_moves`` random plies per
    pair, default :data:`OPENING_PLIES`) against ``random``, ``mcts-rollout-<visits>`` and
    ``previous`` (a checkpoint path, or a ``(net, meta)`` pair from ``load_net``); with
    ``gnugo`` (Go only) also ``gnugo_games`` games against GNU Go at ``gnugo_level``
    through ``seigen gtp --player net``; with ``teacher`` ``(kind, simulations)`` (Go) also
    ``games`` games against that classic player (``seigen.selfplay.teacher``), rated as
    ``<kind>-<simulations>``. The results go into ``ladder`` (a fresh one when None) and the
    row gives the net's rating from the whole ladder. ``mix``: the nets' leaf values mixed
    with heavy playouts (``seigen.engine.search.with_mix``), as in the run's self-play.

    The row: ``step``, ``player`` (``step-<N>``), ``checkpoint``, ``game``, ``visits``,
    ``games``, ``opening_moves``, ``time`` (start, seconds since the epoch), ``seconds``;
    ``vs``: per opponent the W-D-L, win rate with Wilson interval and the match's own Elo
    difference (``seigen.engine.ratings.head_to_head``), or ``{"error": ...}``; ``elo``,
    ``elo_low``, ``elo_high`` (the ladder's, relative to random); ``ladder``: every rated
    player's ``elo`` and interval; ``interrupted`` when ``should_stop`` cut it short
    (then the ladder is left unchanged); with ``games_file``, the games go there as JSON lines.
    """
    from seigen.agents.agent import RandomAgent, net_agent
    from seigen.agents.pvnet import load_net
    from seigen.agents.runs import CheckpointError

    started_wall, started = time.time(), time.monotonic()
    settings = game_settings(meta)
    game_name = settings["game_name"]
    if opening_moves is None:
        opening_moves = OPENING_PLIES[game_name]
    name = player_name(meta)
    me = net_agent(net, visits, device, name=name, seed=seed, mix=mix)
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
            if game_settings(prev_meta)["game_name"] != game_name:
                raise CheckpointError(
                    f"{prev_meta.get('path')}: a net for {game_settings(prev_meta)['game_name']}"
                )
            opponents.append(net_agent(prev_net, visits, device, name=prev_name, seed=seed + 2, mix=mix))
        except (CheckpointError, ValueError) as e:
            vs["previous"] = {"error": str(e)}
            log.warning("previous net not played: %s", e)
    if teacher is not None:
        from seigen.agents.players import make_player

        if game_name != "go":
            raise ValueError(f"the {teacher[0]} teacher plays Go only, not {game_name}")
        classic = make_player(teacher[0], playouts=teacher[1], seed=seed + 3)
        classic.name = f"{teacher[0]}-{teacher[1]}"
        opponents.append(classic)
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
            key, result = gnugo_match(
                meta, settings, gnugo_games, visits, gnugo_level, should_stop, device, mix
            )
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
