"""The AlphaZero trainer: gradient steps on batches from the window of recent games."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch

from seigen.agents.pvnet import Augmenter, NetSpec, PolicyValueNet, net_state, policy_value_loss
from seigen.engine.games import symmetries


def game_dict(cfg: Any) -> dict[str, Any]:
    """What ``make_game`` needs to rebuild the game of a ``SelfPlayConfig`` (saved in checkpoints)."""
    if cfg.game == "go":
        return {
            "name": "go",
            "size": cfg.size,
            "komi": cfg.komi,
            "rules": cfg.rules,
            "max_moves": cfg.max_moves,
        }
    return {"name": cfg.game}


def net_spec(cfg: Any, feature_shape: tuple[int, int, int], actions: int) -> NetSpec:
    return NetSpec(
        *feature_shape,
        actions,
        blocks=cfg.blocks,
        channels=cfg.channels,
        global_pool=bool(cfg.global_pool),
        ownership=bool(cfg.ownership and cfg.game == "go"),
    )


class Trainer:
    """The net being trained, its optimizer and learning-rate schedule, and one ``train_step``."""

    def __init__(self, cfg: Any, spec: NetSpec, device: torch.device) -> None:
        self.cfg = cfg
        self.device = device
        self.net = PolicyValueNet(spec).to(device)
        if cfg.optimizer == "sgd":
            self.optimizer: torch.optim.Optimizer = torch.optim.SGD(
                self.net.parameters(), lr=cfg.lr, momentum=0.9, nesterov=True, weight_decay=cfg.weight_decay
            )
        else:
            self.optimizer = torch.optim.AdamW(
                self.net.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay
            )
        self.amp = bool(cfg.amp) and device.type == "cuda"
        self.model = torch.compile(self.net) if cfg.compile and device.type == "cuda" else self.net
        transforms = symmetries(cfg.game, cfg.size) if cfg.augment else []
        self.augment = Augmenter(transforms, device) if len(transforms) > 1 else None
        self.step = 0
        self.samples = 0

    def lr(self) -> float:
        """Cosine from ``lr`` to ``lr_final`` over ``lr_decay_steps``, then flat."""
        cfg = self.cfg
        if not cfg.lr_decay_steps:
            return cfg.lr
        t = min(1.0, self.step / cfg.lr_decay_steps)
        return cfg.lr_final + 0.5 * (cfg.lr - cfg.lr_final) * (1 + math.cos(math.pi * t))

    def train_step(self, batch: dict[str, np.ndarray]) -> dict[str, float]:
        """One gradient step on a batch of numpy arrays (``Window.sample``)."""
        lr = self.lr()
        for group in self.optimizer.param_groups:
            group["lr"] = lr
        tensors = {k: torch.from_numpy(v).to(self.device, non_blocking=True) for k, v in batch.items()}
        if self.augment is not None:
            tensors = self.augment(tensors)
        self.net.train()
        with torch.autocast(self.device.type, dtype=torch.bfloat16, enabled=self.amp):
            loss, stats = policy_value_loss(self.model, tensors)
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.optimizer.step()
        self.step += 1
        self.samples += len(batch["value"])
        stats["loss"] = float(loss.detach())
        stats["lr"] = lr
        return stats

    def state_dict(self, game: dict[str, Any]) -> dict[str, Any]:
        return {
            **net_state(self.net, game),
            "optimizer": self.optimizer.state_dict(),
            "samples": self.samples,
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.net.load_state_dict(state["model"])
        if "optimizer" in state:
            self.optimizer.load_state_dict(state["optimizer"])
        self.step = int(state["step"])
        self.samples = int(state.get("samples", 0))
