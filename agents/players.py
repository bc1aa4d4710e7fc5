"""Players by name for ``seigen gtp`` and ``seigen analysis``, a trained net's included.

::

    player = make_player("mcts", playouts=2000)
    player = make_player("net", model="runs/go9", playouts=800, device="auto")
    player = make_player("net")  # the 9x9 net that ships with seigen
    player = make_player("hybrid", playouts=20000)  # the mcts player guided by that net
    player = load_net_player("runs/go9/checkpoints/step-000100000.pt", visits=400)

The players themselves live in ``seigen.engine.players``; this module adds what the
engine must not know: reading a trained net from a run directory or checkpoint file
(``load_net_player``). Importing it loads no torch; a ``net`` player does.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from seigen.engine.players import MCTSPlayer, NetPlayer, Player, RandomPlayer, RolloutPlayer
from seigen.engine.uct import GuideConfig, UctConfig, UctPlayer, UctPriors

__all__ = ["NET_MIX", "load_guide_net", "load_net_player", "make_player"]

NET_MIX = 0.5
"""The net player's share of playouts in its leaf values when none is given (AlphaGo's
lambda): at 0.5 s a move on one core, the shipped net with it beat the same net alone 91-1-8
(docs/strength/net05s-mix0.5-vs-mix0), for 7% fewer visits a move."""


def load_net_player(path: str | os.PathLike, **kwargs: Any) -> NetPlayer:
    """The ``NetPlayer`` of a run directory (its latest checkpoint) or a checkpoint file.

    ``kwargs`` go to ``NetPlayer`` (``visits``, ``seed``, ``device``, ``c_puct``, ...).
    Raises ``seigen.agents.runs.CheckpointError`` for a bad file and ``ValueError`` for a
    net that does not play Go.
    """
    net, game = _load_go_net(path)
    return NetPlayer(net=net, game=game, **kwargs)


def _load_go_net(path: str | os.PathLike) -> tuple[Any, dict]:
    """A checkpoint's net (on the cpu) and game, refused unless the game is Go."""
    from seigen.agents.pvnet import load_net

    net, meta = load_net(path, device="cpu")
    game = dict(meta.get("game") or {})
    if game.get("name") != "go":
        raise ValueError(f"{meta.get('path', path)}: a {game.get('name', 'non-Go')} net, not a Go one")
    return net, game


SHIPPED_NETS = {9: "go9x9.pt"}
"""The Go nets that ship with seigen (package data in ``seigen/agents/data``), by board size:
what ``--player net`` plays without ``--model``. ``scripts/ship_net.py`` writes them;
``docs/models`` has their model cards."""


def shipped_net_path(size: int = 9) -> Path:
    """Where the net that seigen ships for ``size`` x ``size`` Go lives in the package (whether or not it is there)."""
    if size not in SHIPPED_NETS:
        raise ValueError(
            f"seigen ships no {size}x{size} net (it ships {', '.join(f'{n}x{n}' for n in SHIPPED_NETS)})"
        )
    return Path(str(resources.files("seigen.agents") / "data" / SHIPPED_NETS[size]))


def shipped_net(size: int = 9) -> Path | None:
    """The file of the net that seigen ships for ``size`` x ``size`` Go (None: none for that size)."""
    if size not in SHIPPED_NETS:
        return None
    path = shipped_net_path(size)
    return path if path.is_file() else None


def load_guide_net(
    path: str | os.PathLike, device: str | None = None, precision: str = "fp32"
) -> tuple[Any, dict]:
    """A Go net to guide the mcts player (``UctPlayer(net=...)``): its ``NetEvaluator`` and
    its game (size, komi, rules), from a run directory or checkpoint file; ``precision`` as
    ``NetEvaluator``'s. Raises
    ``seigen.agents.runs.CheckpointError`` for a bad file and ``ValueError`` for a net that
    does not play Go."""
    from seigen.engine.search import NetEvaluator

    net, game = _load_go_net(path)
    return NetEvaluator(net, device=device, precision=precision), game


PLAYERS = ("random", "rollout", "mcts", "hybrid", "puct", "net")
"""The players ``make_player`` knows, as ``seigen gtp --player`` names them."""


