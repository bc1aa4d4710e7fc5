"""Self-play for the board games of ``seigen.agents.ppo``: the opponents and the snapshot ladder.

Each env's opponent is drawn at every reset from an ``OpponentPool`` (``seigen.envs``):
the current policy (a :class:`PolicyOpponent` on the live net) with probability
``latest_prob``, else one of the last ``pool_size`` snapshots. Every ``snapshot_every``
steps :class:`SelfPlay` adds a snapshot to the pool and rates it in matches against the
random player and the previous snapshot, on an Elo ladder anchored at random = 0
(``RUN_DIR/snapshots.jsonl``, read back on resume).
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import torch

from seigen.agents.ppo import ActorCritic
from seigen.agents.ppo_config import ACConfig
from seigen.agents.ppo_nets import ActorCriticNet, build_net, categorical_sample, masked_log_softmax
from seigen.agents.runs import RunDir
from seigen.engine.files import append_jsonl, read_jsonl
from seigen.engine.ratings import ladder_from_rows, upgrade_rows

# ============================================================================ the opponents


class PolicyOpponent:
    """A policy as a board-game opponent: ``obs_dict -> action``, sampled within the mask.

    ``frozen``: a copy of the net on the CPU (a snapshot); else the live net, so the
    opponent improves with the learner."""

    def __init__(self, net: ActorCriticNet, seed: int, frozen: bool = True, name: str = "latest") -> None:
        self.net = copy.deepcopy(net).cpu().eval() if frozen else net
        self.name = name
        self.generator = torch.Generator().manual_seed(int(seed))

    @torch.inference_mode()
    def __call__(self, obs: dict[str, np.ndarray]) -> int:
        device = next(self.net.parameters()).device
        x = torch.as_tensor(np.asarray(obs["observation"])[None], device=device)
        mask = torch.as_tensor(np.asarray(obs["action_mask"])[None], device=device).bool()
        logits, _ = self.net(x)
        logp = masked_log_softmax(logits.cpu(), mask.cpu())
        return int(categorical_sample(logp, self.generator)[0])


# ============================================================================ self-play


class SelfPlay:
    """The opponent pool of a board-game run and the rating of its snapshots.

    The pool's ``latest`` is the live net; every ``snapshot_every`` steps a frozen copy
    joins it and is rated (``rate``) against the random player and the previous snapshot;
    the rows go to ``RUN_DIR/snapshots.jsonl`` and the ladder is rebuilt from them on resume.
    """

    def __init__(self, agent: ActorCritic, pool: Any, run: RunDir) -> None:
        self.agent = agent
        self.pool = pool
        self.run = run
        self.file = run.path / "snapshots.jsonl"
        self.rows = upgrade_rows(read_jsonl(self.file))
        self.ladder = ladder_from_rows(self.rows)
        pool.latest = PolicyOpponent(agent.net, seed=agent.cfg.seed, frozen=False)
        for i, state in enumerate(agent.snapshots[-pool.max_size :]):
            net = build_net(agent.cfg, agent.obs_shape, agent.action)
            net.load_state_dict(state["model"])
            pool.add(PolicyOpponent(net, seed=agent.cfg.seed + i + 1, name=state["name"]))

    def next_snapshot(self, cfg: ACConfig) -> int:
        last = self.agent.snapshots[-1]["step"] if self.agent.snapshots else 0
        return last + cfg.snapshot_every

    def snapshot(self, cfg: ACConfig) -> dict[str, Any]:
        """Freeze the current net into the pool and rate it; returns its row."""
        from seigen.agents.agent import ActorCriticAgent, RandomAgent

        agent = self.agent
        name = f"step-{agent.step}"
        me = ActorCriticAgent(agent, name=name)
        row: dict[str, Any] = {"player": name, "step": agent.step, "vs": {}}
        opponents: list[Any] = [RandomAgent(cfg.seed + agent.step)]
        if agent.snapshots:
            prev = agent.snapshots[-1]
            net = build_net(cfg, agent.obs_shape, agent.action)
            net.load_state_dict(prev["model"])
            opponents.append(ActorCriticAgent(_Frozen(agent, net), name=prev["name"]))
        for opp in opponents:
            outcome = me.match(opp, cfg.snapshot_games, seed=cfg.seed + agent.step)
            self.ladder.add_outcome(outcome)
            row["vs"][opp.name] = outcome.summary()
        rating = self.ladder.ratings().get(name, {})
        row.update({k: rating.get(k) for k in ("elo", "elo_low", "elo_high")})
        state = {"name": name, "step": agent.step, "model": copy.deepcopy(agent.net.state_dict())}
        agent.snapshots = [*agent.snapshots, state][-cfg.pool_size :]
        self.pool.add(PolicyOpponent(agent.net, seed=cfg.seed + agent.step, name=name))
        self.rows.append(row)
        append_jsonl(self.file, row)
        vs = {k: v["win_rate"] for k, v in row["vs"].items()}
        self.run.log(agent.step, snapshot=name, elo=row["elo"], **{f"win_rate/{k}": v for k, v in vs.items()})
        return row


class _Frozen:
    """A past net in the shape ``ActorCriticAgent`` reads (an ``ActorCritic`` without optimizer)."""

    def __init__(self, like: ActorCritic, net: ActorCriticNet) -> None:
        self.cfg, self.obs_shape, self.action, self.device = (
            like.cfg,
            like.obs_shape,
            like.action,
            like.device,
        )
        self.net = net.to(like.device).eval()
        self.obs_rms = like.obs_rms

    prepare = ActorCritic.prepare
    predict = ActorCritic.predict
    env_actions = ActorCritic.env_actions
