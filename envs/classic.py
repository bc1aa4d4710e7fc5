"""Two-player PettingZoo games as single-agent Gymnasium envs, for learners that train against an opponent.

``SingleAgentEnv(aec_env_fn, opponent, learner_side, seed)`` wraps any two-player AEC game whose
observations are ``{"observation": array, "action_mask": int8 [A]}`` (PettingZoo's classic games
such as ``tictactoe_v3`` and ``connect_four_v3``, and ``seigen.envs.go_env``):

* the learner's observation is the game's ``"observation"`` array for the learner (its
  observation space is the game's); the legal moves are in ``info["action_mask"]`` at reset and
  after every step,
* ``step(action)`` plays the learner's move and then the opponent's moves until the learner is
  to move again or the game is over; the reward is the learner's reward over that span,
* an action the mask forbids raises ``ValueError``: the learner must respect the mask,
* the opponent is ``"random"`` (uniform over legal moves), any ``callable(obs_dict) -> action``
  (``obs_dict`` is the game's observation for the opponent, mask included), or an
  ``OpponentPool`` of past selves, one of which is drawn at every reset.

The action space is a ``MaskedDiscrete``: ``env.action_space.sample()`` draws a legal move of the
current position (what a random agent and Gymnasium's ``check_env`` call). The ids
``seigen/TicTacToe-v0``, ``seigen/ConnectFour-v0`` and ``seigen/Go-v0`` (``size=``, ``rules=``, ...
for Go) are registered with Gymnasium, so ``make_env`` and ``make_vector_env`` take them.

All randomness (the learner's side when ``"random"``, the random opponent, the pool draw, the
game's own seed) comes from the env's ``np_random``, so ``reset(seed=...)`` fixes an episode.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any, Literal

import gymnasium as gym
import numpy as np

Policy = Callable[[dict[str, np.ndarray]], int]
Side = Literal["first", "second", "random"]
SIDES = ("first", "second", "random")


class OpponentPool:
    """The learner's past selves: up to ``max_size`` policies, the oldest dropped first.

    ``add`` takes a frozen snapshot (a callable ``obs_dict -> action``; copy the network's weights
    before adding it, the pool does not). ``sample`` draws the ``latest`` policy (the learner
    as it is now, when one is set) with probability ``latest_prob`` (always while there are no
    past selves), else a past self uniformly at random. ``SingleAgentEnv`` draws one per
    episode and falls back to a random player while the pool can draw nothing.
    """

    def __init__(self, max_size: int = 10, latest: Policy | None = None, latest_prob: float = 0.0) -> None:
        if max_size < 1:
            raise ValueError(f"max_size must be >= 1, got {max_size}")
        if not 0 <= latest_prob <= 1:
            raise ValueError(f"latest_prob must be in [0, 1], got {latest_prob}")
        if latest is not None and not callable(latest):
            raise TypeError(f"the latest policy must be callable(obs_dict) -> action, got {latest!r}")
        self.max_size = max_size
        self.latest = latest
        self.latest_prob = latest_prob
        self._policies: deque[Policy] = deque(maxlen=max_size)

    def add(self, policy: Policy) -> None:
        if not callable(policy):
            raise TypeError(f"an opponent must be callable(obs_dict) -> action, got {policy!r}")
        self._policies.append(policy)

    def sample(self, rng: np.random.Generator) -> Policy:
        if not self.ready:
            raise ValueError("the opponent pool is empty")
        if self.latest is not None and (not self._policies or rng.random() < self.latest_prob):
            return self.latest
        return self._policies[int(rng.integers(len(self._policies)))]

    @property
    def ready(self) -> bool:
        """Whether ``sample`` has a policy to draw."""
        return bool(self._policies) or self.latest is not None

    @property
    def policies(self) -> list[Policy]:
        return list(self._policies)

    def __len__(self) -> int:
        return len(self._policies)


class MaskedDiscrete(gym.spaces.Discrete):
    """``Discrete(n)`` whose ``sample()`` without a mask draws a legal action of the current position.

    ``legal`` is the env's int8 mask, updated in place after every reset and step, so a random
    agent (or ``check_env``) calling ``env.action_space.sample()`` never plays an illegal move.
    ``contains`` is unchanged: legality is the env's business.
    """

    def __init__(self, n: int, legal: np.ndarray, seed: int | None = None) -> None:
        super().__init__(n, seed=seed)
        self.legal = legal

    def sample(self, mask: np.ndarray | None = None, probability: np.ndarray | None = None) -> np.int64:
        if mask is None and probability is None and self.legal.any():
            mask = self.legal
        return super().sample(mask=mask, probability=probability)


class SingleAgentEnv(gym.Env):
    """A two-player AEC game seen by one learner, the opponent moving inside ``step`` (see the module docstring)."""

    metadata = {"render_modes": []}  # noqa: RUF012 -- Gymnasium's convention
    render_mode = None

    def __init__(
        self,
        aec_env_fn: Callable[[], Any],
        opponent: str | Policy | OpponentPool = "random",
        learner_side: Side = "first",
        seed: int | None = None,
    ) -> None:
        if learner_side not in SIDES:
            raise ValueError(f"unknown learner_side {learner_side!r}; expected one of {', '.join(SIDES)}")
        if isinstance(opponent, str) and opponent != "random":
            raise ValueError(
                f"unknown opponent {opponent!r}; expected 'random', a callable or an OpponentPool"
            )
        if not isinstance(opponent, str | OpponentPool) and not callable(opponent):
            raise TypeError(f"an opponent must be 'random', a callable or an OpponentPool, got {opponent!r}")
        self.aec = aec_env_fn()
        self.aec.reset(seed=seed)
        agents = list(self.aec.possible_agents)
        if len(agents) != 2:
            raise ValueError(f"SingleAgentEnv needs a two-player game, got agents {agents}")
        self.agents = agents
        space = self.aec.observation_space(agents[0])
        if not isinstance(space, gym.spaces.Dict) or "action_mask" not in space.spaces:
            raise ValueError("the game's observations must be dicts with 'observation' and 'action_mask'")
        self.observation_space = space["observation"]
        game_actions = self.aec.action_space(agents[0])
        if not isinstance(game_actions, gym.spaces.Discrete) or game_actions.start != 0:
            raise ValueError(f"SingleAgentEnv needs Discrete(n) actions, got {game_actions}")
        self._mask = np.zeros(int(game_actions.n), dtype=np.int8)  # updated in place
        self.action_space = MaskedDiscrete(int(game_actions.n), self._mask)
        self.opponent = opponent
        self.learner_side = learner_side
        self.learner = agents[0]
        self.opponent_policy: Policy | None = None  # the opponent of the current episode
        self._done = True
        self._seed = seed

    # ------------------------------------------------------------------ helpers
    def _random_move(self, obs: dict[str, np.ndarray]) -> int:
        legal = np.flatnonzero(obs["action_mask"])
        return int(legal[self.np_random.integers(len(legal))])

    def _game_over(self) -> bool:
        return bool(self.aec.terminations[self.learner] or self.aec.truncations[self.learner])

    def _play_opponent(self) -> float:
        """Opponent moves until the learner is to move or the game ends; the learner's reward meanwhile."""
        reward = 0.0
        while not self._game_over() and self.aec.agent_selection != self.learner:
            agent = self.aec.agent_selection
            obs = self.aec.observe(agent)
            action = int(self.opponent_policy(obs))
            if not (0 <= action < len(obs["action_mask"]) and obs["action_mask"][action]):
                raise ValueError(f"the opponent chose the illegal action {action}")
            self.aec.step(action)
            reward += float(self.aec.rewards[self.learner])
        return reward

    def _observe(self) -> tuple[np.ndarray, dict[str, Any]]:
        obs = self.aec.observe(self.learner)
        self._mask[:] = obs["action_mask"]
        return np.array(obs["observation"], copy=True), {"action_mask": self._mask.copy()}

    # ------------------------------------------------------------------ Gymnasium API
    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        if seed is None and self._seed is not None:
            seed, self._seed = self._seed, None
        super().reset(seed=seed)
        side = self.learner_side
        if side == "random":
            side = SIDES[int(self.np_random.integers(2))]
        self.learner = self.agents[0 if side == "first" else 1]
        if isinstance(self.opponent, OpponentPool):
            self.opponent_policy = (
                self.opponent.sample(self.np_random) if self.opponent.ready else self._random_move
            )
        elif self.opponent == "random":
            self.opponent_policy = self._random_move
        else:
            self.opponent_policy = self.opponent
        self.aec.reset(seed=int(self.np_random.integers(2**31 - 1)))
        self._play_opponent()
        self._done = self._game_over()
        return self._observe()

    def step(self, action):
        if self._done:
            raise RuntimeError("the episode is over: call reset()")
        a = int(action)
        if not (0 <= a < len(self._mask) and self._mask[a]):
            raise ValueError(f"illegal action {a}: the learner must respect info['action_mask']")
        self.aec.step(a)
        reward = float(self.aec.rewards[self.learner])
        reward += self._play_opponent()
        terminated = bool(self.aec.terminations[self.learner])
        truncated = bool(self.aec.truncations[self.learner]) and not terminated
        self._done = terminated or truncated
        obs, info = self._observe()
        return obs, reward, terminated, truncated, info

    def close(self) -> None:
        self.aec.close()


