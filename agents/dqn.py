"""DQN and its family in one implementation with switches (Mnih et al. 2015 and after).

Switches: double Q-learning (van Hasselt et al. 2016), dueling heads (Wang et al. 2016),
prioritized replay (Schaul et al. 2016; sum-tree in Numba, beta annealed to 1), n-step
returns, C51 return distributions (Bellemare et al. 2017), noisy nets (Fortunato et al.
2018), DrQ's random-shift and intensity augmentation (Kostrikov et al. 2021), hard or Polyak target
updates, a linear epsilon schedule, and action masks for board games. Presets per env
family come from published settings: classic control from rl-baselines3-zoo (CartPole-v1
reaches 500 in 50k steps), Atari from the Nature paper as CleanRL runs it; the Atari 100k
presets ``der`` (Data-Efficient Rainbow, van Hasselt et al. 2019) and ``drq_eps``
(DrQ(epsilon), Agarwal et al. 2021) take Dopamine's settings.

The update, read top to bottom in ``_loop`` and ``DQN.update``: act epsilon-greedily (within
the legal moves), step the vector env, store the transition (the true final observation for
finished episodes), then every ``train_frequency`` steps sample a batch (its frames randomly
shifted with ``augment``) and minimise, weighted by the importance weights of prioritized
replay, either the Huber loss between Q(s, a) and ``G + discount * Q_target(s', a*)``, or
(``distributional``) the cross-entropy between the predicted distribution of (s, a) and the
target net's distribution at (s', a*) shifted by ``G + discount * z`` and projected back onto
the support. ``a*`` is the online net's choice (double) or the target net's (plain DQN), by
the mean Q. With ``noisy`` every forward pass in training draws new noise (each action choice
and each update); evaluation uses the mean weights.
"""

from __future__ import annotations

import sys
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from seigen.agents.augment import intensity_factors, random_shift
from seigen.agents.dqn_config import BOARD_GAMES, DQNConfig, resolve
from seigen.agents.nets import QNetwork
from seigen.agents.replay import ReplayBuffer, load_replay, save_replay
from seigen.agents.runs import (
    CheckpointError,
    RunDir,
    latest_checkpoint,
    load_checkpoint,
    pick_device,
    read_run_config,
    torch_threads,
)
from seigen.envs.make import action_masks, episode_stats, play_episodes, vector_backend


def make_envs(cfg: DQNConfig, *, training: bool, seed: int | None = None, num_envs: int | None = None) -> Any:
    """The vector env of a run (training: reward clipping on Atari; evaluation: the protocol).

    Atari envs follow ``cfg.protocol`` (unset: machado, as runs made before the field did).
    Board games (``seigen/TicTacToe-v0``, ...) put the learner on a random side against a
    random opponent, with the legal moves in ``info["action_mask"]``."""
    from seigen.envs import is_atari, make_vector_env

    seed = cfg.seed if seed is None else seed
    num_envs = cfg.num_envs if num_envs is None else num_envs
    extra: dict[str, Any] = {"learner_side": "random"} if cfg.env in BOARD_GAMES else {}
    if is_atari(cfg.env):
        extra["protocol"] = cfg.protocol or "machado"
    return make_vector_env(
        cfg.env, num_envs, seed=seed, training=training, backend=cfg.backend, threads=cfg.env_threads, **extra
    )


