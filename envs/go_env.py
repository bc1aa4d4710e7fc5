"""seigen's Go as a PettingZoo AEC environment, on the C board.

``env(size=9, rules="chinese", komi=None, max_moves=None, render_mode=None)`` (wrapped like
PettingZoo's classic games) or ``raw_env(...)``; board size and rules are parameters, never
module globals.

* Agents ``"black_0"`` (moves first) and ``"white_0"``.
* Actions: ``row * N + col`` (row 0 at the top, as ``Board`` indexes points), pass ``N * N``.
* Observations: ``{"observation": float32 [N, N, 17], "action_mask": int8 [N * N + 1]}``.
  The planes are ``Board.features`` moved to channels last (as PettingZoo's ``go_v5``): planes
  0-7 the observing agent's stones now and at the 7 previous positions, 8-15 the opponent's,
  16 all ones when the observer is black. For the agent to move this is exactly
  ``Board.features``. The mask is the legal moves of the agent to move and all zeros for the other.
* Rewards: at the end of the game only, +1 to the winner and -1 to the loser (0 each for a
  draw), by ``Board.score()`` -- area scoring (Tromp-Taylor) with the rules' komi. A preset with
  territory scoring (``"japanese"``) keeps its ko and suicide rules but is scored by area here:
  an env's reward must be exact, and territory needs dead stones.
* The game terminates at two passes in a row. It is truncated (rewards 0) after ``max_moves``
  moves, passes included; ``None`` means ``2 * N * N`` (AlphaGo Zero's 722 on 19x19).
* ``infos[agent]["score"]`` holds black's score minus white's once the game has terminated.
"""

from __future__ import annotations

from dataclasses import replace

import gymnasium
import numpy as np
from gymnasium import spaces
from gymnasium.utils import EzPickle
from pettingzoo import AECEnv
from pettingzoo.utils import wrappers
from pettingzoo.utils.agent_selector import AgentSelector

from seigen.engine.board import N_PLANES, Board
from seigen.engine.rules import Rules

AGENTS = ("black_0", "white_0")
HISTORY = 8  # positions per player in the feature planes


def env(**kwargs) -> AECEnv:
    """``raw_env`` with PettingZoo's usual wrappers: an illegal move loses (-1), order enforced."""
    e = raw_env(**kwargs)
    e = wrappers.TerminateIllegalWrapper(e, illegal_reward=-1)
    e = wrappers.AssertOutOfBoundsWrapper(e)
    e = wrappers.OrderEnforcingWrapper(e)
    return e


class raw_env(AECEnv, EzPickle):
    """Go on an ``N`` x ``N`` board under a rules preset (see the module docstring)."""

    metadata = {  # noqa: RUF012 -- PettingZoo's convention
        "render_modes": ["ansi", "human"],
        "name": "seigen_go_v0",
        "is_parallelizable": False,
        "render_fps": 2,
    }

    def __init__(
        self,
        size: int = 9,
        rules: Rules | str = "chinese",
        komi: float | None = None,
        max_moves: int | None = None,
        render_mode: str | None = None,
    ) -> None:
        EzPickle.__init__(
            self, size=size, rules=rules, komi=komi, max_moves=max_moves, render_mode=render_mode
        )
        super().__init__()
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(
                f"unknown render_mode {render_mode!r}; expected one of {self.metadata['render_modes']}"
            )
        rules = Rules.preset(rules) if isinstance(rules, str) else rules
        if komi is not None:
            rules = rules.with_komi(komi)
        self.rules = replace(rules, scoring="area")
        self.size = int(Board(size, rules=self.rules).size)  # validates the size
        self.max_moves = 2 * self.size * self.size if max_moves is None else int(max_moves)
        if self.max_moves < 1:
            raise ValueError(f"max_moves must be >= 1, got {max_moves}")
        self.render_mode = render_mode
        n = self.size
        self.num_moves = n * n + 1
        self.agents = list(AGENTS)
        self.possible_agents = list(AGENTS)
        self.observation_spaces = {
            a: spaces.Dict(
                {
                    "observation": spaces.Box(0.0, 1.0, shape=(n, n, N_PLANES), dtype=np.float32),
                    "action_mask": spaces.Box(0, 1, shape=(self.num_moves,), dtype=np.int8),
                }
            )
            for a in AGENTS
        }
        self.action_spaces = {a: spaces.Discrete(self.num_moves) for a in AGENTS}
        self._selector = AgentSelector(self.agents)
        self.board = Board(n, rules=self.rules)
        self._features = np.empty((N_PLANES, n, n), dtype=np.float32)

    def observation_space(self, agent: str) -> spaces.Space:
        return self.observation_spaces[agent]

    def action_space(self, agent: str) -> spaces.Space:
        return self.action_spaces[agent]

    # ------------------------------------------------------------------ AEC API
    def reset(self, seed: int | None = None, options: dict | None = None) -> None:
        if seed is not None:
            self._seed = seed  # the game is deterministic; kept for reference
        self.board = Board(self.size, rules=self.rules)
        self.agents = list(AGENTS)
        self._selector.reinit(self.agents)
        self.agent_selection = self._selector.reset()
        self.rewards = {a: 0.0 for a in self.agents}
        self._cumulative_rewards = {a: 0.0 for a in self.agents}
        self.terminations = {a: False for a in self.agents}
        self.truncations = {a: False for a in self.agents}
        self.infos = {a: {} for a in self.agents}

    def observe(self, agent: str) -> dict[str, np.ndarray]:
        self.board.features(self._features)
        planes = self._features
        mover = AGENTS[0] if self.board.to_play == "black" else AGENTS[1]
        if agent != mover:  # the other player's view: swap own/opponent planes, colour plane for it
            planes = planes.copy()
            planes[: 2 * HISTORY] = np.concatenate([planes[HISTORY : 2 * HISTORY], planes[:HISTORY]])
            planes[2 * HISTORY] = 1.0 if agent == AGENTS[0] else 0.0
        obs = np.ascontiguousarray(np.moveaxis(planes, 0, -1))
        if agent == self.agent_selection and not (self.terminations[agent] or self.truncations[agent]):
            mask = self.board.legal_mask().astype(np.int8)
        else:
            mask = np.zeros(self.num_moves, dtype=np.int8)
        return {"observation": obs, "action_mask": mask}

    def step(self, action: int) -> None:
        agent = self.agent_selection
        if self.terminations[agent] or self.truncations[agent]:
            self._was_dead_step(action)
            return
        self._cumulative_rewards[agent] = 0.0
        self.board.play(int(action))  # IllegalMoveError (a ValueError) when illegal
        self.rewards = {a: 0.0 for a in self.agents}
        if self.board.is_over:
            score = self.board.score()
            black = float(np.sign(score))
            self.rewards = {AGENTS[0]: black, AGENTS[1]: -black}
            self.terminations = {a: True for a in self.agents}
            for a in self.agents:
                self.infos[a] = {"score": score}
        elif self.board.move_number >= self.max_moves:
            self.truncations = {a: True for a in self.agents}
        self.agent_selection = self._selector.next()
        self._accumulate_rewards()
        if self.render_mode == "human":
            self.render()

    def render(self) -> str | None:
        if self.render_mode is None:
            gymnasium.logger.warn("You are calling render method without specifying any render mode.")
            return None
        text = str(self.board)
        if self.render_mode == "human":
            print(text)
            return None
        return text

    def close(self) -> None:
        pass
