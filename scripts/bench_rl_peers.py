"""The peers seigen's RL is measured against in ``seigen bench rl``: SB3's learners and EnvPool.

Stable-Baselines3's DQN, PPO and A2C are built from **seigen's own preset dicts**
(:func:`sb3_cartpole`, :func:`sb3_actor_critic`), so the two sides cannot drift apart, and
run and evaluated like seigen's (:func:`run_sb3`). The Atari vector envs by name
(:func:`make_atari_envs`): seigen's synchronous Gymnasium one, Gymnasium's ``AsyncVectorEnv`` and
seigen's EnvPool backend (``make_vector_env(backend="envpool")``) under the same protocol. Both
peers are optional: :func:`sb3_available`, :func:`envpool_available`.
"""

from __future__ import annotations

import importlib.util
import time
from typing import Any

import numpy as np

from seigen.envs.envpool_env import envpool_available  # noqa: F401 (bench_rl imports it from here)
from seigen.scripts.bench_rl_runs import (
    ENVPOOL,
    EVAL_SEED_OFFSET,
    GYM_ASYNC,
    PONG,
    SEIGEN_SYNC,
    Task,
    ac_preset,
)

# ---------------------------------------------------------------------------- stable-baselines3
SB3_MISSING = (
    "stable-baselines3 is not installed, so SB3's learners (the peers) are skipped: "
    "pip install 'seigen[bench]' (or stable-baselines3>=2.3)"
)


def sb3_available() -> bool:
    """Whether stable-baselines3 (the ``bench`` extra) can be imported."""
    return importlib.util.find_spec("stable_baselines3") is not None


def sb3_cartpole() -> dict:
    """SB3's DQN arguments from seigen's classic preset (rl-baselines3-zoo's dqn.yml for CartPole-v1),
    so the two learners cannot drift apart."""
    from seigen.agents.dqn_config import PRESETS

    p = PRESETS["classic"]
    return dict(
        learning_rate=p["learning_rate"],
        batch_size=p["batch_size"],
        buffer_size=p["buffer_size"],
        learning_starts=p["learning_starts"],
        gamma=0.99,
        target_update_interval=p["target_update_interval"],
        train_freq=p["train_frequency"],
        gradient_steps=p["gradient_steps"],
        exploration_fraction=p["exploration_fraction"],
        exploration_final_eps=p["end_epsilon"],
        policy_kwargs=dict(net_arch=list(p["hidden"])),
    )


class LinearLR:
    """SB3's learning-rate schedule for ``anneal_lr``: ``lr * progress_remaining`` (1 down to 0)."""

    def __init__(self, lr: float) -> None:
        self.lr = lr

    def __call__(self, progress_remaining: float) -> float:
        return self.lr * progress_remaining

    def __repr__(self) -> str:
        return f"LinearLR({self.lr:g})"


def sb3_actor_critic(task: Task) -> tuple[int, dict]:
    """SB3's number of envs and ``PPO``/``A2C`` arguments from seigen's preset of ``task``,
    so the two learners cannot drift apart (a preset SB3 cannot match is an error)."""
    import torch.nn as nn

    p = ac_preset(task)
    unmatched = [k for k in ("share_trunk", "norm_obs", "norm_reward", "async_envs") if p.get(k)]
    if unmatched:
        raise NotImplementedError(f"{task.name}: SB3 settings for {', '.join(unmatched)} are not written")
    lr = p["learning_rate"]
    kwargs: dict[str, Any] = dict(
        learning_rate=LinearLR(lr) if p["anneal_lr"] else lr,
        n_steps=p["num_steps"],
        gamma=p["gamma"],
        gae_lambda=p["gae_lambda"],
        ent_coef=p["ent_coef"],
        vf_coef=p["vf_coef"],
        max_grad_norm=p["max_grad_norm"],
        normalize_advantage=p["norm_adv"],
        use_sde=False,
        policy_kwargs=dict(
            net_arch=dict(pi=list(p["hidden"]), vf=list(p["hidden"])),
            activation_fn={"tanh": nn.Tanh, "relu": nn.ReLU}[p["activation"]],
            log_std_init=p["log_std_init"],
            ortho_init=True,
        ),
    )
    if task.algo == "ppo":
        if p["optimizer"] != "adam":
            raise NotImplementedError(f"{task.name}: SB3's PPO uses Adam, the preset {p['optimizer']}")
        kwargs.update(
            batch_size=p["minibatch_size"],
            n_epochs=p["update_epochs"],
            clip_range=p["clip_coef"],
            clip_range_vf=p["clip_coef"] if p["clip_vloss"] else None,
            target_kl=p.get("target_kl"),
        )
    else:  # a2c: one gradient step on the whole rollout, no clipping
        kwargs.update(use_rms_prop=p["optimizer"] == "rmsprop", rms_prop_eps=1e-5)
    return int(p["num_envs"]), kwargs


