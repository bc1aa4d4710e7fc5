"""Gymnasium environment factories: classic control, Box2D and Atari (ale-py), single and vectorised.

``make_env`` returns a thunk (CleanRL style): a list of thunks makes a vector env.

Atari follows Machado et al. (2018), "Revisiting the Arcade Learning Environment", by default
(``protocol="machado"``):

* sticky actions with probability 0.25 and no life-loss signal,
* no-op starts (1 to 30 no-ops at reset), the action repeated for 4 frames with the last two
  frames max-pooled, 84x84 grayscale, the last 4 frames stacked (``uint8 [4, 84, 84]``),
* episodes capped at 108,000 emulator frames (30 minutes of play at 60 Hz),
* the minimal action set unless ``full_action_space=True``.

``protocol="dqn2015"`` is the older protocol of Mnih et al. (2015): deterministic actions
(no sticky actions) and, for training only, a terminal signal at every lost life (the game itself
goes on; see ``EpisodicLife``). Rewards are clipped to their sign only when ``training=True``;
``RecordEpisodeStatistics`` sits below the clipping (and below the life-loss signal), so
``info["episode"]["r"]`` is always the real game score of a whole game.

The wrapper stack, innermost first::

    AtariEnv(frameskip=1, repeat_action_probability, full_action_space, max_num_frames_per_episode)
    AtariPreprocessing(noop_max=30, frame_skip=4, screen_size=84, grayscale_obs=True, scale_obs=False)
    RecordEpisodeStatistics
    EpisodicLife                      (dqn2015 and training only)
    TransformReward(sign)             (training only)
    FrameStackObservation(4)          (padding at reset: the reset frame repeated)
    SeedFirstReset(seed)

The vector env of an Atari id has two backends, chosen by ``make_vector_env(..., backend=...)``:

* ``"gymnasium"``: the stack above in a Sync/AsyncVectorEnv, one Python env per game;
* ``"envpool"``: EnvPool's C++ thread pool (``seigen.envs.envpool_env``): more frames/s (2.3x on
  2 cores in ``seigen bench rl --what atari-env``, mostly from using every core where the
  synchronous Gymnasium env uses one), the same protocols, spaces and ``SAME_STEP`` infos; with
  sticky actions off and one no-op at reset the two give the same frames, rewards, ends and scores
  step for step. Its random streams are its own, and the few other differences are listed in that
  module. EnvPool is optional (``pip install envpool``, or the ``bench`` extra); asking for it
  without it is an ``ImportError``.
* ``"auto"`` (the default): EnvPool when it is installed and supports the options asked for
  (no ``render_mode``, ``noop_max >= 1``, and no ``gym.make`` keyword but
  ``repeat_action_probability`` and ``max_num_frames_per_episode``), otherwise Gymnasium.
  Force one with ``backend="gymnasium"`` or ``backend="envpool"``; ``make_env`` (one env) is
  always Gymnasium.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

import gymnasium as gym
import numpy as np

from seigen.envs.parallel import ParallelVectorEnv, is_parallel, parallel_env_fn

Protocol = Literal["machado", "dqn2015"]
PROTOCOLS = ("machado", "dqn2015")
Backend = Literal["auto", "gymnasium", "envpool"]
BACKENDS = ("auto", "gymnasium", "envpool")

#: Emulator frames after which an Atari episode is truncated (Machado et al. 2018).
MAX_EPISODE_FRAMES = 108_000
#: Sticky-action probability per protocol.
STICKY_ACTIONS = {"machado": 0.25, "dqn2015": 0.0}
NOOP_MAX = 30
FRAME_SKIP = 4
SCREEN_SIZE = 84

#: ``make_env`` arguments that ``EnvPoolVectorEnv`` takes as its own (the rest must be supported options).
ENVPOOL_ARGS = ("training", "protocol", "full_action_space", "frame_stack")

_ale_registered = False


def is_atari(env_id: str) -> bool:
    """Whether ``env_id`` names an ale-py game (``ALE/Pong-v5``, ``PongNoFrameskip-v4``)."""
    return env_id.startswith("ALE/") or env_id.endswith("NoFrameskip-v4")


def register_atari() -> None:
    """Register ale-py's games with Gymnasium (once; the ROMs ship with ale-py)."""
    global _ale_registered
    if not _ale_registered:
        import ale_py

        gym.register_envs(ale_py)
        _ale_registered = True