def masked_argmax(q: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
    """Greedy actions, illegal ones (mask 0) excluded."""
    if mask is None:
        return q.argmax(dim=1)
    return q.masked_fill(~mask.bool(), -torch.inf).argmax(dim=1)


def linear_schedule(start: float, end: float, duration: float, t: float) -> float:
    if duration <= 0:
        return end
    return start + (end - start) * min(1.0, t / duration)


def exploration(cfg: DQNConfig, step: int) -> float:
    """Epsilon at ``step``: from ``start_epsilon`` to ``end_epsilon`` linearly over
    ``exploration_fraction * total_steps`` steps from the start, or, when ``exploration_steps`` is
    set, over that many steps after ``learning_starts`` (Dopamine's ``linearly_decaying_epsilon``)."""
    if cfg.exploration_steps is not None:
        t = max(0, step - cfg.learning_starts)
        return linear_schedule(cfg.start_epsilon, cfg.end_epsilon, cfg.exploration_steps, t)
    return linear_schedule(
        cfg.start_epsilon, cfg.end_epsilon, cfg.exploration_fraction * cfg.total_steps, step
    )


def _random_actions(
    rng: np.random.Generator, n: int, num_actions: int, masks: np.ndarray | None
) -> np.ndarray:
    if masks is None:
        return rng.integers(0, num_actions, size=n)
    out = np.empty(n, dtype=np.int64)
    for i in range(n):
        out[i] = rng.choice(np.flatnonzero(masks[i]))
    return out


def td_target(
    q_next_online: torch.Tensor | None,
    q_next_target: torch.Tensor,
    returns: torch.Tensor,
    discounts: torch.Tensor,
    next_masks: torch.Tensor | None = None,
) -> torch.Tensor:
    """``G + discount * Q_target(s', a*)``: ``a*`` from the online net (double) or the target net."""
    chooser = q_next_target if q_next_online is None else q_next_online
    a_star = masked_argmax(chooser, next_masks)
    value = q_next_target.gather(1, a_star[:, None]).squeeze(1)
    return returns + discounts * value


def categorical_projection(
    support: torch.Tensor, probs: torch.Tensor, returns: torch.Tensor, discounts: torch.Tensor
) -> torch.Tensor:
    """C51's target ``[B, N]``: the distribution ``probs [B, N]`` over ``support [N]`` moved to
    ``returns + discounts * support``, clipped to ``[support[0], support[-1]]``, and projected back
    onto the support: each shifted atom splits its mass between the two nearest atoms in inverse
    proportion to their distance (Bellemare et al. 2017, Algorithm 1; ``discounts = 0`` gives all the
    mass to the atoms around the return)."""
    dz = support[1] - support[0]  # tensors throughout: no device sync
    shifted = (returns[:, None] + discounts[:, None] * support[None, :]).clamp(
        support[0], support[-1]
    )  # [B, N]
    # weight[b, i, j]: the share of shifted atom j that lands on atom i (a triangle of width dz)
    weight = (1.0 - (shifted[:, None, :] - support[None, :, None]).abs() / dz).clamp(min=0.0)
    return (weight * probs[:, None, :]).sum(dim=2)


@dataclass
class DQN:
    """The learner: online and target Q-networks, optimiser, replay, counters."""

    cfg: DQNConfig
    obs_shape: tuple[int, ...]
    num_actions: int
    device: torch.device = field(default_factory=lambda: torch.device("cpu"))

    def __post_init__(self) -> None:
        # a run's config.json from before a field existed leaves it unset: the preset's value is what ran
        cfg = self.cfg = resolve(self.cfg)
        net = dict(
            dueling=cfg.dueling,
            hidden=cfg.hidden or (256, 256),
            distributional=cfg.distributional,
            num_atoms=cfg.num_atoms,
            v_min=cfg.v_min,
            v_max=cfg.v_max,
            noisy=cfg.noisy,
            sigma0=cfg.noisy_sigma0,
        )
        self.q = QNetwork(self.obs_shape, self.num_actions, **net)
        self.q.to(self.device)
        self.target = QNetwork(self.obs_shape, self.num_actions, **net)
        self.target.to(self.device)
        self.target.load_state_dict(self.q.state_dict())
        if cfg.augment and not self.q.image:
            raise ValueError(f"--augment shifts image frames; {cfg.env} has observations {self.obs_shape}")
        adam_eps = cfg.adam_eps if cfg.adam_eps is not None else (1.5e-4 if self.q.image else 1e-8)
        self.optimizer = torch.optim.Adam(self.q.parameters(), lr=cfg.learning_rate, eps=adam_eps, fused=True)
        self.augment_rng = np.random.default_rng([cfg.seed, 1])
        # The target net is a copy of the online net at every update (DrQ(epsilon): a hard copy
        # after each single gradient step): one forward pass of the online net serves as both,
        # and training makes no copy (a checkpoint saves the online weights as the target's).
        self.target_is_online = (
            cfg.target_update_interval == 1
            and cfg.tau >= 1.0
            and cfg.train_frequency == 1
            and cfg.gradient_steps == 1
            and not cfg.noisy
        )
        self.step = 0
        self.updates = 0
        self.episodes = 0
        # seconds of training over every session (None: resumed from a checkpoint that lacks them)
        self.train_seconds: float | None = 0.0

    # ------------------------------------------------------------ acting
    @torch.inference_mode()
    def greedy(self, obs: np.ndarray, masks: np.ndarray | None = None) -> np.ndarray:
        x = torch.as_tensor(obs, device=self.device)
        m = None if masks is None else torch.as_tensor(masks, device=self.device)
        return masked_argmax(self.q(x), m).cpu().numpy()

    def act(
        self, obs: np.ndarray, epsilon: float, rng: np.random.Generator, masks: np.ndarray | None = None
    ) -> np.ndarray:
        """Epsilon-greedy actions for a batch of observations (within the legal moves)."""
        n = obs.shape[0]
        explore = rng.random(n) < epsilon
        actions = _random_actions(rng, n, self.num_actions, masks) if explore.any() else np.zeros(n, np.int64)
        if not explore.all():  # the net only for the envs that exploit
            keep = ~explore
            actions[keep] = self.greedy(obs[keep], None if masks is None else masks[keep])
        return actions

    # ------------------------------------------------------------ learning
    def _tensors(self, b: Any) -> dict[str, torch.Tensor | None]:
        dev = self.device
        next_masks = None if b.next_masks is None else torch.as_tensor(b.next_masks, device=dev).bool()
        if next_masks is not None:
            # a finished game has no legal move; any action's value is multiplied by a zero discount
            next_masks = next_masks | ~next_masks.any(dim=1, keepdim=True)
        obs, next_obs = torch.as_tensor(b.obs, device=dev), torch.as_tensor(b.next_obs, device=dev)
        if self.cfg.augment:  # independent shifts and intensities for s and s' (DrQ)
            obs, next_obs = self._augmented(b.obs), self._augmented(b.next_obs)
        return {
            "obs": obs,
            "next_obs": next_obs,
            "actions": torch.as_tensor(b.actions, device=dev, dtype=torch.int64),
            "returns": torch.as_tensor(b.returns, device=dev, dtype=torch.float32),
            "discounts": torch.as_tensor(b.discounts, device=dev, dtype=torch.float32),
            "weights": torch.as_tensor(b.weights, device=dev, dtype=torch.float32),
            "next_masks": next_masks,
        }

    def _augmented(self, frames: np.ndarray) -> torch.Tensor:
        """Float frames on the device: each image shifted, then scaled by its intensity factor."""
        x = torch.as_tensor(random_shift(frames, self.augment_rng), device=self.device).float()
        factors = torch.as_tensor(intensity_factors(len(frames), self.augment_rng), device=self.device)
        return x * factors.view(-1, *([1] * (x.dim() - 1)))

    @torch.no_grad()
    def _targets(self, t: dict[str, Any]) -> torch.Tensor:
        """``[B]`` TD targets, or ``[B, num_atoms]`` target distributions (``distributional``)."""
        target_net = self.q if self.target_is_online else self.target
        logits = target_net.logits(t["next_obs"])
        q_next_target = target_net.q_values(logits)
        q_next_online = None
        if self.cfg.double:
            q_next_online = q_next_target if self.target_is_online else self.q(t["next_obs"])
        if not self.cfg.distributional:
            return td_target(q_next_online, q_next_target, t["returns"], t["discounts"], t["next_masks"])
        chooser = q_next_target if q_next_online is None else q_next_online
        a_star = masked_argmax(chooser, t["next_masks"])
        probs = logits[torch.arange(len(a_star), device=a_star.device), a_star].softmax(dim=-1)
        return categorical_projection(self.q.support, probs, t["returns"], t["discounts"])

    def _loss(
        self, t: dict[str, Any], target: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """The weighted mean loss, the per-sample loss ``[B]`` (Huber, or C51's cross-entropy) and Q(s, a) ``[B]``."""
        if self.cfg.distributional:
            logits = self.q.logits(t["obs"])
            log_p = logits[torch.arange(len(logits), device=logits.device), t["actions"]].log_softmax(dim=-1)
            per_sample = -(target * log_p).sum(dim=-1)
            q = (log_p.detach().exp() * self.q.support).sum(dim=-1)
        else:
            q = self.q(t["obs"]).gather(1, t["actions"][:, None]).squeeze(1)
            per_sample = F.smooth_l1_loss(q, target, reduction="none")
        return (t["weights"] * per_sample).mean(), per_sample, q

    def update(self, rb: ReplayBuffer, beta: float, steps: int = 1) -> dict[str, float]:
        """``steps`` gradient steps, each on its own sampled batch; returns the last loss and mean Q.

        The buffer does not change during the steps, so without prioritized replay all the
        batches are drawn at once, and without double Q-learning (whose online net moves
        every step) their targets come from one forward pass of the fixed target net."""
        cfg = self.cfg
        bs = cfg.batch_size
        together = not cfg.prioritized
        if together:
            all_t = self._tensors(rb.sample(bs * steps, beta=beta))
            all_targets = None if cfg.double else self._targets(all_t)
        for k in range(steps):
            if together:
                t = {key: None if v is None else v[k * bs : (k + 1) * bs] for key, v in all_t.items()}
                target = self._targets(t) if all_targets is None else all_targets[k * bs : (k + 1) * bs]
            else:
                b = rb.sample(bs, beta=beta)
                t = self._tensors(b)
                target = self._targets(t)
            loss, per_sample, q = self._loss(t, target)
            self.optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(self.q.parameters(), cfg.max_grad_norm)
            self.optimizer.step()
            if cfg.prioritized:  # |TD error|, or the cross-entropy (Rainbow)
                priority = per_sample if cfg.distributional else target - q
                rb.update_priorities(b.indices, priority.detach().abs().cpu().numpy())
            self.updates += 1
        return {"loss": loss.item(), "q_mean": q.detach().mean().item()}

    def update_target(self) -> None:
        tau = self.cfg.tau
        with torch.no_grad():
            online, target = list(self.q.parameters()), list(self.target.parameters())
            if tau >= 1.0:
                torch._foreach_copy_(target, online)
            else:
                torch._foreach_lerp_(target, online, tau)

    # ------------------------------------------------------------ state
    def state_dict(self) -> dict[str, Any]:
        return {
            "q": self.q.state_dict(),
            "target": (self.q if self.target_is_online else self.target).state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "updates": self.updates,
            "episodes": self.episodes,
            "train_seconds": self.train_seconds,
            "obs_shape": list(self.obs_shape),
            "num_actions": self.num_actions,
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        if (
            list(state.get("obs_shape", [])) != list(self.obs_shape)
            or state.get("num_actions") != self.num_actions
        ):
            raise ValueError(
                f"checkpoint is for observations {state.get('obs_shape')} and {state.get('num_actions')} actions, "
                f"this env has {list(self.obs_shape)} and {self.num_actions}"
            )
        self.q.load_state_dict(state["q"])
        self.target.load_state_dict(state["target"])
        self.optimizer.load_state_dict(state["optimizer"])
        self.updates = int(state["updates"])
        self.episodes = int(state["episodes"])
        self.train_seconds = state.get("train_seconds")
        self.step = int(state["step"])


def train(cfg: DQNConfig, on_episode: Callable[[int, float], None] | None = None) -> dict[str, Any]:
    """Run (or resume) a training run; returns a summary with the final evaluation."""
    cfg = resolve(cfg)
    device = pick_device(cfg.device)
    with torch_threads(cfg.threads):
        return _train(cfg, device, on_episode)


def _train(
    cfg: DQNConfig, device: torch.device, on_episode: Callable[[int, float], None] | None
) -> dict[str, Any]:
    envs = make_envs(cfg, training=True)  # a bad env id fails here, before the run directory exists
    try:
        if not hasattr(envs.single_action_space, "n"):
            raise ValueError(f"DQN needs discrete actions; {cfg.env} has {envs.single_action_space}")
        run = RunDir(cfg.run_dir, cfg, resume=cfg.resume)
        try:
            if cfg.track:
                run.track("seigen", mode=cfg.wandb_mode, name=f"dqn-{cfg.env}-{cfg.seed}")
            obs_shape = tuple(envs.single_observation_space.shape)
            num_actions = int(envs.single_action_space.n)
            torch.manual_seed(cfg.seed)
            agent = DQN(cfg, obs_shape, num_actions, device)
            if cfg.resume:
                agent.load_state_dict(run.load_latest())
            rb = ReplayBuffer(
                cfg.buffer_size,
                obs_shape,
                envs.single_observation_space.dtype,
                num_envs=cfg.num_envs,
                frame_stack=obs_shape[0] if agent.q.image else 1,
                n_step=cfg.n_step,
                gamma=cfg.gamma,
                mask_dim=num_actions if cfg.env in BOARD_GAMES else None,
                prioritized=cfg.prioritized,
                alpha=cfg.per_alpha,
                seed=cfg.seed,
            )
            restored = cfg.resume and _restore_replay(cfg, run, rb, agent.step)
            if cfg.resume:  # each resume is on record, with or without its replay
                run.log(agent.step, resumed_with_replay=int(restored))
            rng = np.random.default_rng(cfg.seed + agent.step)
            try:
                summary = _loop(cfg, run, envs, agent, rb, rng, on_episode, restored)
            except KeyboardInterrupt:
                _save(cfg, run, agent, rb)  # Ctrl-C loses no progress
                raise
            (run.checkpoints / REPLAY_FILE).unlink(missing_ok=True)  # trained: no more use for it
            summary["backend"] = vector_backend(envs)
            summary["replay_restored"] = restored
            envs.close()
            summary["evaluation"] = run.record_evaluation(
                lambda record: evaluate(cfg, agent, cfg.eval_episodes, on_episode=record),
                cfg.eval_episodes,
                step=agent.step,
                progress=cfg.progress,
            )
        finally:
            run.close()
    finally:
        envs.close()
    return summary


REPLAY_FILE = "replay.npz"
"""The replay buffer of the latest checkpoint, in the run's ``checkpoints/`` (``--save-replay``)."""


def _save(cfg: DQNConfig, run: RunDir, agent: DQN, rb: ReplayBuffer) -> None:
    """A checkpoint, and with ``save_replay`` the replay buffer beside it, of the same step
    (not after the last step: a trained run needs no replay)."""
    run.save_checkpoint(agent.state_dict(), agent.step)
    if cfg.save_replay and agent.step < cfg.total_steps:
        save_replay(rb, run.checkpoints / REPLAY_FILE, agent.step)


def _restore_replay(cfg: DQNConfig, run: RunDir, rb: ReplayBuffer, step: int) -> bool:
    """Refill ``rb`` from the replay saved with the checkpoint of ``step``, its running episodes
    cut (the envs start afresh); False, with a warning, when there is none to use."""
    path = run.checkpoints / REPLAY_FILE
    for stale in run.checkpoints.glob(f".{REPLAY_FILE}.*.tmp"):  # a write that a crash cut short
        stale.unlink(missing_ok=True)
    if not cfg.save_replay or not path.exists():
        return False
    try:
        restored = load_replay(rb, path, step)
    except ValueError as e:
        print(f"dqn: warning: {e}; the replay starts empty", file=sys.stderr)
        return False
    if not restored:
        print(f"dqn: warning: {path} is not of step {step}; the replay starts empty", file=sys.stderr)
        return False
    rb.cut_episodes()
    return True


def _loop(
    cfg: DQNConfig,
    run: RunDir,
    envs: Any,
    agent: DQN,
    rb: ReplayBuffer,
    rng: np.random.Generator,
    on_episode: Callable[[int, float], None] | None,
    restored: bool = False,
) -> dict[str, Any]:
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    n = cfg.num_envs
    obs, infos = envs.reset(seed=cfg.seed + agent.step)
    masks = action_masks(infos, n, agent.num_actions)
    start_step = agent.step
    # after a resume without the saved replay it starts empty: wait for a few batches' worth,
    # and at least until the first transitions have their n steps stored
    resumed_wait = 0 if restored else max(cfg.batch_size, cfg.learning_starts // 10, cfg.n_step * n)
    learn_from = start_step + (cfg.learning_starts if start_step == 0 else resumed_wait)
    recent: deque[float] = deque(maxlen=100)
    last: dict[str, float] = {}
    t0 = time.perf_counter()
    base_seconds = agent.train_seconds
    next_ckpt = (agent.step // cfg.checkpoint_every + 1) * cfg.checkpoint_every
    columns = [
        TextColumn("[bold]dqn[/] {task.description}"),
        BarColumn(),
        TextColumn("{task.fields[info]}"),
        TimeRemainingColumn(),
    ]
    with Progress(*columns, disable=not cfg.progress, transient=False) as progress:
        task = progress.add_task(cfg.env, total=cfg.total_steps, completed=agent.step, info="")
        while agent.step < cfg.total_steps:
            eps = exploration(cfg, agent.step)
            actions = agent.act(obs, eps, rng, masks)
            next_obs, rewards, terminated, truncated, infos = envs.step(actions)
            real_next = np.array(next_obs, copy=True)
            final = infos.get("_final_obs")
            if final is not None:
                for i in np.flatnonzero(final):
                    real_next[i] = infos["final_obs"][i]
            masks = action_masks(
                infos, n, agent.num_actions
            )  # legal moves at next_obs (reset obs where an episode ended)
            next_masks = masks
            if masks is not None and final is not None and final.any():
                next_masks = masks.copy()
                fin = infos.get("final_info", {})
                fm = action_masks(fin, n, agent.num_actions) if "action_mask" in fin else None
                for i in np.flatnonzero(final):
                    next_masks[i] = fm[i] if fm is not None else False
            rb.add(obs, actions, rewards, terminated, truncated, real_next, next_masks)
            obs = next_obs
            agent.step += n
            if base_seconds is not None:
                agent.train_seconds = base_seconds + time.perf_counter() - t0
            for ret, length in episode_stats(infos):
                agent.episodes += 1
                recent.append(ret)
                run.log(agent.step, episodic_return=ret, episode_length=length, epsilon=round(eps, 4))
                if on_episode is not None:
                    on_episode(agent.step, ret)
            if agent.step >= learn_from and agent.step % cfg.train_frequency < n:
                beta = linear_schedule(cfg.per_beta, 1.0, cfg.total_steps, agent.step)
                last = agent.update(rb, beta, cfg.gradient_steps)
            if agent.step % cfg.target_update_interval < n and not agent.target_is_online:
                agent.update_target()
            if agent.step >= next_ckpt or agent.step >= cfg.total_steps:
                _save(cfg, run, agent, rb)
                next_ckpt += cfg.checkpoint_every
                sps = (agent.step - start_step) / max(time.perf_counter() - t0, 1e-9)
                run.log(agent.step, sps=round(sps, 1), **last)
            if agent.step % 1000 < n:
                sps = (agent.step - start_step) / max(time.perf_counter() - t0, 1e-9)
                mean = f"{np.mean(recent):.1f}" if recent else "-"
                progress.update(
                    task, completed=agent.step, info=f"return {mean}  eps {eps:.2f}  {sps:,.0f} steps/s"
                )
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
        "replay_transitions": len(rb),
        "replay_nbytes": int(rb.nbytes),
    }


def evaluate(
    cfg: DQNConfig,
    agent: DQN,
    episodes: int,
    seed: int | None = None,
    on_episode: Callable[[int, float], None] | None = None,
) -> dict[str, Any]:
    """Mean and std of the episodic return over ``episodes`` episodes under the evaluation protocol
    (no reward clipping; epsilon ``eval_epsilon``; noisy layers at their mean weights), on
    ``cfg.eval_envs`` fresh envs at once, seeded apart from training (``play_episodes``:
    each env a fixed share; ``on_episode(k, ret)`` as each ends)."""
    cfg = resolve(cfg)
    seed = cfg.seed + 10_000 if seed is None else seed
    num_envs = min(cfg.eval_envs, episodes)
    envs = make_envs(cfg, training=False, seed=seed, num_envs=num_envs)
    rng = np.random.default_rng(seed)
    was_training = agent.q.training
    agent.q.eval()

    def policy(obs: Any, infos: dict) -> np.ndarray:
        return agent.act(obs, cfg.eval_epsilon or 0.0, rng, action_masks(infos, num_envs, agent.num_actions))

    try:
        returns = play_episodes(envs, policy, episodes, seed=seed, on_episode=on_episode)
    finally:
        agent.q.train(was_training)
        envs.close()
    return {
        "mean": float(np.mean(returns)),
        "std": float(np.std(returns)),
        "episodes": len(returns),
        "returns": returns,
        "envs": num_envs,
    }


def load_agent(run_dir: str | Path, device: str = "auto") -> tuple[DQNConfig, DQN]:
    """The config and the agent of a run directory, at its latest checkpoint."""
    cfg = read_run_config(run_dir, DQNConfig, "DQN", "env")
    ckpt = latest_checkpoint(run_dir)
    if ckpt is None:
        raise CheckpointError(f"{run_dir}: no checkpoint to evaluate")
    state = load_checkpoint(ckpt)
    agent = DQN(cfg, tuple(state["obs_shape"]), int(state["num_actions"]), pick_device(device))
    try:
        agent.load_state_dict(state)
    except (KeyError, RuntimeError, ValueError) as e:
        raise CheckpointError(f"{ckpt}: does not match the run's network ({e})") from None
    return cfg, agent