# ---------------------------------------------------------------------- registered ids

GAMES = ("tictactoe", "connect_four", "go")
ENV_IDS = {"tictactoe": "seigen/TicTacToe-v0", "connect_four": "seigen/ConnectFour-v0", "go": "seigen/Go-v0"}


def game_fn(game: str, **game_kwargs: Any) -> Callable[[], Any]:
    """A constructor of the AEC game: ``tictactoe`` (tictactoe_v3), ``connect_four`` (connect_four_v3)
    or ``go`` (``seigen.envs.go_env``; ``game_kwargs`` are its size, rules, komi, max_moves)."""
    if game == "tictactoe":
        from pettingzoo.classic import tictactoe_v3 as module
    elif game == "connect_four":
        from pettingzoo.classic import connect_four_v3 as module
    elif game == "go":
        from seigen.envs import go_env as module
    else:
        raise ValueError(f"unknown game {game!r}; expected one of {', '.join(GAMES)}")
    if game != "go" and game_kwargs:
        raise TypeError(f"{game} takes no options, got {sorted(game_kwargs)}")

    def make() -> Any:
        return module.env(**game_kwargs)

    return make


def make_game_env(
    game: str,
    opponent: str | Policy | OpponentPool = "random",
    learner_side: Side = "first",
    seed: int | None = None,
    render_mode: str | None = None,
    **game_kwargs: Any,
) -> SingleAgentEnv:
    """``SingleAgentEnv`` on a named game: the entry point of the registered ``seigen/*`` ids."""
    if render_mode is not None:
        raise ValueError(f"SingleAgentEnv does not render (render_mode={render_mode!r})")
    return SingleAgentEnv(
        game_fn(game, **game_kwargs), opponent=opponent, learner_side=learner_side, seed=seed
    )


def register_envs() -> None:
    """Register ``seigen/TicTacToe-v0``, ``seigen/ConnectFour-v0`` and ``seigen/Go-v0`` (idempotent).

    ``gym.make("seigen/Go-v0", size=9, opponent=pool)`` then works, and so do ``make_env`` and
    ``make_vector_env`` (whose infos batch ``info["action_mask"]`` to ``[num_envs, A]``).
    """
    for game, env_id in ENV_IDS.items():
        if env_id not in gym.registry:
            gym.register(env_id, entry_point="seigen.envs.classic:make_game_env", kwargs={"game": game})