def sign_reward(reward: float) -> float:
    """Reward clipping of DQN: -1, 0 or +1 (a module-level function, so envs pickle)."""
    return float(np.sign(reward))


class SeedFirstReset(gym.Wrapper, gym.utils.RecordConstructorArgs):
    """Use ``seed`` for the first ``reset()`` that is not given one, so a thunk's env is reproducible.

    A reset with an explicit seed always wins; later unseeded resets continue the env's generator.
    The action and observation spaces are seeded with ``seed`` too.
    """

    def __init__(self, env: gym.Env, seed: int | None) -> None:
        gym.utils.RecordConstructorArgs.__init__(self, seed=seed)
        gym.Wrapper.__init__(self, env)
        self._pending_seed = seed
        if seed is not None:
            self.action_space.seed(seed)
            self.observation_space.seed(seed)

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        if seed is None:
            seed = self._pending_seed
        self._pending_seed = None
        return self.env.reset(seed=seed, options=options)


class EpisodicLife(gym.Wrapper, gym.utils.RecordConstructorArgs):
    """DQN (2015) training signal: ``terminated`` when a life is lost, while the game goes on.

    ``reset()`` after a lost life only takes one no-op step and carries on the same game; a real
    reset happens when the game is over (or was truncated). Gymnasium's
    ``AtariPreprocessing(terminal_on_life_loss=True)`` instead restarts the whole game at every
    lost life, so an agent would never see its later lives; hence this wrapper.
    """

    def __init__(self, env: gym.Env) -> None:
        gym.utils.RecordConstructorArgs.__init__(self)
        gym.Wrapper.__init__(self, env)
        self._lives = 0
        self._game_over = True

    def step(self, action):
        obs, reward, terminated, truncated, info = self.env.step(action)
        self._game_over = terminated or truncated
        lives = self.env.unwrapped.ale.lives()
        if 0 < lives < self._lives:
            terminated = True
        self._lives = lives
        return obs, reward, terminated, truncated, info

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        if self._game_over or seed is not None:
            obs, info = self.env.reset(seed=seed, options=options)
        else:
            obs, _, terminated, truncated, info = self.env.step(0)
            if terminated or truncated:
                obs, info = self.env.reset(seed=seed, options=options)
        self._game_over = False
        self._lives = self.env.unwrapped.ale.lives()
        return obs, info


def make_atari(
    env_id: str,
    *,
    training: bool = True,
    protocol: Protocol = "machado",
    full_action_space: bool = False,
    frame_stack: int = 4,
    noop_max: int = NOOP_MAX,
    render_mode: str | None = None,
    **kwargs: Any,
) -> gym.Env:
    """One preprocessed Atari env (see the module docstring); ``kwargs`` go to ``gym.make``."""
    if protocol not in PROTOCOLS:
        raise ValueError(f"unknown Atari protocol {protocol!r}; expected one of {', '.join(PROTOCOLS)}")
    register_atari()
    make_kwargs = dict(
        frameskip=1,  # AtariPreprocessing repeats the action and max-pools the last two frames
        repeat_action_probability=STICKY_ACTIONS[protocol],
        full_action_space=full_action_space,
        max_num_frames_per_episode=MAX_EPISODE_FRAMES,
    )
    make_kwargs.update(kwargs)
    env = gym.make(env_id, render_mode=render_mode, **make_kwargs)
    return wrap_atari(env, training=training, protocol=protocol, frame_stack=frame_stack, noop_max=noop_max)


