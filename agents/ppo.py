"""Actor-critic learners: PPO (Schulman et al. 2017) and A2C (Mnih et al. 2016), one update rule.

The algorithm, read top to bottom in ``_loop`` (the rollout) and ``ActorCritic.update``:

1. **Rollout.** ``num_steps`` steps of ``num_envs`` envs into storage allocated once
   (``[num_steps, num_envs, ...]``). Discrete actions are sampled from the logits with the
   illegal moves (board games: ``info["action_mask"]``) set to ``MASKED`` before the
   softmax, so an illegal move has probability 0, not a reward penalty; continuous actions
   from a diagonal Gaussian with a state-independent log-std (clipped to the action space
   for the env, stored unclipped). The vector env autoresets in the same step
   (``SAME_STEP``), so ``step`` returns the next episode's first observation; an episode
   cut by a **truncation** (time limit) is bootstrapped from its real last observation
   (``infos["final_obs"]``): ``reward += gamma * V(final_obs)``, as SB3 does, and only a
   **termination** counts as the end of the return.
2. **Advantages.** GAE(lambda) backwards over the rollout (:func:`gae`, a Numba kernel);
   returns are advantages plus values.
3. **Update.** ``update_epochs`` passes over the rollout in shuffled minibatches: the
   clipped surrogate (:func:`policy_loss`), the value loss (optionally clipped,
   :func:`value_loss`), the entropy bonus, advantage normalisation per minibatch,
   gradient clipping by global norm, a linearly annealed learning rate, and an early
   stop of the epochs once the approximate KL exceeds ``target_kl``. A2C is one epoch of
   one minibatch without clipping: the ratio is then 1 and the surrogate's gradient is
   exactly A2C's ``advantage * grad log pi`` (a test checks it).

Networks (:class:`~seigen.agents.ppo_nets.ActorCriticNet`) and the action distributions
are in ``ppo_nets``. Observation normalisation (running mean and std, kept in the
checkpoint) and reward scaling by the running std of the discounted return are options.

Board games train by **self-play** against a pool of the policy's past snapshots, each
rated on an Elo ladder as it joins (``ppo_selfplay``).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import gymnasium as gym
import numba
import numpy as np
import torch
from torch import nn

from seigen.agents.dqn_config import BOARD_GAMES
from seigen.agents.ppo_config import ACConfig, resolve
from seigen.agents.ppo_nets import action_spec, build_net
from seigen.agents.runs import CheckpointError, RunDir, pick_device, read_run_config, torch_threads
from seigen.envs.make import action_masks, episode_stats, play_episodes, vector_backend

if TYPE_CHECKING:
    from seigen.agents.ppo_selfplay import SelfPlay

KIND = "actor_critic"


# ============================================================================ the maths


@numba.njit(cache=True, nogil=True)
def gae(
    rewards: np.ndarray,
    values: np.ndarray,
    dones: np.ndarray,
    last_values: np.ndarray,
    gamma: float,
    lam: float,
) -> np.ndarray:
    """GAE(lambda) advantages ``[T, N]`` (Schulman et al. 2016).

    ``dones[t, i]``: env ``i``'s episode ended at step ``t`` (terminated, or truncated with
    the bootstrap already in ``rewards[t, i]``), so step ``t + 1`` belongs to the next
    episode and neither its value nor its advantage flows back. ``last_values``: V of the
    observation after the rollout's last step.
    """
    T, N = rewards.shape
    adv = np.empty((T, N), dtype=np.float32)
    running = np.zeros(N, dtype=np.float32)
    for t in range(T - 1, -1, -1):
        for i in range(N):
            next_value = last_values[i] if t == T - 1 else values[t + 1, i]
            live = 1.0 - dones[t, i]
            delta = rewards[t, i] + gamma * next_value * live - values[t, i]
            running[i] = delta + gamma * lam * live * running[i]
            adv[t, i] = running[i]
    return adv


def policy_loss(
    new_logp: torch.Tensor, old_logp: torch.Tensor, advantages: torch.Tensor, clip_coef: float
) -> tuple[torch.Tensor, torch.Tensor]:
    """PPO's clipped surrogate, as a loss to minimise, and the ratio ``pi / pi_old``.

    ``-min(r A, clip(r, 1 - c, 1 + c) A)``, averaged; ``clip_coef`` 0 is the plain surrogate
    ``-r A`` (A2C's gradient at ``r = 1``)."""
    ratio = torch.exp(new_logp - old_logp)
    loss = -advantages * ratio
    if clip_coef > 0:
        loss = torch.max(loss, -advantages * torch.clamp(ratio, 1 - clip_coef, 1 + clip_coef))
    return loss.mean(), ratio


def value_loss(
    values: torch.Tensor, old_values: torch.Tensor, returns: torch.Tensor, clip_coef: float | None = None
) -> torch.Tensor:
    """Mean squared error to the returns; with ``clip_coef`` the pessimistic max with the
    error of the value moved at most ``clip_coef`` from ``old_values`` (PPO2)."""
    loss = (values - returns) ** 2
    if clip_coef:
        clipped = old_values + torch.clamp(values - old_values, -clip_coef, clip_coef)
        loss = torch.max(loss, (clipped - returns) ** 2)
    return loss.mean()


def explained_variance(pred: np.ndarray, target: np.ndarray) -> float:
    """1 - Var(target - pred) / Var(target): 1 is a perfect value function, 0 no better than a constant."""
    var = np.var(target)
    return float("nan") if var == 0 else float(1 - np.var(target - pred) / var)


class RunningMeanStd:
    """Running mean and variance of a stream of batches (Chan et al.'s parallel update), in float64."""

    def __init__(self, shape: Sequence[int] = ()) -> None:
        self.mean = np.zeros(shape, np.float64)
        self.var = np.ones(shape, np.float64)
        self.count = 1e-4

    def update(self, x: np.ndarray) -> None:
        x = np.asarray(x, np.float64)
        batch_mean, batch_var, n = x.mean(0), x.var(0), x.shape[0]
        delta = batch_mean - self.mean
        total = self.count + n
        self.mean = self.mean + delta * n / total
        self.var = (self.var * self.count + batch_var * n + delta**2 * self.count * n / total) / total
        self.count = total

    def normalize(self, x: np.ndarray, clip: float = 10.0) -> np.ndarray:
        return np.clip((x - self.mean) / np.sqrt(self.var + 1e-8), -clip, clip).astype(np.float32)

    def state_dict(self) -> dict[str, Any]:
        return {"mean": torch.as_tensor(self.mean), "var": torch.as_tensor(self.var), "count": self.count}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.mean = np.asarray(state["mean"], np.float64)
        self.var = np.asarray(state["var"], np.float64)
        self.count = float(state["count"])


# ============================================================================ the learner


def make_envs(
    cfg: ACConfig,
    *,
    training: bool,
    seed: int | None = None,
    num_envs: int | None = None,
    opponent: Any = None,
) -> gym.vector.VectorEnv:
    """The vector env of a run (training: Atari's reward clipping; evaluation: its protocol).

    Board games put the learner on a random side against ``opponent`` (an ``OpponentPool``
    for self-play; default the random player)."""
    from seigen.envs import make_vector_env

    seed = cfg.seed if seed is None else seed
    num_envs = cfg.num_envs if num_envs is None else num_envs
    extra: dict[str, Any] = {}
    if cfg.env in BOARD_GAMES:
        extra = {"learner_side": "random", "opponent": "random" if opponent is None else opponent}
    asynchronous = bool(cfg.async_envs) and num_envs > 1 and cfg.env not in BOARD_GAMES
    return make_vector_env(
        cfg.env,
        num_envs,
        seed=seed,
        training=training,
        asynchronous=asynchronous,
        protocol=cfg.protocol or "machado",
        backend=cfg.backend,
        threads=cfg.env_threads,
        **extra,
    )


class ActorCritic:
    """The learner: the net, its optimizer, the normalisers, the counters and (board games) the pool."""

    def __init__(
        self,
        cfg: ACConfig,
        obs_shape: Sequence[int],
        action: dict[str, Any],
        device: torch.device | None = None,
    ) -> None:
        self.cfg = cfg
        self.obs_shape = tuple(int(x) for x in obs_shape)
        self.action = action
        self.device = device or torch.device("cpu")
        self.net = build_net(cfg, self.obs_shape, action).to(self.device)
        if cfg.optimizer == "rmsprop":  # A2C's (and SB3's): alpha 0.99, eps 1e-5
            self.optimizer: torch.optim.Optimizer = torch.optim.RMSprop(
                self.net.parameters(), lr=cfg.learning_rate, alpha=0.99, eps=1e-5
            )
        else:
            self.optimizer = torch.optim.Adam(
                self.net.parameters(), lr=cfg.learning_rate, eps=1e-5, fused=True
            )
        self.obs_rms = RunningMeanStd(self.obs_shape) if cfg.norm_obs else None
        self.ret_rms = RunningMeanStd(()) if cfg.norm_reward else None
        self.step = 0
        self.updates = 0
        self.episodes = 0
        # seconds of training over every session (None: resumed from a checkpoint that lacks them)
        self.train_seconds: float | None = 0.0
        self.snapshots: list[dict[str, Any]] = []  # state dicts of the pool's past selves, oldest first

    # ------------------------------------------------------------ acting
    def prepare(self, obs: np.ndarray) -> torch.Tensor:
        """Observations as the net reads them (normalised when ``norm_obs``), on the device."""
        if self.obs_rms is not None:
            obs = self.obs_rms.normalize(obs)
        return torch.as_tensor(obs, device=self.device)

    @torch.inference_mode()
    def predict(
        self, obs: np.ndarray, masks: np.ndarray | None = None, deterministic: bool = True
    ) -> np.ndarray:
        """Actions for a batch of observations (within the legal moves), as the env takes them."""
        m = None if masks is None else torch.as_tensor(masks, device=self.device).bool()
        actions, _, _ = self.net.act(self.prepare(obs), m, deterministic)
        return self.env_actions(actions)

    def env_actions(self, actions: torch.Tensor) -> np.ndarray:
        a = actions.cpu().numpy()
        if self.net.continuous:
            low = np.asarray(self.action["low"], np.float32).reshape(self.action["shape"])
            high = np.asarray(self.action["high"], np.float32).reshape(self.action["shape"])
            return np.clip(a.reshape(len(a), *self.action["shape"]), low, high)
        return a

    # ------------------------------------------------------------ learning
    def update(self, batch: dict[str, torch.Tensor]) -> dict[str, float]:
        """``update_epochs`` passes of minibatch gradient steps over one rollout; returns the metrics."""
        cfg = self.cfg
        n = len(batch["actions"])
        size = min(cfg.minibatch_size, n)
        names = ("pg_loss", "v_loss", "entropy", "approx_kl", "clipfrac")
        stats: list[torch.Tensor] = []  # one row per gradient step, read once at the end (no sync per step)
        for _epoch in range(cfg.update_epochs):
            order = torch.randperm(n, device=self.device)
            for start in range(0, n - size + 1, size):
                idx = order[start : start + size]
                masks = None if batch.get("masks") is None else batch["masks"][idx]
                logp, entropy, values = self.net.evaluate(batch["obs"][idx], batch["actions"][idx], masks)
                adv = batch["advantages"][idx]
                if cfg.norm_adv and len(idx) > 1:
                    adv = (adv - adv.mean()) / (adv.std() + 1e-8)
                pg, ratio = policy_loss(logp, batch["logp"][idx], adv, cfg.clip_coef)
                vl = value_loss(
                    values,
                    batch["values"][idx],
                    batch["returns"][idx],
                    cfg.clip_coef if cfg.clip_vloss else None,
                )
                ent = entropy.mean()
                loss = pg - cfg.ent_coef * ent + cfg.vf_coef * vl
                self.optimizer.zero_grad(set_to_none=True)
                loss.backward()
                nn.utils.clip_grad_norm_(self.net.parameters(), cfg.max_grad_norm)
                self.optimizer.step()
                with torch.no_grad():
                    r = ratio.detach()
                    approx_kl = ((r - 1) - torch.log(r)).mean()
                    clipfrac = ((r - 1).abs() > cfg.clip_coef).float().mean()
                    stats.append(torch.stack([pg.detach(), vl.detach(), ent.detach(), approx_kl, clipfrac]))
                self.updates += 1
            if cfg.target_kl is not None and stats[-1][3].item() > cfg.target_kl:
                break
        out = dict(zip(names, torch.stack(stats).mean(0).tolist(), strict=True))
        out["epochs"] = _epoch + 1
        return out

    # ------------------------------------------------------------ state
    def state_dict(self) -> dict[str, Any]:
        return {
            "kind": KIND,
            "algo": self.cfg.algo,
            "env": self.cfg.env,
            "model": self.net.state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "obs_rms": None if self.obs_rms is None else self.obs_rms.state_dict(),
            "ret_rms": None if self.ret_rms is None else self.ret_rms.state_dict(),
            "updates": self.updates,
            "episodes": self.episodes,
            "train_seconds": self.train_seconds,
            "obs_shape": list(self.obs_shape),
            "action": self.action,
            "net": {
                "hidden": list(self.cfg.hidden or ()),
                "activation": self.cfg.activation,
                "share_trunk": bool(self.cfg.share_trunk),
                "conv": list(self.cfg.conv or ()),
                "log_std_init": self.cfg.log_std_init,
            },
            "snapshots": self.snapshots,
        }

    def load_state_dict(self, state: dict[str, Any], optimizer: bool = True) -> None:
        """Restore a checkpoint's state (``optimizer=False``: all but the optimizer's, to act only)."""
        if list(state.get("obs_shape", [])) != list(self.obs_shape) or state.get("action") != self.action:
            raise ValueError(
                f"checkpoint is for observations {state.get('obs_shape')} and actions {state.get('action')}, "
                f"this env has {list(self.obs_shape)} and {self.action}"
            )
        self.net.load_state_dict(state["model"])
        if optimizer:
            self.optimizer.load_state_dict(state["optimizer"])
        for rms, key in ((self.obs_rms, "obs_rms"), (self.ret_rms, "ret_rms")):
            if rms is not None and state.get(key) is not None:
                rms.load_state_dict(state[key])
        self.updates = int(state["updates"])
        self.episodes = int(state["episodes"])
        self.train_seconds = state.get("train_seconds")
        self.step = int(state["step"])
        self.snapshots = list(state.get("snapshots") or [])


class Rollout:
    """Storage for one rollout, allocated once: ``[num_steps, num_envs, ...]`` tensors on the device."""

    def __init__(
        self,
        T: int,
        N: int,
        obs_shape: Sequence[int],
        obs_dtype: torch.dtype,
        action: dict[str, Any],
        device: torch.device,
    ) -> None:
        self.obs = torch.zeros((T, N, *obs_shape), dtype=obs_dtype, device=device)
        if action["type"] == "box":
            self.actions = torch.zeros((T, N, *action["shape"]), device=device)
        else:
            self.actions = torch.zeros((T, N), dtype=torch.long, device=device)
        self.masks = (
            torch.ones((T, N, action["n"]), dtype=torch.bool, device=device)
            if action["type"] == "discrete"
            else None
        )
        self.logp = torch.zeros((T, N), device=device)
        self.values = torch.zeros((T, N), device=device)
        self.rewards = np.zeros((T, N), np.float32)
        self.dones = np.zeros((T, N), np.float32)

    def batch(self, advantages: np.ndarray, with_masks: bool) -> dict[str, torch.Tensor]:
        device = self.values.device
        adv = torch.as_tensor(advantages, device=device)
        flat = {
            "obs": self.obs.flatten(0, 1),
            "actions": self.actions.flatten(0, 1),
            "logp": self.logp.flatten(),
            "values": self.values.flatten(),
            "advantages": adv.flatten(),
            "returns": (adv + self.values).flatten(),
        }
        if with_masks and self.masks is not None:
            flat["masks"] = self.masks.flatten(0, 1)
        return flat


def probe_action_space(env_id: str) -> gym.Space:
    """The single-env action space of ``env_id`` (an unknown id is Gymnasium's error)."""
    from seigen.envs import make_vector_env

    envs = make_vector_env(env_id, 1)
    try:
        return envs.single_action_space
    finally:
        envs.close()


def train(cfg: ACConfig, on_episode: Callable[[int, float], None] | None = None) -> dict[str, Any]:
    """Run (or resume) a training run; returns a summary with the final evaluation."""
    space = probe_action_space(cfg.env)  # a bad env id fails here, before the run directory exists
    cfg = resolve(cfg, continuous=isinstance(space, gym.spaces.Box))
    device = pick_device(cfg.device)
    with torch_threads(cfg.threads):
        return _train(cfg, device, on_episode)


def _train(
    cfg: ACConfig, device: torch.device, on_episode: Callable[[int, float], None] | None
) -> dict[str, Any]:
    from seigen.agents.ppo_selfplay import SelfPlay
    from seigen.envs import OpponentPool

    board = cfg.env in BOARD_GAMES
    pool = (
        OpponentPool(cfg.pool_size, latest_prob=cfg.latest_prob) if board and cfg.opponent == "self" else None
    )
    envs = make_envs(cfg, training=True, opponent=pool)
    try:
        obs_shape = tuple(envs.single_observation_space.shape)
        action = action_spec(envs.single_action_space)
        run = RunDir(cfg.run_dir, cfg, resume=cfg.resume)
        try:
            if cfg.track:
                run.track("seigen", mode=cfg.wandb_mode, name=f"{cfg.algo}-{cfg.env}-{cfg.seed}")
            torch.manual_seed(cfg.seed)
            agent = ActorCritic(cfg, obs_shape, action, device)
            if cfg.resume:
                agent.load_state_dict(run.load_latest())
            selfplay = SelfPlay(agent, pool, run) if pool is not None else None
            try:
                summary = _loop(cfg, run, envs, agent, selfplay, on_episode)
            except KeyboardInterrupt:
                run.save_checkpoint(agent.state_dict(), agent.step)  # Ctrl-C loses no progress
                raise
            summary["backend"] = vector_backend(envs)
            envs.close()
            summary["evaluation"] = run.record_evaluation(
                lambda record: evaluate(cfg, agent, cfg.eval_episodes, on_episode=record),
                cfg.eval_episodes,
                step=agent.step,
                progress=cfg.progress,
            )
            if selfplay is not None:
                summary["snapshots"] = selfplay.rows
        finally:
            run.close()
    finally:
        envs.close()
    return summary


def _loop(
    cfg: ACConfig,
    run: RunDir,
    envs: gym.vector.VectorEnv,
    agent: ActorCritic,
    selfplay: SelfPlay | None,
    on_episode: Callable[[int, float], None] | None,
) -> dict[str, Any]:
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    N, T = envs.num_envs, cfg.num_steps  # PettingZoo parallel envs: one slot per agent of each copy
    discrete = agent.action["type"] == "discrete"
    obs_dtype = (
        torch.float32
        if agent.obs_rms is not None
        else torch.from_numpy(np.zeros(0, envs.single_observation_space.dtype)).dtype
    )
    roll = Rollout(T, N, agent.obs_shape, obs_dtype, agent.action, agent.device)
    obs, infos = envs.reset(seed=cfg.seed + agent.step)
    masks = action_masks(infos, N, agent.action["n"]) if discrete else None
    returns_acc = np.zeros(N, np.float64)  # the discounted return per env, for reward scaling
    recent: deque[float] = deque(maxlen=100)
    last: dict[str, float] = {}
    start_step = agent.step
    t0 = time.perf_counter()
    base_seconds = agent.train_seconds
    next_ckpt = (agent.step // cfg.checkpoint_every + 1) * cfg.checkpoint_every
    columns = [
        TextColumn(f"[bold]{cfg.algo}[/] {{task.description}}"),
        BarColumn(),
        TextColumn("{task.fields[info]}"),
        TimeRemainingColumn(),
    ]
    with Progress(*columns, disable=not cfg.progress, transient=False) as progress:
        task = progress.add_task(cfg.env, total=cfg.total_steps, completed=agent.step, info="")
        while agent.step < cfg.total_steps:
            if cfg.anneal_lr:
                frac = 1.0 - agent.step / cfg.total_steps
                for group in agent.optimizer.param_groups:
                    group["lr"] = frac * cfg.learning_rate
            for t in range(T):
                if agent.obs_rms is not None:
                    agent.obs_rms.update(obs)
                x = agent.prepare(obs)
                m = None if masks is None else torch.as_tensor(masks, device=agent.device)
                with torch.inference_mode():
                    actions, logp, values = agent.net.act(x, m)
                roll.obs[t] = x
                roll.actions[t] = actions
                roll.logp[t] = logp
                roll.values[t] = values
                if m is not None:
                    roll.masks[t] = m
                obs, rewards, terminated, truncated, infos = envs.step(agent.env_actions(actions))
                rewards = np.asarray(rewards, np.float32)
                done = np.asarray(terminated) | np.asarray(truncated)
                if agent.ret_rms is not None:  # scaled as the value learns them (its bootstrap is already)
                    returns_acc = returns_acc * cfg.gamma + rewards
                    agent.ret_rms.update(returns_acc)
                    rewards = (rewards / np.sqrt(agent.ret_rms.var + 1e-8)).astype(np.float32)
                    returns_acc[done] = 0.0
                cut = np.asarray(truncated) & ~np.asarray(terminated)
                if cut.any():  # bootstrap a time limit from the real last observation
                    final = np.stack([infos["final_obs"][i] for i in np.flatnonzero(cut)])
                    with torch.inference_mode():
                        v = agent.net.value(agent.prepare(final)).cpu().numpy()
                    rewards[cut] += cfg.gamma * v
                roll.rewards[t] = rewards
                roll.dones[t] = done
                masks = action_masks(infos, N, agent.action["n"]) if discrete else None
                agent.step += N
                if base_seconds is not None:
                    agent.train_seconds = base_seconds + time.perf_counter() - t0
                for ret, length in episode_stats(infos):
                    agent.episodes += 1
                    recent.append(ret)
                    run.log(agent.step, episodic_return=ret, episode_length=length)
                    if on_episode is not None:
                        on_episode(agent.step, ret)
            with torch.inference_mode():
                last_values = agent.net.value(agent.prepare(obs)).cpu().numpy()
            values = roll.values.cpu().numpy()
            adv = gae(
                roll.rewards, values, roll.dones, last_values.astype(np.float32), cfg.gamma, cfg.gae_lambda
            )
            last = agent.update(roll.batch(adv, with_masks=discrete))
            last["explained_variance"] = explained_variance(values.ravel(), (adv + values).ravel())
            last["learning_rate"] = agent.optimizer.param_groups[0]["lr"]
            if selfplay is not None and agent.step >= selfplay.next_snapshot(cfg):
                selfplay.snapshot(cfg)
            if agent.step >= next_ckpt or agent.step >= cfg.total_steps:
                run.save_checkpoint(agent.state_dict(), agent.step)
                next_ckpt = (agent.step // cfg.checkpoint_every + 1) * cfg.checkpoint_every
            sps = (agent.step - start_step) / max(time.perf_counter() - t0, 1e-9)
            run.log(agent.step, sps=round(sps, 1), **{k: round(v, 6) for k, v in last.items()})
            mean = f"{np.mean(recent):.1f}" if recent else "-"
            progress.update(task, completed=agent.step, info=f"return {mean}  {sps:,.0f} steps/s")
        progress.update(task, completed=agent.step)
    elapsed = time.perf_counter() - t0
    return {
        "steps": agent.step,
        "episodes": agent.episodes,
        "seconds": elapsed,
        "steps_per_s": (agent.step - start_step) / max(elapsed, 1e-9),
        "train_seconds": agent.train_seconds,
        "recent_return": float(np.mean(recent)) if recent else None,
        "updates": agent.updates,
    }


# ============================================================================ evaluation and loading


def evaluate(
    cfg: ACConfig,
    agent: ActorCritic,
    episodes: int,
    seed: int | None = None,
    on_episode: Callable[[int, float], None] | None = None,
) -> dict[str, Any]:
    """Mean and std of the episodic return over ``episodes`` episodes (the most likely action
    unless ``eval_deterministic`` is off), on ``cfg.eval_envs`` fresh envs at once, seeded apart
    from training (``play_episodes``: each env a fixed share; ``on_episode(k, ret)`` as each ends).
    Board games play the random player, from a random side; ``win_rate`` counts wins."""
    seed = cfg.seed + 10_000 if seed is None else seed
    num_envs = min(cfg.eval_envs, episodes)
    envs = make_envs(cfg, training=False, seed=seed, num_envs=num_envs)
    discrete = agent.action["type"] == "discrete"

    def policy(obs: Any, infos: dict) -> np.ndarray:
        masks = action_masks(infos, num_envs, agent.action["n"]) if discrete else None
        return agent.predict(obs, masks, deterministic=cfg.eval_deterministic)

    try:
        returns = play_episodes(envs, policy, episodes, seed=seed, on_episode=on_episode)
    finally:
        envs.close()
    out = {
        "mean": float(np.mean(returns)),
        "std": float(np.std(returns)),
        "episodes": len(returns),
        "returns": returns,
        "envs": num_envs,
    }
    if cfg.env in BOARD_GAMES:
        out["win_rate"] = float(np.mean([r > 0 for r in returns]))
    return out


def config_from_run(run_dir: Path) -> ACConfig:
    """The config a run was trained with (its ``config.json``)."""
    return read_run_config(run_dir, ACConfig, "actor-critic", "algo")


def learner_from_state(
    state: dict[str, Any], cfg: ACConfig, path: Path, device: str | None = None
) -> ActorCritic:
    """The learner of a checkpoint's state (its net in eval mode); a mismatch is a ``CheckpointError``."""
    try:
        agent = ActorCritic(cfg, tuple(state["obs_shape"]), state["action"], pick_device(device))
        agent.load_state_dict(state, optimizer=False)
    except (KeyError, TypeError, RuntimeError, ValueError) as e:
        raise CheckpointError(f"{path}: does not match the run's network ({e})") from None
    agent.net.eval()
    return agent