def run_sb3(task: Task, seed: int, steps: int, eval_episodes: int, threads: int = 1) -> dict:
    """SB3's learner with seigen's preset settings for ``steps`` env steps, then ``evaluate_policy``
    (deterministic) on a Monitor-wrapped env seeded ``seed + EVAL_SEED_OFFSET``.
    ``threads`` is the caller's ``torch.set_num_threads`` (SB3 leaves it alone)."""
    import gymnasium as gym
    from stable_baselines3 import A2C, DQN, PPO
    from stable_baselines3.common.env_util import make_vec_env
    from stable_baselines3.common.evaluation import evaluate_policy
    from stable_baselines3.common.monitor import Monitor
    from stable_baselines3.common.vec_env import DummyVecEnv

    t0 = time.perf_counter()
    common = dict(seed=seed, device="cpu", verbose=0)
    if task.algo == "dqn":
        model = DQN("MlpPolicy", gym.make(task.env), **common, **sb3_cartpole())
    else:
        num_envs, kwargs = sb3_actor_critic(task)
        learner = {"ppo": PPO, "a2c": A2C}[task.algo]
        model = learner("MlpPolicy", make_vec_env(task.env, n_envs=num_envs, seed=seed), **common, **kwargs)
    t1 = time.perf_counter()
    model.learn(total_timesteps=steps, progress_bar=False)
    seconds = time.perf_counter() - t1
    eval_env = DummyVecEnv([lambda: Monitor(gym.make(task.env))])
    eval_env.seed(seed + EVAL_SEED_OFFSET)
    returns, _ = evaluate_policy(
        model, eval_env, n_eval_episodes=eval_episodes, deterministic=True, return_episode_rewards=True
    )
    eval_env.close()
    train_env = model.get_env()
    episodes = sum(len(r) for r in train_env.env_method("get_episode_rewards"))  # every env is a Monitor
    train_env.close()
    wall = time.perf_counter() - t0
    recent = [float(info["r"]) for info in model.ep_info_buffer]
    return {
        "steps": int(model.num_timesteps),
        "seconds": seconds,
        "steps_per_s": model.num_timesteps / seconds,
        "episodes": int(episodes),
        "recent_return": float(np.mean(recent)) if recent else None,
        "eval_mean": float(np.mean(returns)),
        "eval_std": float(np.std(returns)),
        "eval_returns": [float(r) for r in returns],
        "wall_s": wall,
    }


# ---------------------------------------------------------------------------- atari envs
def make_atari_envs(impl: str, num_envs: int, seed: int) -> Any:
    """``seigen-sync``: ``make_vector_env(PONG, n, training=True, backend="gymnasium")``;
    ``gymnasium-async``: ``gymnasium.vector.AsyncVectorEnv`` over the same ``make_env`` thunks (same
    autoreset mode); ``envpool``: the same call with ``backend="envpool"`` (``SAME_STEP`` included)."""
    import gymnasium as gym

    from seigen.envs import make_env, make_vector_env

    if impl == SEIGEN_SYNC:
        return make_vector_env(PONG, num_envs, seed=seed, training=True, backend="gymnasium")
    if impl == GYM_ASYNC:
        thunks = [make_env(PONG, seed=seed + i, training=True) for i in range(num_envs)]
        return gym.vector.AsyncVectorEnv(thunks, autoreset_mode=gym.vector.AutoresetMode.SAME_STEP)
    if impl == ENVPOOL:
        return make_vector_env(PONG, num_envs, seed=seed, training=True, backend="envpool")
    raise ValueError(f"unknown vector env {impl!r}; expected {SEIGEN_SYNC}, {GYM_ASYNC} or {ENVPOOL}")