def wrap_atari(
    env: gym.Env,
    *,
    training: bool = True,
    protocol: Protocol = "machado",
    frame_stack: int = 4,
    noop_max: int = NOOP_MAX,
) -> gym.Env:
    """The preprocessing stack over an ALE env made with ``frameskip=1`` (see the module docstring);
    ``noop_max`` (default 30) bounds the no-ops at reset (1 to ``noop_max``; 0: none)."""
    if protocol not in PROTOCOLS:
        raise ValueError(f"unknown Atari protocol {protocol!r}; expected one of {', '.join(PROTOCOLS)}")
    env = gym.wrappers.AtariPreprocessing(
        env,
        noop_max=noop_max,
        frame_skip=FRAME_SKIP,
        screen_size=SCREEN_SIZE,
        terminal_on_life_loss=False,
        grayscale_obs=True,
        scale_obs=False,
    )
    env = gym.wrappers.RecordEpisodeStatistics(env)
    if training and protocol == "dqn2015":
        env = EpisodicLife(env)
    if training:
        env = gym.wrappers.TransformReward(env, sign_reward)
    if frame_stack > 1:
        env = gym.wrappers.FrameStackObservation(env, frame_stack)
    return env


def make_env(
    env_id: str,
    *,
    seed: int = 0,
    training: bool = True,
    protocol: Protocol = "machado",
    full_action_space: bool = False,
    frame_stack: int = 4,
    noop_max: int = NOOP_MAX,
    render_mode: str | None = None,
    **kwargs: Any,
) -> Callable[[], gym.Env]:
    """A thunk that makes one env, seeded with ``seed`` on its first reset.

    Atari ids get the preprocessing of the module docstring; any other Gymnasium id (classic
    control, Box2D when ``box2d`` is installed, ...) is ``gym.make`` + ``RecordEpisodeStatistics``,
    and ``training``, ``protocol``, ``full_action_space``, ``frame_stack`` and ``noop_max`` do not
    apply to it.
    ``kwargs`` go to ``gym.make`` (for Atari they override the protocol's settings).
    """
    if protocol not in PROTOCOLS:
        raise ValueError(f"unknown Atari protocol {protocol!r}; expected one of {', '.join(PROTOCOLS)}")

    def thunk() -> gym.Env:
        if is_atari(env_id):
            env = make_atari(
                env_id,
                training=training,
                protocol=protocol,
                full_action_space=full_action_space,
                frame_stack=frame_stack,
                noop_max=noop_max,
                render_mode=render_mode,
                **kwargs,
            )
        else:
            env = gym.make(env_id, render_mode=render_mode, **kwargs)
            env = gym.wrappers.RecordEpisodeStatistics(env)
        return SeedFirstReset(env, seed)

    return thunk


def make_vector_env(
    env_id: str,
    num_envs: int,
    *,
    seed: int = 0,
    asynchronous: bool = False,
    backend: Backend = "auto",
    threads: int = 0,
    **kw: Any,
) -> gym.vector.VectorEnv:
    """``num_envs`` copies of ``make_env(env_id, seed=seed + i, **kw)`` in a Sync/AsyncVectorEnv.

    An Atari id runs on EnvPool instead (an ``EnvPoolVectorEnv``, ``asynchronous`` unused) when
    ``backend="envpool"``, or ``"auto"`` with EnvPool installed and the options supported (see
    the module docstring); ``backend="gymnasium"`` forces the wrapper stack. ``threads`` bounds
    EnvPool's worker threads (0: EnvPool chooses); the Gymnasium envs step in the caller's thread.

    A PettingZoo parallel env (``pz:MODULE``, see ``seigen.envs.parallel``) gives a
    ``ParallelVectorEnv`` of ``num_envs`` copies with one slot per agent instead.

    Autoreset is ``SAME_STEP``: when an episode ends, ``step`` returns the next episode's reset
    observation and puts the last observation of the finished one in ``infos["final_obs"]``
    (``infos["_final_obs"]`` flags the envs concerned; ``infos["final_info"]`` holds their infos).
    An unseeded first ``reset()`` seeds env ``i`` with ``seed + i``, as ``reset(seed=seed)`` does.
    """
    if num_envs < 1:
        raise ValueError(f"num_envs must be >= 1, got {num_envs}")
    if backend not in BACKENDS:
        raise ValueError(f"unknown vector env backend {backend!r}; expected one of {', '.join(BACKENDS)}")
    if backend == "envpool" and not is_atari(env_id):
        raise ValueError(f"the EnvPool backend runs Atari ids only, not {env_id!r}")
    if is_atari(env_id) and backend != "gymnasium":
        from seigen.envs import envpool_env

        options = {k: v for k, v in kw.items() if k not in ENVPOOL_ARGS}
        reason = envpool_env.envpool_unsupported(env_id, **options)
        if reason is None:
            kw.pop("render_mode", None)  # None here
            return envpool_env.EnvPoolVectorEnv(env_id, num_envs, seed=seed, num_threads=threads, **kw)
        if backend == "envpool":
            raise (ImportError if reason == envpool_env.ENVPOOL_MISSING else ValueError)(reason)
    if is_parallel(env_id):  # PettingZoo simultaneous moves: num_envs copies, one slot per agent
        for key in ("training", "protocol", "full_action_space", "frame_stack", "noop_max"):
            kw.pop(key, None)
        return ParallelVectorEnv(parallel_env_fn(env_id, **kw), num_envs, seed=seed)
    thunks = [make_env(env_id, seed=seed + i, **kw) for i in range(num_envs)]
    mode = gym.vector.AutoresetMode.SAME_STEP
    if asynchronous:
        return gym.vector.AsyncVectorEnv(thunks, autoreset_mode=mode)
    return gym.vector.SyncVectorEnv(thunks, autoreset_mode=mode)


