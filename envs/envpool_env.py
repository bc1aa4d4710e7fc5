"""EnvPool (a C++ thread pool of ALE emulators) as the Atari backend of ``make_vector_env``.

``EnvPoolVectorEnv`` runs the protocols of ``seigen.envs.make`` on EnvPool and gives what the
Gymnasium path gives: a ``gymnasium.vector.VectorEnv`` with ``SAME_STEP`` autoreset
(``infos["final_obs"]``, ``infos["final_info"]`` and their ``_`` masks), ``lives`` in the infos,
and ``RecordEpisodeStatistics``' ``{"r", "l", "t"}`` of each finished game in
``infos["final_info"]["episode"]`` (flagged by ``["_episode"]``), so ``episode_stats`` reads both
paths alike.

EnvPool does the emulator work: sticky actions, the 1 to ``noop_max`` no-op frames at reset,
the action repeated for 4 frames with the last two max-pooled, 84x84 grayscale with
``INTER_AREA`` (bit for bit the frames of ``AtariPreprocessing``), the step cap. It is made with
``episodic_life=False``, ``reward_clip=False``, ``use_fire_reset=False`` and ``stack_num=1``; this
class does the rest in numpy, in the Gymnasium wrappers' order:

* the episode statistics of the whole game, from the raw rewards;
* ``dqn2015`` training: ``terminated`` at a lost life while the game goes on, then one no-op step
  (counted in the game's statistics) as ``EpisodicLife.reset`` takes;
* reward clipping to the sign, when training;
* the frame stack, padded at a reset with the reset frame (``FrameStackObservation``);
* ``SAME_STEP`` autoreset: EnvPool resets an env on the step *after* its end, so an ended env is
  reset at once with ``reset(env_id)``.

What differs from the Gymnasium path: the random streams (EnvPool seeds env ``i`` with
``seed + i`` from its own generator, so sticky actions and no-op counts follow other draws; with
sticky actions off and ``noop_max=1`` the two paths are step for step identical, see
``tests/test_envpool.py``); the frame cap, which ALE counts in emulator frames including the
reset's no-ops and EnvPool in agent steps after them (``ceil((frames - 1) / 4)`` steps, exact with
one no-op, otherwise an episode at most ``noop_max - 1`` frames longer); the last observation of
an episode cut in the middle of a frame skip, which ``AtariPreprocessing`` leaves at the previous
step's frames and EnvPool takes from the frames played; and a game that ends during the no-op
step after a lost life (``dqn2015`` training), whose statistics Gymnasium drops and this class
reports.
"""

from __future__ import annotations

import importlib.util
import math
import time
from typing import Any

import gymnasium as gym
import numpy as np

from seigen.envs import make as atari
from seigen.envs.make import FRAME_SKIP, NOOP_MAX, PROTOCOLS, SCREEN_SIZE, STICKY_ACTIONS

ENVPOOL_MISSING = "EnvPool is not installed: pip install envpool (or pip install 'seigen[bench]')"
#: ``gym.make`` keywords of an Atari id that the EnvPool backend reproduces.
SUPPORTED_KWARGS = ("repeat_action_probability", "max_num_frames_per_episode")


def envpool_available() -> bool:
    """Whether EnvPool (an optional dependency: the ``bench`` and ``dev`` extras) can be imported."""
    return importlib.util.find_spec("envpool") is not None


def envpool_task(env_id: str) -> str:
    """EnvPool's id of an ale-py game: ``ALE/Pong-v5`` and ``PongNoFrameskip-v4`` are ``Pong-v5``."""
    if env_id.startswith("ALE/"):
        game = env_id[4:].rsplit("-v", 1)[0]
    elif env_id.endswith("NoFrameskip-v4"):
        game = env_id[: -len("NoFrameskip-v4")]
    else:
        raise ValueError(f"{env_id!r} is not an Atari id")
    return f"{game}-v5"