def make_player(
    kind: str,
    *,
    playouts: int = 10_000,
    threads: int = 1,
    seed: int = 0,
    resign_threshold: float = 0.05,
    evaluator: str = "rollout",
    playout: str | None = None,
    c_puct: float | None = None,
    model: str | None = None,
    device: str | None = None,
    uct: Sequence[str] = (),
    priors: Sequence[str] = (),
    parallel: str = "root",
    mix: float | None = None,
    guide: Sequence[str] = (),
    precision: str = "fp32",
) -> Player:
    """A player by name: ``random``, ``rollout`` (flat Monte Carlo), ``mcts`` (UCT-RAVE with
    priors in C, ``seigen.engine.uct``), ``puct`` (the batched PUCT search with rollouts,
    the search of the net player) or ``net`` (``model``: a run directory or checkpoint of a
    Go net, by default the 9x9 net that ships with seigen, ``shipped_net``; ``device``: ``auto``
    or None, the default, is cuda when present).

    ``playout``: ``light`` or ``heavy`` playouts of the rollout, mcts and puct players
    (None: heavy for mcts, light for the others); ``threads``: search threads of the
    rollout and mcts players; ``uct`` and ``priors``: the mcts player's settings as
    ``KEY=VALUE`` items (``UctConfig.with_settings``, ``UctPriors.with_settings``);
    ``parallel``: how its threads share the work (``root`` or ``shared``); ``mix``: the net
    player's share of playouts in its leaf values (AlphaGo's lambda; None: ``NET_MIX``, 0:
    the net alone; ``playout`` chooses them, heavy by default). ``hybrid`` is the mcts
    player with a net's policy as prior knowledge in its tree (``model`` as for ``net``;
    ``guide``: ``GuideConfig`` items ``KEY=VALUE``), AlphaGo's policy priors over classic
    playouts. ``precision``: the net's of ``net`` and ``hybrid`` (``fp32``, ``bf16`` or
    ``auto``, ``resolve_precision``).

    Raises ``ValueError`` for anything wrong with the arguments, a bad model file included."""
    if mix and kind != "net":
        raise ValueError(f"--mix mixes a net's values with playouts: it goes with --player net, not {kind}")
    if kind == "random":
        return RandomPlayer(seed)
    if kind == "rollout":
        return RolloutPlayer(
            playouts=playouts,
            threads=threads,
            seed=seed,
            resign_threshold=resign_threshold,
            playout=playout or "light",
        )
    if guide and kind != "hybrid":
        raise ValueError(
            f"--guide sets how a net guides the mcts tree: it goes with --player hybrid, not {kind}"
        )
    if kind in ("mcts", "hybrid"):
        extra_uct: dict[str, Any] = {}
        if kind == "hybrid":
            extra_uct = {"guide": GuideConfig().with_settings(guide), "name": "hybrid"}
            extra_uct["net"], extra_uct["game"] = _net_for(model, device, precision)
        return UctPlayer(
            playouts=playouts,
            threads=threads,
            parallel=parallel,
            seed=seed,
            resign_threshold=resign_threshold,
            config=UctConfig(playout=playout or "heavy").with_settings(uct),
            priors=UctPriors().with_settings(priors),
            **extra_uct,
        )
    extra = {} if c_puct is None else {"c_puct": c_puct}
    if kind == "puct":
        return MCTSPlayer(
            visits=playouts,
            evaluator=evaluator,
            seed=seed,
            resign_threshold=resign_threshold,
            playout=playout or "light",
            **extra,
        )
    if kind == "net":
        mix = NET_MIX if mix is None else mix
        if mix:
            extra |= {"mix": mix, "playout": playout or "heavy"}
        model = _model_or_shipped(model, kind)
        from seigen.agents.runs import CheckpointError

        try:
            return load_net_player(
                model,
                visits=playouts,
                seed=seed,
                resign_threshold=resign_threshold,
                device=device,
                precision=precision,
                **extra,
            )
        except CheckpointError as e:
            raise ValueError(str(e)) from None
    raise ValueError(f"unknown player {kind!r}; expected {', '.join(PLAYERS)}")


def _model_or_shipped(model: str | os.PathLike | None, kind: str) -> str | os.PathLike:
    if model is None:
        model = shipped_net(9)
    if model is None:
        raise ValueError(
            f"player {kind!r} needs a trained network and this install ships none: give --model RUN_DIR_OR_CHECKPOINT"
        )
    return model


def _net_for(model: str | os.PathLike | None, device: str | None, precision: str) -> tuple[Any, dict]:
    from seigen.agents.runs import CheckpointError

    try:
        return load_guide_net(_model_or_shipped(model, "hybrid"), device, precision)
    except CheckpointError as e:
        raise ValueError(str(e)) from None
