"""Trained agents behind one face: ``load_agent(path).act(observation) -> action``.

``act`` takes a PettingZoo classic observation (``{"observation": ..., "action_mask": ...}``)
of the game the agent knows: ``tictactoe_v3``, ``connect_four_v3``, or for Go
``pettingzoo.classic.go_v5`` (``board_size`` = the net's size) and ``seigen.envs.go_env``.
An AlphaZero agent rebuilds the native game from the observation alone
(``seigen.envs.observations``), searches it, and never returns a move that the
observation's mask forbids.

Every agent is also an arena agent (``seigen.engine.arena.Agent``): ``select(games)``
gives one move for each of many native games (``seigen.engine.games``), with one search
over all; ``act_game(game)`` is the same for one game. The search agents are
``seigen.engine.players.SearchPlayer``, the same player that ``seigen gtp`` runs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from seigen.engine.arena import OPENING_PLIES, MatchOutcome, play_match
from seigen.engine.games import GAMES, Game, game_spec, make_game
from seigen.engine.players import RandomPlayer, SearchPlayer
from seigen.engine.search import NetEvaluator, with_mix
from seigen.envs.observations import (
    GO_LAYOUTS,
    connect4_from_observation,
    go_from_observation,
    observation_parts,
    split_observation,
    tictactoe_from_observation,
)

RandomAgent = RandomPlayer
"""Uniformly random legal moves in the arena (the anchor of every Elo ladder, rated 0)."""

SearchAgent = SearchPlayer
"""A search with an evaluator (a net, or rollouts for the MCTS anchor) that plays the most
visited move (ties: higher prior) after ``visits`` simulations, no noise."""


def net_agent(
    net: Any, visits: int = 100, device: str | None = None, name: str = "net", mix: float = 0.0, **search: Any
) -> SearchPlayer:
    """A ``SearchPlayer`` over a policy-value net (``NetEvaluator`` on ``device``, default cuda
    when present); ``mix`` > 0 mixes heavy playouts into its leaf values (``with_mix``, Go)."""
    return SearchPlayer(with_mix(NetEvaluator(net, device=device), mix), visits, name=name, **search)


# ---------------------------------------------------------------------- AlphaZero


class AlphaZeroAgent(SearchPlayer):
    """A policy-value net with a search, for one game (``game``: the checkpoint's ``game`` dict).

    ``act(observation)`` plays in the matching PettingZoo env; ``select(games)`` and
    ``act_game(game)`` in native games. The agent is callable as ``agent(observation)``,
    so it can be an opponent of ``seigen.envs.classic.SingleAgentEnv``.
    """

    def __init__(
        self,
        net: Any,
        game: Mapping[str, Any],
        visits: int = 200,
        device: str | None = None,
        *,
        go_layout: str = "auto",
        name: str = "alphazero",
        **search: Any,
    ) -> None:
        super().__init__(NetEvaluator(net, device=device), visits, name=name, **search)
        self.net = net
        self.game = dict(game)
        self.meta: dict[str, Any] = {}  # the checkpoint's entries (step, path, ...) when loaded from a file
        if self.game.get("name") not in GAMES:
            raise ValueError(f"unknown game {self.game.get('name')!r}; expected one of {', '.join(GAMES)}")
        if go_layout not in GO_LAYOUTS:
            raise ValueError(
                f"unknown Go observation layout {go_layout!r}; expected one of {', '.join(GO_LAYOUTS)}"
            )
        self.go_layout = go_layout
        fresh = self.new_game()
        shape = tuple(fresh.feature_shape)
        self.num_actions = int(fresh.num_actions)
        c, h, w = shape
        self.observation_shape = (h, w, c)  # the PettingZoo observation it reads (channels last)
        self.source = {"tictactoe": "tictactoe_v3", "connect4": "connect_four_v3"}.get(
            self.game_name, f"Go {h}x{w} (go_v5 board_size={h})"
        )
        spec = getattr(getattr(net, "_orig_mod", net), "spec", None)
        if spec is not None and (spec.in_channels, spec.height, spec.width) != tuple(shape):
            raise ValueError(
                f"the net reads {spec.in_channels}x{spec.height}x{spec.width}, {self.game_name} has {shape}"
            )

    @property
    def game_name(self) -> str:
        return str(self.game["name"])

    @property
    def size(self) -> int | None:
        """The board size of a game played on several (Go; None for the other games)."""
        return int(self.game.get("size", 9)) if game_spec(self.game_name).sized else None

    def new_game(self) -> Game:
        """A fresh native game of the agent's kind (Go: its size, rules, komi and move cap)."""
        g = self.game
        return make_game(
            self.game_name,
            size=int(g.get("size", 9)),
            komi=g.get("komi"),
            rules=g.get("rules") or "chinese",
            max_moves=g.get("max_moves"),
        )

    def game_from_observation(self, observation: Any) -> Game:
        """The native game that an observation of the agent's game shows (``ValueError`` if none)."""
        if self.game_name == "tictactoe":
            return tictactoe_from_observation(observation)
        if self.game_name == "connect4":
            return connect4_from_observation(observation)
        observation_parts(observation, self.observation_shape, self.num_actions, self.source)
        return go_from_observation(
            observation,
            rules=self.game.get("rules") or "chinese",
            komi=self.game.get("komi"),
            max_moves=self.game.get("max_moves"),
            layout=self.go_layout,
        )

    def act(self, observation: Any) -> int:
        """The move for a PettingZoo observation of the player to move; always one its mask allows."""
        _, mask = observation_parts(observation, self.observation_shape, self.num_actions, self.source)
        if not mask.any():
            raise ValueError("the action_mask allows no move: the observation is not for the player to move")
        game = self.game_from_observation(observation)
        return self._choose(game, mask)

    __call__ = act

    def act_game(self, game: Game) -> int:
        return self._choose(game, game.legal_mask().astype(bool))

    def _choose(self, game: Game, allowed: np.ndarray) -> int:
        """The most visited root move (ties: higher prior) that ``allowed`` and the game both permit."""
        if game.is_terminal():
            raise ValueError("the game is over: there is no move to choose")
        legal = game.legal_mask().astype(bool) & allowed
        choices = np.flatnonzero(legal)
        if choices.size == 0:
            raise ValueError("no move is legal both in the game and in the action mask")
        if choices.size == 1:
            return int(choices[0])
        result = self.search_games([game])[0]
        actions, visits, _, prior, valid = result.root
        ok = valid & legal[actions]
        if not ok.any():
            return int(choices[0])
        order = np.lexsort((-prior, -visits))
        return int(actions[order[np.flatnonzero(ok[order])[0]]])


# ---------------------------------------------------------------------- model-free agents

DQN_GAMES = {spec.gym_id: spec.name for spec in GAMES.values() if spec.gym_id is not None}
"""The registry's games by the Gymnasium id of their single-agent env (``seigen/Go-v0``: ``go``)."""


class ModelFreeAgent:
    """A trained model-free policy (DQN, PPO, A2C): ``act(observation)`` for its env's
    observations (a PettingZoo dict with ``action_mask``, or a bare array), and for the board
    game it was trained on ``select(games)``, ``act_game(game)`` and ``new_game()`` on native
    games, whose features (channels last) are the env's observations. So it plays in the match
    harness, ``seigen play`` and ``seigen bench agents`` like an AlphaZero agent. Subclasses
    give ``policy(obs [B, ...], masks [B, A] or None) -> actions [B]``."""

    def __init__(self, config: Any, obs_shape: Sequence[int], num_actions: int | None, name: str) -> None:
        self.config = config
        self.name = name
        self.obs_shape = tuple(int(x) for x in obs_shape)
        self.num_actions = num_actions
        game = DQN_GAMES.get(config.env)
        self.game: dict[str, Any] | None = None
        if game is not None and game_spec(game).sized:  # observations are [N, N, C]
            self.game = {"name": game, "size": self.obs_shape[0], "komi": None, "rules": "chinese"}
        elif game is not None:
            self.game = {"name": game}

    def policy(self, obs: np.ndarray, masks: np.ndarray | None) -> np.ndarray:
        raise NotImplementedError

    def act(self, observation: Any) -> Any:
        obs, mask = split_observation(observation, self.obs_shape, self.num_actions, self.config.env)
        action = self.policy(obs[None], None if mask is None else mask[None])[0]
        return int(action) if self.num_actions is not None else action

    __call__ = act

    def select(self, games: Sequence[Game]) -> list[int]:
        """Moves in native games: their features, channels last, are the env's observations."""
        if not games:
            return []
        obs = np.stack([np.moveaxis(g.features(), 0, -1) for g in games])
        if obs.shape[1:] != self.obs_shape:
            raise ValueError(
                f"this agent reads observations of shape {self.obs_shape}, the games give {obs.shape[1:]}"
            )
        masks = np.stack([g.legal_mask() for g in games]).astype(bool)
        return [int(a) for a in self.policy(obs, masks)]

    def act_game(self, game: Game) -> int:
        return self.select([game])[0]

    def new_game(self) -> Game:
        if self.game is None:
            raise ValueError(f"this agent plays {self.config.env}, not a board game")
        return make_game(self.game["name"], size=self.game.get("size", 9))


class DQNAgent(ModelFreeAgent):
    """A trained DQN, greedy within the legal moves (see ``ModelFreeAgent``)."""

    def __init__(self, dqn: Any, config: Any, name: str = "dqn") -> None:
        super().__init__(config, dqn.obs_shape, int(dqn.num_actions), name)
        self.dqn = dqn

    def policy(self, obs: np.ndarray, masks: np.ndarray | None) -> np.ndarray:
        return self.dqn.greedy(obs, masks)


class ActorCriticAgent(ModelFreeAgent):
    """A trained PPO or A2C policy (see ``ModelFreeAgent``): the most likely action (the
    Gaussian's mean for continuous actions, which ``act`` returns as an array) unless
    ``deterministic`` is False."""

    def __init__(self, learner: Any, name: str = "ppo", deterministic: bool = True) -> None:
        super().__init__(learner.cfg, learner.obs_shape, learner.action.get("n"), name)
        self.learner = learner
        self.deterministic = deterministic

    def policy(self, obs: np.ndarray, masks: np.ndarray | None) -> np.ndarray:
        return self.learner.predict(obs, masks, self.deterministic)

    def match(self, opponent: Any, games: int, seed: int = 0) -> MatchOutcome:
        """A match against ``opponent`` (anything with ``select(games)``) in the arena's lock-step harness."""
        if self.game is None:
            raise ValueError(f"{self.config.env} is not a board game")
        name = self.game["name"]
        return play_match(
            self,
            opponent,
            name,
            games,
            size=self.game.get("size", 9),
            opening_moves=OPENING_PLIES.get(name, 2),
            seed=seed,
        )


def _load_dqn(checkpoint: Path, state: dict[str, Any], device: str | None) -> DQNAgent:
    from seigen.agents.dqn import DQN
    from seigen.agents.dqn_config import DQNConfig
    from seigen.agents.runs import CheckpointError, pick_device, read_run_config

    run_dir = checkpoint.parent.parent if checkpoint.parent.name == "checkpoints" else checkpoint.parent
    cfg = read_run_config(run_dir, DQNConfig, "DQN", "env")
    try:
        dqn = DQN(cfg, tuple(state["obs_shape"]), int(state["num_actions"]), pick_device(device))
        dqn.load_state_dict(state)
    except (KeyError, TypeError, RuntimeError, ValueError) as e:
        raise CheckpointError(f"{checkpoint}: does not match the run's network ({e})") from None
    dqn.q.eval()
    return DQNAgent(dqn, cfg)


def load_agent(
    path: str | Path, visits: int = 200, device: str | None = None, **search: Any
) -> AlphaZeroAgent | ModelFreeAgent:
    """The agent of a run directory (its latest checkpoint) or of a checkpoint file.

    An AlphaZero checkpoint gives an ``AlphaZeroAgent`` searching ``visits`` simulations
    per move (``search``: ``c_puct``, ``fpu_reduction``, ``leaves_per_tree``, ``seed``,
    ``go_layout``, ``name``); a DQN checkpoint (its run's ``config.json`` beside it) a
    greedy ``DQNAgent``; a PPO or A2C checkpoint an ``ActorCriticAgent`` (the most likely action). ``device``: default cuda when present. Anything else is a
    ``CheckpointError`` naming the file.
    """
    from seigen.agents.runs import CheckpointError, checkpoint_file, load_checkpoint

    path = checkpoint_file(path)
    state = load_checkpoint(path)
    kind = state.get("kind")
    if kind == "alphazero":
        from seigen.agents.pvnet import net_from_state

        net, meta = net_from_state(state, path)
        try:
            agent = AlphaZeroAgent(net, meta.get("game") or {}, visits, device, **search)
        except ValueError as e:
            raise CheckpointError(f"{path}: {e}") from None
        agent.meta = {k: v for k, v in meta.items() if k != "model"}
        return agent
    if kind in (None, "dqn") and "q" in state and "obs_shape" in state:
        return _load_dqn(path, state, device)
    if kind == "actor_critic":
        from seigen.agents.ppo import config_from_run, learner_from_state

        run_dir = path.parent.parent if path.parent.name == "checkpoints" else path.parent
        cfg = config_from_run(run_dir)
        return ActorCriticAgent(learner_from_state(state, cfg, path, device), name=cfg.algo)
    raise CheckpointError(
        f"{path}: not an agent checkpoint (kind {kind!r}; expected alphazero or a DQN run's)"
    )
