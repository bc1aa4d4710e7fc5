"""One inference process for all actors: the net lives once on the GPU, the actors' batches meet there.

Each actor owns a ``Slot``: shared-memory tensors for its features (in) and its logits
and values (out), and an event. ``RemoteEvaluator`` (the actor's evaluator) copies its
batch into the slot, puts ``(slot, n)`` on the shared request queue and waits for the
event. ``serve`` takes every request that is waiting (up to ``gather_seconds`` for the
rest), runs one forward pass over all of them, writes each slot's outputs back and sets
the events; it follows ``RUN_DIR/checkpoints/latest`` the way the actors otherwise do.

On a GPU this keeps one CUDA context and one copy of the weights, and turns several
actors' batches into one larger batch; on the CPU each actor's own net (``local``) is
as fast and simpler, so ``inference="auto"`` uses the server only with cuda and more
than one actor.
"""

from __future__ import annotations

import logging
import queue
import time
from typing import Any

import numpy as np
import torch

from seigen.engine.devices import resolve_precision

log = logging.getLogger("seigen.selfplay.inference")


class Slot:
    """One actor's shared buffers: ``features`` [max_batch, C, H, W], ``logits`` [max_batch, A], ``values``."""

    def __init__(self, ctx: Any, max_batch: int, feature_shape: tuple[int, ...], actions: int) -> None:
        self.features = torch.zeros((max_batch, *feature_shape), dtype=torch.float32).share_memory_()
        self.logits = torch.zeros((max_batch, actions), dtype=torch.float32).share_memory_()
        self.values = torch.zeros(max_batch, dtype=torch.float32).share_memory_()
        self.ready = ctx.Event()


class RemoteEvaluator:
    """The actor side: the evaluator interface of ``seigen.engine.search`` over a ``Slot``."""

    needs_features = True
    rollouts = 0

    def __init__(self, slot: Slot, requests: Any, index: int, timeout: float = 300.0) -> None:
        self.slot = slot
        self.requests = requests
        self.index = index
        self.timeout = timeout

    def __call__(
        self, features: np.ndarray | None, legal_mask: np.ndarray, rollout_values: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        if features is None:
            raise ValueError("RemoteEvaluator needs features")
        n = features.shape[0]
        if n > self.slot.features.shape[0]:
            raise ValueError(f"batch of {n} is larger than the slot ({self.slot.features.shape[0]})")
        self.slot.features[:n].copy_(torch.from_numpy(features))
        self.slot.ready.clear()
        self.requests.put((self.index, n))
        if not self.slot.ready.wait(self.timeout):
            raise RuntimeError(f"the inference server did not answer within {self.timeout:.0f} s")
        return self.slot.logits[:n].numpy().copy(), self.slot.values[:n].numpy().copy()


def serve(
    run_dir: str | None,
    net: Any,
    slots: list[Slot],
    requests: Any,
    stop: Any,
    device: str = "cpu",
    *,
    amp: bool = True,
    gather_seconds: float = 0.002,
    threads: int = 1,
    score_utility: float = 0.0,
) -> None:
    """The server loop (run it in its own process): until ``stop.is_set()``. ``score_utility``:
    the values blend in the score head's margin (``seigen.engine.search.net_forward``)."""
    from seigen.agents.pvnet import load_net
    from seigen.agents.runs import CheckpointError, NewestCheckpoint
    from seigen.engine.search import net_forward

    torch.set_num_threads(threads)
    dev = torch.device(device)
    net = net.to(dev).eval()
    use_amp = amp and resolve_precision("auto", dev) == "bf16"
    follow = NewestCheckpoint(run_dir, load_net) if run_dir else None
    served = follow.current() if follow is not None else None
    log.info(
        "inference server on %s: serving %s to %d actors",
        device,
        served.name if served is not None else "the given net",
        len(slots),
    )
    batches = evaluations = 0
    while not stop.is_set():
        try:
            pending = [requests.get(timeout=0.1)]
        except queue.Empty:
            pending = []
        if pending:
            deadline = time.monotonic() + gather_seconds
            while len(pending) < len(slots):
                try:
                    pending.append(requests.get(timeout=max(0.0, deadline - time.monotonic())))
                except queue.Empty:
                    break
            x = torch.cat([slots[i].features[:n] for i, n in pending]).to(dev, non_blocking=True)
            with torch.inference_mode(), torch.autocast(dev.type, dtype=torch.bfloat16, enabled=use_amp):
                logits, values = net_forward(net, x, score_utility)
            logits, values = logits.float().cpu(), values.float().reshape(-1).cpu()
            start = 0
            for i, n in pending:
                slots[i].logits[:n].copy_(logits[start : start + n])
                slots[i].values[:n].copy_(values[start : start + n])
                slots[i].ready.set()
                start += n
            batches += 1
            evaluations += start
        if follow is None:
            continue
        try:
            fresh = follow.poll()
        except CheckpointError as e:
            log.warning("inference server: %s", e)
            continue
        if fresh is not None:
            net.load_state_dict(fresh[0].state_dict())
            log.info(
                "inference server: now serving %s (%d batches, %d evaluations so far)",
                follow.name,
                batches,
                evaluations,
            )
