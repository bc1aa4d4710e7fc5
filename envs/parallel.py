"""PettingZoo parallel envs (simultaneous moves) as one Gymnasium vector env: parameter sharing.

``ParallelVectorEnv(env_fn, copies)`` runs ``copies`` copies of a parallel env and gives each
(copy, agent) pair one slot of a vector env, so ``num_envs = copies * agents`` and a single
policy acts for every agent (parameter sharing, as in Terry et al. 2020). The slot of agent
``j`` of copy ``c`` is ``c * agents + j``. All agents must share one observation space and
one action space, and a copy's episode must end for all its agents at once (MPE and the
butterfly games do): the copy then resets in the same step, as Gymnasium's ``SAME_STEP``
autoreset does, with the last observations in ``infos["final_obs"]`` (flagged by
``infos["_final_obs"]``) and each agent's return and length in ``infos["episode"]``
(flagged by ``infos["_episode"]``), like ``RecordEpisodeStatistics``.

Env ids ``pz:MODULE`` (``pz:mpe2.simple_spread_v3``, ``pz:pettingzoo.butterfly.pistonball_v6``)
name a module with a ``parallel_env(**kwargs)`` function; ``seigen.envs.make_vector_env``
takes them, ``num_envs`` being the number of copies.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import gymnasium as gym
import numpy as np

PREFIX = "pz:"


def is_parallel(env_id: str) -> bool:
    """Whether ``env_id`` names a PettingZoo parallel env (``pz:MODULE``)."""
    return env_id.startswith(PREFIX)


def parallel_env_fn(env_id: str, **kwargs: Any) -> Callable[[], Any]:
    """A constructor of the parallel env ``pz:MODULE`` (an unknown module is a ``gym.error.Error``)."""
    name = env_id[len(PREFIX) :]
    try:
        module = importlib.import_module(name)
    except ImportError as e:
        raise gym.error.Error(f"{env_id}: cannot import {name} ({e})") from None
    if not hasattr(module, "parallel_env"):
        raise gym.error.Error(f"{env_id}: {name} has no parallel_env()")
    return lambda: module.parallel_env(**kwargs)


class ParallelVectorEnv(gym.vector.VectorEnv):
    """``copies`` copies of a PettingZoo parallel env, one vector slot per agent (see the module docstring)."""

    def __init__(self, env_fn: Callable[[], Any], copies: int, seed: int | None = None) -> None:
        if copies < 1:
            raise ValueError(f"copies must be >= 1, got {copies}")
        self.envs = [env_fn() for _ in range(copies)]
        first = self.envs[0]
        self.agents = list(first.possible_agents)
        k = len(self.agents)
        obs_spaces = [first.observation_space(a) for a in self.agents]
        act_spaces = [first.action_space(a) for a in self.agents]
        if any(s != obs_spaces[0] for s in obs_spaces) or any(s != act_spaces[0] for s in act_spaces):
            raise ValueError(
                "parameter sharing needs one observation space and one action space for all agents; "
                f"got {[str(s) for s in obs_spaces]} and {[str(s) for s in act_spaces]}"
            )
        self.num_envs = copies * k
        self.single_observation_space = obs_spaces[0]
        self.single_action_space = act_spaces[0]
        self.observation_space = gym.vector.utils.batch_space(self.single_observation_space, self.num_envs)
        self.action_space = gym.vector.utils.batch_space(self.single_action_space, self.num_envs)
        self.metadata = {"autoreset_mode": gym.vector.AutoresetMode.SAME_STEP}
        self._seed = seed
        self._obs = np.zeros(
            (self.num_envs, *self.single_observation_space.shape), self.single_observation_space.dtype
        )
        self._returns = np.zeros(self.num_envs)
        self._lengths = np.zeros(self.num_envs, np.int64)

    def _put(self, c: int, obs: dict[str, Any], out: np.ndarray) -> None:
        for j, a in enumerate(self.agents):
            out[c * len(self.agents) + j] = obs[a]

    def reset(self, *, seed: int | list[int] | None = None, options: dict[str, Any] | None = None):
        if seed is None:
            seed, self._seed = self._seed, None
        for c, env in enumerate(self.envs):
            obs, _ = env.reset(seed=None if seed is None else int(seed) + c, options=options)
            self._put(c, obs, self._obs)
        self._returns[:] = 0
        self._lengths[:] = 0
        return self._obs.copy(), {}

    def step(self, actions: Any):
        actions = np.asarray(actions)
        k = len(self.agents)
        n = self.num_envs
        rewards = np.zeros(n, np.float32)
        terminated = np.zeros(n, bool)
        truncated = np.zeros(n, bool)
        final = np.zeros(n, bool)
        final_obs = np.empty(n, dtype=object)
        for c, env in enumerate(self.envs):
            live = set(env.agents)
            obs, rew, term, trunc, _ = env.step(
                {a: actions[c * k + j] for j, a in enumerate(self.agents) if a in live}
            )
            for j, a in enumerate(self.agents):
                i = c * k + j
                rewards[i] = rew.get(a, 0.0)
                terminated[i] = bool(term.get(a, False))
                truncated[i] = bool(trunc.get(a, False)) and not terminated[i]
                if a in obs:
                    self._obs[i] = obs[a]
            ended = terminated[c * k : (c + 1) * k] | truncated[c * k : (c + 1) * k]
            if (ended.any() and not ended.all()) or ended.all() != (not env.agents):
                raise RuntimeError(
                    f"{type(env).__name__}: its agents' episodes end at different times, which parameter sharing here does not support"
                )
            if ended.all():
                for j in range(k):
                    final_obs[c * k + j] = self._obs[c * k + j].copy()
                final[c * k : (c + 1) * k] = True
                obs, _ = env.reset()
                self._put(c, obs, self._obs)
        self._returns += rewards
        self._lengths += 1
        infos: dict[str, Any] = {}
        if final.any():
            infos["final_obs"] = final_obs
            infos["_final_obs"] = final
            infos["episode"] = {"r": self._returns.copy(), "l": self._lengths.copy()}
            infos["_episode"] = final.copy()
            self._returns[final] = 0
            self._lengths[final] = 0
        return self._obs.copy(), rewards, terminated, truncated, infos

    def close_extras(self, **kwargs: Any) -> None:
        for env in self.envs:
            env.close()
