"""Policy-value networks for AlphaZero: a ResNet built from the game's shape, its loss, and augmentation.

The trunk is AlphaGo Zero's: a 3x3 convolution, then ``blocks`` residual blocks of two
3x3 convolutions with batch norm, ``channels`` wide. The policy head is a 1x1
convolution to 2 planes and a linear layer to the actions (Go's pass included); the
value head a 1x1 convolution to 1 plane, a hidden layer and ``tanh``. With
``global_pool`` every other block adds a KataGo-style bias: the mean and max of its
planes over the board, through a linear layer, added to each channel, so that a block
sees the whole board at once. With ``ownership`` (Go) two more heads predict, from the
mover's view, who owns each point at the end (tanh per point) and the final score
margin; both are auxiliary targets that speed up learning (KataGo).

The same ``NetSpec`` serves tic-tac-toe, Connect Four and Go of any size; it is saved
in every checkpoint so that a net is rebuilt without its training config.

Training with several processes (DDP) swaps the batch norms for ``SyncBatchNorm2d``
(``sync_batch_norm``): each process sees a share of the batch, and batch norm must still
normalise by the statistics of the whole batch, or the gradient is not that of one process.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch import nn


@dataclass(frozen=True)
class NetSpec:
    """The shape of a policy-value net: what it reads, what it predicts, how big it is."""

    in_channels: int
    height: int
    width: int
    actions: int
    blocks: int = 4
    channels: int = 64
    global_pool: bool = False
    ownership: bool = False
    value_hidden: int = 128
    opponent_policy: bool = False
    """KataGo's auxiliary head: the opponent's reply to the move about to be played."""

    def __post_init__(self) -> None:
        if min(self.in_channels, self.height, self.width, self.actions, self.channels) < 1 or self.blocks < 0:
            raise ValueError(f"bad network shape: {self}")

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> NetSpec:
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in names})


class GlobalPoolBias(nn.Module):
    """Mean and max of each plane over the board -> a per-channel bias (KataGo's global pooling)."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.fc = nn.Linear(2 * channels, channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        pooled = torch.cat([x.mean(dim=(2, 3)), x.amax(dim=(2, 3))], dim=1)
        return x + self.fc(pooled)[:, :, None, None]


class ResidualBlock(nn.Module):
    def __init__(self, channels: int, global_pool: bool = False) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.pool = GlobalPoolBias(channels) if global_pool else None
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = F.relu(self.bn1(self.conv1(x)))
        if self.pool is not None:
            y = self.pool(y)
        y = self.bn2(self.conv2(y))
        return F.relu(x + y)


class _AllReduceSum(torch.autograd.Function):
    """``dist.all_reduce`` (sum over ranks) as a differentiable op: the gradient reaching each
    rank's input is the sum over ranks of the gradients of the output. This is what
    ``torch.distributed.nn.functional.all_reduce`` does; recent torch deprecates that one
    (with a warning) for functional collectives, whose gradient older torch lacks."""

    @staticmethod
    def forward(ctx: Any, tensor: torch.Tensor) -> torch.Tensor:
        out = tensor.clone(memory_format=torch.contiguous_format)
        dist.all_reduce(out)
        return out

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> torch.Tensor:
        out = grad.clone(memory_format=torch.contiguous_format)
        dist.all_reduce(out)
        return out


def _sum(tensor: torch.Tensor) -> torch.Tensor:
    return _AllReduceSum.apply(tensor)


@functools.cache
def _sum_eagerly() -> Callable[[torch.Tensor], torch.Tensor]:
    # a collective inside an autograd.Function runs eagerly, between compiled graphs; made on
    # first use, since torch.compiler.disable imports torch._dynamo (seconds at every start)
    return torch.compiler.disable(_sum)


def sum_over_ranks(tensor: torch.Tensor) -> torch.Tensor:
    """The sum of ``tensor`` over the ranks of the default process group, differentiable."""
    return _sum_eagerly()(tensor)


def _distributed() -> bool:
    return dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1


class SyncBatchNorm2d(nn.BatchNorm2d):
    """``nn.BatchNorm2d`` that, in training with a process group of several ranks, normalises
    by the mean and variance of the batches of all ranks together, and updates the running
    statistics as ``nn.BatchNorm2d`` would over that whole batch (so every rank keeps the same).

    ``torch.nn.SyncBatchNorm`` does this on GPUs only; this one works with any device and
    backend (gloo on CPUs). The statistics take two reductions: the sum and count for the
    mean, then the sum of squared deviations from it (accurate where the sum of squares
    minus the squared mean would cancel). Both reductions are differentiable, so the
    gradient flows through the other ranks' statistics as it would through one batch.
    Outside a process group, or in eval mode, it is ``nn.BatchNorm2d``; its parameters and
    buffers, and so its state dict, are the same.
    """

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not (self.training and _distributed()):
            return super().forward(x)
        self._check_input_dim(x)
        c = x.shape[1]
        xf = x.float()  # statistics in float32 also under autocast, as cuDNN's batch norm keeps them
        local = torch.cat([xf.sum(dim=(0, 2, 3)), xf.new_full((1,), x.numel() // c)])
        total = sum_over_ranks(local)
        n = total[c]  # values per channel over all ranks (exact in float32 below 2**24)
        mean = total[:c] / n
        centered = xf - mean[None, :, None, None]
        var = sum_over_ranks(centered.square().sum(dim=(0, 2, 3))) / n  # biased, as batch norm divides
        y = centered * torch.rsqrt(var + self.eps)[None, :, None, None]
        if self.affine:
            y = y * self.weight[None, :, None, None] + self.bias[None, :, None, None]
        if self.track_running_stats and self.running_mean is not None and self.running_var is not None:
            with torch.no_grad():
                factor = self.momentum
                if self.num_batches_tracked is not None:
                    self.num_batches_tracked.add_(1)
                    if factor is None:  # a cumulative moving average, as nn.BatchNorm2d
                        factor = 1.0 / float(self.num_batches_tracked)
                factor = 0.0 if factor is None else factor
                self.running_mean.mul_(1 - factor).add_(mean.to(self.running_mean.dtype), alpha=factor)
                unbiased = var * (n / (n - 1))
                self.running_var.mul_(1 - factor).add_(unbiased.to(self.running_var.dtype), alpha=factor)
        return y.to(x.dtype)


def sync_batch_norm(module: nn.Module) -> nn.Module:
    """Swap every ``nn.BatchNorm2d`` in ``module`` for a ``SyncBatchNorm2d`` that takes over its
    parameters and buffers (the same tensors, so an optimizer built already keeps them, and
    the state dict's keys do not change); in place, returning ``module`` (or the new norm
    when ``module`` itself is one). For data-parallel training only: one process keeps its
    plain, faster batch norms."""

    def convert(bn: nn.BatchNorm2d) -> SyncBatchNorm2d:
        sync = SyncBatchNorm2d(bn.num_features, bn.eps, bn.momentum, bn.affine, bn.track_running_stats)
        for name, param in bn.named_parameters(recurse=False):
            setattr(sync, name, param)
        for name, buffer in bn.named_buffers(recurse=False):
            setattr(sync, name, buffer)
        return sync.train(bn.training)

    if type(module) is nn.BatchNorm2d:
        return convert(module)
    for parent in list(module.modules()):
        for name, child in list(parent.named_children()):
            if type(child) is nn.BatchNorm2d:
                setattr(parent, name, convert(child))
    return module


class PolicyValueNet(nn.Module):
    """``net(x[B, C, H, W]) -> (policy_logits[B, A], value[B])``; ``net(x, all_heads=True)`` adds the aux heads."""

    def __init__(self, spec: NetSpec) -> None:
        super().__init__()
        self.spec = spec
        c, h, w = spec.channels, spec.height, spec.width
        self.stem = nn.Sequential(
            nn.Conv2d(spec.in_channels, c, 3, padding=1, bias=False), nn.BatchNorm2d(c), nn.ReLU()
        )
        self.blocks = nn.Sequential(
            *[ResidualBlock(c, global_pool=spec.global_pool and i % 2 == 1) for i in range(spec.blocks)]
        )
        self.policy_conv = nn.Sequential(nn.Conv2d(c, 2, 1, bias=False), nn.BatchNorm2d(2), nn.ReLU())
        self.policy_fc = nn.Linear(2 * h * w, spec.actions)
        self.value_conv = nn.Sequential(nn.Conv2d(c, 1, 1, bias=False), nn.BatchNorm2d(1), nn.ReLU())
        self.value_fc = nn.Sequential(
            nn.Linear(h * w, spec.value_hidden), nn.ReLU(), nn.Linear(spec.value_hidden, 1)
        )
        if spec.opponent_policy:
            self.opp_policy_conv = nn.Sequential(nn.Conv2d(c, 2, 1, bias=False), nn.BatchNorm2d(2), nn.ReLU())
            self.opp_policy_fc = nn.Linear(2 * h * w, spec.actions)
        if spec.ownership:
            self.ownership_conv = nn.Conv2d(c, 1, 1)
            self.score_fc = nn.Sequential(
                nn.Linear(2 * c, spec.value_hidden), nn.ReLU(), nn.Linear(spec.value_hidden, 1)
            )

    def heads(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        """All heads: ``policy`` logits, ``value`` in [-1, 1], and with ``ownership`` also
        ``ownership`` [B, H*W] in [-1, 1] and ``score`` [B] (the final margin for the mover over H*W);
        with ``opponent_policy`` also ``opp_policy`` logits (the opponent's reply)."""
        t = self.blocks(self.stem(x))
        out = {
            "policy": self.policy_fc(self.policy_conv(t).flatten(1)),
            "value": torch.tanh(self.value_fc(self.value_conv(t).flatten(1))).squeeze(1),
        }
        if self.spec.opponent_policy:
            out["opp_policy"] = self.opp_policy_fc(self.opp_policy_conv(t).flatten(1))
        if self.spec.ownership:
            out["ownership"] = torch.tanh(self.ownership_conv(t).flatten(1))
            pooled = torch.cat([t.mean(dim=(2, 3)), t.amax(dim=(2, 3))], dim=1)
            out["score"] = self.score_fc(pooled).squeeze(1)
        return out

    def forward(self, x: torch.Tensor, all_heads: bool = False) -> Any:
        """``(policy_logits, value)``; with ``all_heads`` the dict of ``heads``."""
        out = self.heads(x)
        return out if all_heads else (out["policy"], out["value"])


def policy_value_loss(
    net: Any,
    batch: dict[str, torch.Tensor],
    *,
    ownership_weight: float = 1.5,
    score_weight: float = 0.5,
    opponent_weight: float = 0.15,
) -> tuple[torch.Tensor, dict[str, float]]:
    """AlphaZero's loss on a batch: policy cross-entropy with the search's distribution plus
    the value's squared error with the game's outcome (plus the aux heads when present).

    ``batch``: ``features`` [B, C, H, W] float, ``policy`` [B, A] (rows sum to 1), ``value``
    [B] in {-1, 0, 1}; for aux heads ``ownership`` [B, H*W] and ``score`` [B] (points, mover's view).
    An optional ``value_weight`` [B] (0 or 1) leaves positions out of the value loss: games
    learned from without a known result (``seigen.selfplay.supervised``). With the
    ``opp_policy`` head, ``opp_policy`` [B, A] (the opponent's reply, one-hot) and
    ``opp_weight`` [B] (0 where there was none) add its cross-entropy times
    ``opponent_weight`` (KataGo's 0.15).
    L2 regularisation is the optimizer's weight decay.
    """
    out = net(batch["features"], all_heads=True)
    logp = F.log_softmax(out["policy"].float(), dim=1)
    target = batch["policy"]
    policy_loss = -(target * logp).sum(dim=1).mean()
    if "value_weight" in batch:
        weight = batch["value_weight"].float()
        squared = (out["value"].float() - batch["value"]) ** 2
        value_loss = (weight * squared).sum() / weight.sum().clamp_min(1.0)
    else:
        value_loss = F.mse_loss(out["value"].float(), batch["value"])
    loss = policy_loss + value_loss
    stats = {"policy_loss": policy_loss.detach(), "value_loss": value_loss.detach()}
    if "ownership" in out and "ownership" in batch:
        own_loss = F.mse_loss(out["ownership"].float(), batch["ownership"])
        area = float(batch["ownership"].shape[1])
        score_loss = F.mse_loss(out["score"].float(), batch["score"] / area)
        loss = loss + ownership_weight * own_loss + score_weight * score_loss
        stats["ownership_loss"] = own_loss.detach()
        stats["score_loss"] = score_loss.detach()
    if "opp_policy" in out and "opp_policy" in batch:
        opp_logp = F.log_softmax(out["opp_policy"].float(), dim=1)
        weight = batch["opp_weight"].float()
        opp_loss = (weight * -(batch["opp_policy"] * opp_logp).sum(dim=1)).sum() / weight.sum().clamp_min(1.0)
        loss = loss + opponent_weight * opp_loss
        stats["opp_policy_loss"] = opp_loss.detach()
    with torch.no_grad():
        entropy = -(target * torch.log(target.clamp_min(1e-12))).sum(dim=1).mean()
        stats["policy_kl"] = policy_loss.detach() - entropy
    return loss, {k: float(v) for k, v in stats.items()}


class Augmenter:
    """Random board symmetries for a training batch, on the batch's device.

    One symmetry per sample, applied group by group: features are rotated/flipped as
    planes, policies (and ownership) permuted with the game's action permutation
    (``seigen.engine.games.symmetries``).
    """

    def __init__(
        self, transforms: list[tuple[int, bool, np.ndarray]], device: torch.device | str = "cpu"
    ) -> None:
        self.transforms = [
            (k, flip, torch.as_tensor(np.argsort(perm), device=device)) for k, flip, perm in transforms
        ]

    def __call__(
        self, batch: dict[str, torch.Tensor], generator: torch.Generator | None = None
    ) -> dict[str, torch.Tensor]:
        if len(self.transforms) <= 1:
            return batch
        b = batch["features"].shape[0]
        which = torch.randint(len(self.transforms), (b,), generator=generator).to(batch["features"].device)
        out = {k: v.clone() for k, v in batch.items()}
        for t, (k, flip, inverse) in enumerate(self.transforms):
            idx = (which == t).nonzero().squeeze(1)
            if t == 0 or idx.numel() == 0:
                continue
            x = batch["features"][idx]
            if flip:
                x = x.flip(-1)
            out["features"][idx] = torch.rot90(x, k, (-2, -1))
            out["policy"][idx] = batch["policy"][idx][:, inverse]
            if "opp_policy" in batch:
                out["opp_policy"][idx] = batch["opp_policy"][idx][:, inverse]
            if "ownership" in batch:
                n = inverse.shape[0] - 1  # Go: points, then pass
                out["ownership"][idx] = batch["ownership"][idx][:, inverse[:n]]
        return out


def load_net(path: str | Any, device: str | torch.device = "cpu") -> tuple[PolicyValueNet, dict[str, Any]]:
    """A trained net (in eval mode) and its checkpoint's dict, from a run directory (its
    latest checkpoint) or a checkpoint file; ``CheckpointError`` names a bad file.

    The dict holds ``game`` (``name``, ``size``, ``komi``, ``rules``, ``max_moves``: what
    ``seigen.engine.games.make_game`` takes), ``spec`` and ``step``.
    """
    from seigen.agents.runs import checkpoint_file, load_checkpoint

    path = checkpoint_file(path)
    return net_from_state(load_checkpoint(path), path, device)


def net_from_state(
    state: dict[str, Any], path: Any, device: str | torch.device = "cpu"
) -> tuple[PolicyValueNet, dict[str, Any]]:
    """``load_net`` for a checkpoint dict already loaded from ``path`` (named in errors)."""
    from seigen.agents.runs import CheckpointError

    if state.get("kind") != "alphazero" or "spec" not in state or "model" not in state:
        raise CheckpointError(f"{path}: not an AlphaZero checkpoint (kind {state.get('kind')!r})")
    try:
        net = PolicyValueNet(NetSpec.from_dict(state["spec"]))
        net.load_state_dict(state["model"])
    except (TypeError, ValueError, RuntimeError) as e:
        raise CheckpointError(f"{path}: the weights do not fit the saved network shape ({e})") from None
    return net.to(device).eval(), {**state, "path": str(path)}


def net_state(net: PolicyValueNet, game: dict[str, Any]) -> dict[str, Any]:
    """The part of a checkpoint that rebuilds the net (``load_net``): ``kind``, ``spec``, ``model``, ``game``.

    ``game``: ``name`` and, for Go, ``size``, ``komi``, ``rules``, ``max_moves``.
    """
    model = getattr(net, "_orig_mod", net)  # torch.compile wraps the module
    return {
        "kind": "alphazero",
        "spec": model.spec.to_dict(),
        "model": {k: v.detach().cpu() for k, v in model.state_dict().items()},
        "game": dict(game),
    }