def action_masks(infos: dict, n: int, num_actions: int) -> np.ndarray | None:
    """The legal-action masks ``[n, num_actions]`` a board-game vector env reports in ``infos["action_mask"]`` (None without)."""
    m = infos.get("action_mask")
    if m is None:
        return None
    return np.asarray(np.stack(list(m)) if m.dtype == object else m, dtype=bool).reshape(n, num_actions)


def vector_backend(envs: gym.vector.VectorEnv) -> str:
    """The backend a ``make_vector_env`` env runs on: ``envpool`` or ``gymnasium``."""
    from seigen.envs.envpool_env import EnvPoolVectorEnv

    return "envpool" if isinstance(envs, EnvPoolVectorEnv) else "gymnasium"


def ended_episodes(infos: dict) -> list[tuple[int, float, int]]:
    """(env index, return, length) of the episodes that ended in this vector step (from ``RecordEpisodeStatistics``)."""
    out = []
    for source in (infos, infos.get("final_info") or {}):
        ep = source.get("episode") if isinstance(source, dict) else None
        if ep is None:
            continue
        done = source.get("_episode", np.ones(len(ep["r"]), dtype=bool))
        for i in np.flatnonzero(done):
            out.append((int(i), float(ep["r"][i]), int(ep["l"][i])))
    return out


def episode_stats(infos: dict) -> list[tuple[float, int]]:
    """(return, length) of the episodes that ended in this vector step (from ``RecordEpisodeStatistics``)."""
    return [(r, length) for _, r, length in ended_episodes(infos)]


def play_episodes(
    envs: gym.vector.VectorEnv,
    policy: Callable[[Any, dict], Any],
    episodes: int,
    *,
    seed: int | None = None,
    on_episode: Callable[[int, float], None] | None = None,
) -> list[float]:
    """The returns of ``episodes`` whole episodes played on all of ``envs`` at once with
    ``policy(obs, infos) -> actions``.

    Env ``i`` plays a fixed share of the episodes (``episodes // n``, one more for the first
    ``episodes % n``): taking the first ``episodes`` to end would favour short episodes, which end
    first. The returns come env by env, each env's in the order played. ``on_episode(k, ret)``
    is called as the ``k``-th counted episode ends; the episodes an env plays beyond its share
    are not counted.
    """
    if episodes < 1:
        raise ValueError(f"episodes must be >= 1, got {episodes}")
    n = envs.num_envs
    share = [episodes // n + (i < episodes % n) for i in range(n)]
    returns: list[list[float]] = [[] for _ in range(n)]
    counted = 0
    obs, infos = envs.reset(seed=seed)
    while counted < episodes:
        obs, _, _, _, infos = envs.step(policy(obs, infos))
        for i, ret, _ in ended_episodes(infos):
            if len(returns[i]) < share[i]:
                returns[i].append(ret)
                counted += 1
                if on_episode is not None:
                    on_episode(counted, ret)
    return [r for env_returns in returns for r in env_returns]