def envpool_unsupported(
    env_id: str, *, render_mode: str | None = None, noop_max: int = NOOP_MAX, **kwargs: Any
) -> str | None:
    """Why the EnvPool backend cannot make ``env_id`` with these options, or None when it can."""
    if not envpool_available():
        return ENVPOOL_MISSING
    import envpool

    task = envpool_task(env_id)
    if task not in envpool.list_all_envs():
        return f"EnvPool has no {task}"
    if render_mode is not None:
        return "EnvPool renders no frames here (render_mode)"
    if noop_max < 1:
        return "EnvPool needs noop_max >= 1 (it plays 1 to noop_max no-ops)"
    extra = sorted(set(kwargs) - set(SUPPORTED_KWARGS))
    if extra:
        return f"EnvPool has no equivalent of {', '.join(extra)} (supported: {', '.join(SUPPORTED_KWARGS)})"
    return None


class EnvPoolVectorEnv(gym.vector.VectorEnv):
    """``num_envs`` Atari games on EnvPool with seigen's protocol (see the module docstring).

    Env ``i`` is seeded with ``seed + i``. EnvPool fixes its seeds when it is made, so
    ``reset(seed=s)`` makes a new pool unless it is the first reset with the construction seed.
    ``num_threads`` goes to EnvPool (0: EnvPool chooses). ``max_num_frames_per_episode`` defaults to
    ``make.MAX_EPISODE_FRAMES`` read when the env is made, as ``make_atari`` reads it. ``config`` is
    what EnvPool was made with (``config["repeat_action_probability"]``, ...).
    """

    def __init__(
        self,
        env_id: str,
        num_envs: int,
        *,
        seed: int = 0,
        training: bool = True,
        protocol: str = "machado",
        full_action_space: bool = False,
        frame_stack: int = 4,
        noop_max: int = NOOP_MAX,
        repeat_action_probability: float | None = None,
        max_num_frames_per_episode: int | None = None,
        num_threads: int = 0,
    ) -> None:
        if protocol not in PROTOCOLS:
            raise ValueError(f"unknown Atari protocol {protocol!r}; expected one of {', '.join(PROTOCOLS)}")
        if num_envs < 1:
            raise ValueError(f"num_envs must be >= 1, got {num_envs}")
        if frame_stack < 1:
            raise ValueError(f"frame_stack must be >= 1, got {frame_stack}")
        reason = envpool_unsupported(env_id, noop_max=noop_max)
        if reason is not None:
            raise ImportError(reason) if reason == ENVPOOL_MISSING else ValueError(reason)
        if repeat_action_probability is None:
            repeat_action_probability = STICKY_ACTIONS[protocol]
        if max_num_frames_per_episode is None:  # read now, as make_atari does
            max_num_frames_per_episode = atari.MAX_EPISODE_FRAMES
        self.env_id = env_id
        self.num_envs = num_envs
        self.training = training
        self.protocol = protocol
        self.frame_stack = frame_stack
        self._episodic_life = training and protocol == "dqn2015"
        self._config = dict(
            task_id=envpool_task(env_id),
            env_type="gymnasium",
            num_envs=num_envs,
            batch_size=num_envs,  # synchronous: every step returns every env
            num_threads=num_threads,
            episodic_life=False,  # the life-loss signal is ours (EpisodicLife's), not EnvPool's
            reward_clip=False,  # clipped here, after the raw score is counted
            use_fire_reset=False,
            repeat_action_probability=float(repeat_action_probability),
            noop_max=noop_max,
            frame_skip=FRAME_SKIP,
            img_height=SCREEN_SIZE,
            img_width=SCREEN_SIZE,
            gray_scale=True,
            use_inter_area_resize=True,
            stack_num=1,  # stacked here, with FrameStackObservation's padding at every reset
            full_action_space=full_action_space,
            # ALE counts the frame cap with the reset's no-ops (at least 1), EnvPool in agent steps after them
            max_episode_steps=math.ceil((max_num_frames_per_episode - 1) / FRAME_SKIP),
        )
        self._pool: Any = None
        self._seed = seed
        self._fresh = False  # a pool made with self._seed and not yet reset
        self._make_pool(seed)

        frame = (SCREEN_SIZE, SCREEN_SIZE)
        shape = (frame_stack, *frame) if frame_stack > 1 else frame
        self.single_observation_space = gym.spaces.Box(0, 255, shape, np.uint8)
        self.single_action_space = gym.spaces.Discrete(int(self._pool.action_space.n))
        self.single_action_space.seed(seed)
        self.observation_space = gym.vector.utils.batch_space(self.single_observation_space, num_envs)
        self.action_space = gym.vector.utils.batch_space(self.single_action_space, num_envs)
        self.action_space.seed(seed)
        self.metadata = {"autoreset_mode": gym.vector.AutoresetMode.SAME_STEP}
        self.render_mode = None

        n = num_envs
        self._all = np.arange(n, dtype=np.int32)
        self._stack = np.zeros((n, frame_stack, *frame), np.uint8)  # oldest frame first
        self._lives = np.zeros(n, np.int64)
        self._returns = np.zeros(n, np.float64)  # raw score of the current game
        self._lengths = np.zeros(n, np.int64)  # agent steps of the current game
        self._starts = np.zeros(n, np.float64)
        self._needs_reset = True

    @property
    def config(self) -> dict[str, Any]:
        """The arguments EnvPool was made with (``envpool.make(**config, seed=..., env_seed=...)``)."""
        return dict(self._config)

    def _make_pool(self, seed: int) -> None:
        import envpool

        if self._pool is not None:
            self._pool.close()
        env_seed = [seed + i for i in range(self.num_envs)]
        self._pool = envpool.make(**self._config, seed=seed, env_seed=env_seed)
        self._seed = seed
        self._fresh = True

    # ------------------------------------------------------------------ EnvPool calls, in env order
    def _ordered(self, out: tuple, ids: np.ndarray) -> tuple:
        """``out`` (EnvPool's arrays, in the order the envs finished) put in the order of ``ids``."""
        got = out[-1]["env_id"]
        if np.array_equal(got, ids):
            return out
        where = {int(e): k for k, e in enumerate(got)}
        idx = np.array([where[int(e)] for e in ids])
        info = {k: v[idx] for k, v in out[-1].items() if isinstance(v, np.ndarray)}
        return (*(a[idx] for a in out[:-1]), info)

    def _pool_reset(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Reset the envs ``ids``: their frames ``[k, 84, 84]`` and lives ``[k]``; a fresh game each."""
        frames, info = self._ordered(self._pool.reset(ids), ids)
        self._lives[ids] = info["lives"]
        self._returns[ids] = 0.0
        self._lengths[ids] = 0
        self._starts[ids] = time.perf_counter()
        self._stack[ids] = frames[:, -1:]  # broadcast: the reset frame in every slot
        return frames[:, -1], info["lives"]

    def _push(self, ids: np.ndarray | slice, frames: np.ndarray) -> None:
        """Append the newest frames ``[k, 84, 84]`` to the stacks of ``ids``."""
        if self.frame_stack > 1:
            self._stack[ids, :-1] = self._stack[ids, 1:]
        self._stack[ids, -1] = frames

    def _obs(self) -> np.ndarray:
        return self._stack.copy() if self.frame_stack > 1 else self._stack[:, 0].copy()

    # ------------------------------------------------------------------ the VectorEnv API
    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        """Reset every env (or those of ``options["reset_mask"]``); ``seed`` restarts env ``i`` from ``seed + i``."""
        mask = None if options is None else options.get("reset_mask")
        if seed is not None:
            if mask is not None:
                raise ValueError(
                    "EnvPool: reset(seed=...) resets every env; do not pass a reset_mask with it"
                )
            if not isinstance(seed, (int, np.integer)):
                raise TypeError(f"EnvPool: reset(seed=...) takes one int (env i gets seed + i), got {seed!r}")
            if not (self._fresh and int(seed) == self._seed):
                self._make_pool(int(seed))
        self._fresh = False
        ids = self._all if mask is None else np.flatnonzero(np.asarray(mask, bool)).astype(np.int32)
        if mask is None:
            self._needs_reset = False
        elif self._needs_reset:
            raise RuntimeError("EnvPool: reset every env once before a reset_mask")
        self._pool_reset(ids)
        return self._obs(), {"lives": self._lives.copy(), "_lives": np.ones(self.num_envs, bool)}

    def step(self, actions: Any):
        """One agent step of every env (see ``make_vector_env`` for the ``SAME_STEP`` infos)."""
        if self._needs_reset:
            raise RuntimeError("EnvPool: call reset() before step()")
        n = self.num_envs
        actions = np.asarray(actions).reshape(n)
        frames, raw, game_term, game_trunc, info = self._ordered(self._pool.step(actions), self._all)
        raw = np.asarray(raw, np.float64)
        self._returns += raw
        self._lengths += 1
        self._push(slice(None), frames[:, -1])
        lives = np.asarray(info["lives"], np.int64)
        game_term = np.asarray(game_term, bool)
        game_trunc = np.asarray(game_trunc, bool)
        game_over = game_term | game_trunc
        if self._episodic_life:  # EpisodicLife: a lost life, not the last, ends the episode
            life_lost = (lives > 0) & (lives < self._lives) & ~game_over
        else:
            life_lost = np.zeros(n, bool)
        self._lives[:] = lives
        rewards = np.sign(raw) if self.training else raw
        terminated = game_term | life_lost
        truncated = game_trunc.copy()
        infos: dict[str, Any] = {"lives": lives.copy(), "_lives": np.ones(n, bool)}
        done = terminated | truncated
        if not done.any():
            return self._obs(), rewards, terminated, truncated, infos

        final_obs = np.empty(n, dtype=object)
        for i in np.flatnonzero(done):
            final_obs[i] = self._stack[i].copy() if self.frame_stack > 1 else self._stack[i, 0].copy()
        final_info: dict[str, Any] = {"lives": lives.copy(), "_lives": done.copy()}
        ended = game_over.copy()  # games whose statistics this step reports
        stats = (self._returns.copy(), self._lengths.copy(), time.perf_counter() - self._starts)

        if life_lost.any():  # EpisodicLife.reset: one no-op step, the game goes on
            ids = np.flatnonzero(life_lost).astype(np.int32)
            out = self._ordered(self._pool.step(np.zeros(len(ids), actions.dtype), ids), ids)
            f2, r2, t2, tr2, i2 = out
            self._returns[ids] += np.asarray(r2, np.float64)
            self._lengths[ids] += 1
            self._lives[ids] = i2["lives"]
            self._stack[ids] = f2[:, -1:]  # FrameStackObservation's padding: the no-op frame
            over = ids[np.asarray(t2, bool) | np.asarray(tr2, bool)]
            if len(over):  # the game ended in that no-op step: report it, start a new one
                stats[0][over] = self._returns[over]
                stats[1][over] = self._lengths[over]
                stats[2][over] = time.perf_counter() - self._starts[over]
                ended[over] = True
                game_over[over] = True
        if ended.any():
            returns, lengths, seconds = stats
            final_info["episode"] = {
                "r": np.where(ended, returns, 0.0),
                "_r": ended.copy(),
                "l": np.where(ended, lengths, 0),
                "_l": ended.copy(),
                "t": np.where(ended, np.round(seconds, 6), 0.0),
                "_t": ended.copy(),
            }
            final_info["_episode"] = ended.copy()
        if game_over.any():  # SAME_STEP: the next game's first observation now
            self._pool_reset(np.flatnonzero(game_over).astype(np.int32))
        infos["lives"] = self._lives.copy()
        infos["final_obs"] = final_obs
        infos["_final_obs"] = done.copy()
        infos["final_info"] = final_info
        infos["_final_info"] = done.copy()
        return self._obs(), rewards, terminated, truncated, infos

    def close_extras(self, **kwargs: Any) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool = None

    def __repr__(self) -> str:
        return f"EnvPoolVectorEnv({self.env_id!r}, num_envs={self.num_envs}, protocol={self.protocol!r}, training={self.training})"
