"""The AlphaZero trainer: gradient steps on batches from the window of recent games.

With ``train_processes`` K > 1 the trainer trains with DistributedDataParallel: the
process that makes the ``Trainer`` is rank 0 and starts K - 1 worker processes (one per
GPU with NCCL, or CPU processes with gloo). Each ``train_step`` sends the workers a
command through a pipe, scatters K equal slices of the batch, and every rank runs the
loss on its slice; DDP averages the gradients and the batch norms (``SyncBatchNorm2d``)
normalise over the whole batch, so a step is the step of one process on the whole batch.
Rank 0 alone reads and writes checkpoints; ``load_state_dict`` hands its state to the
workers. Commands go through pipes, not collectives, because a collective times out
while the trainer waits for games, and a pipe tells a worker at once that rank 0 is gone.
"""

from __future__ import annotations

import contextlib
import math
import signal
import socket
import time
from datetime import timedelta
from typing import Any

import numpy as np
import torch
import torch.distributed as dist
import torch.multiprocessing as mp

from seigen.agents.pvnet import (
    Augmenter,
    NetSpec,
    PolicyValueNet,
    net_state,
    policy_value_loss,
    sync_batch_norm,
)
from seigen.engine.devices import resolve_precision
from seigen.engine.games import symmetries

DDP_TIMEOUT = timedelta(seconds=120)
"""How long a rank waits for the others in one collective (and to join the group) before it fails."""

_STEP, _LOAD, _STOP = "step", "load", "stop"
"""Rank 0's commands to the workers: a training step, a state to load, the end."""


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
        opponent_policy=bool(cfg.opponent_policy),
    )


def batch_shapes(spec: NetSpec) -> dict[str, tuple[int, ...]]:
    """The arrays of a training batch and the shape of one row of each (``Window.sample``)."""
    shapes: dict[str, tuple[int, ...]] = {
        "features": (spec.in_channels, spec.height, spec.width),
        "policy": (spec.actions,),
        "value": (),
    }
    if spec.ownership:
        shapes["ownership"] = (spec.height * spec.width,)
        shapes["score"] = ()
    if spec.opponent_policy:
        shapes["opp_policy"] = (spec.actions,)
        shapes["opp_weight"] = ()
    return shapes


def _pack(batch: dict[str, np.ndarray], spec: NetSpec) -> np.ndarray:
    """The batch as one float32 matrix, a row per position (``_unpack`` undoes it), so that
    one scatter sends each rank its rows of every array."""
    rows = len(batch["value"])
    missing = sorted(set(batch_shapes(spec)) - set(batch))
    if missing:
        raise ValueError(f"a training batch needs {', '.join(missing)} too")
    parts = [np.asarray(batch[k], dtype=np.float32).reshape(rows, -1) for k in batch_shapes(spec)]
    return np.concatenate(parts, axis=1)


def _pack_width(spec: NetSpec) -> int:
    """The columns of ``_pack``'s matrix."""
    return sum(math.prod(shape) for shape in batch_shapes(spec).values())


def _unpack(packed: torch.Tensor, spec: NetSpec) -> dict[str, torch.Tensor]:
    shapes = batch_shapes(spec)
    widths = [math.prod(shape) for shape in shapes.values()]
    parts = packed.split(widths, dim=1)
    rows = packed.shape[0]
    return {
        k: p.reshape(rows, *shape).contiguous() for (k, shape), p in zip(shapes.items(), parts, strict=True)
    }


def _free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now (for the process group's rendezvous)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _to_cpu(obj: Any) -> Any:
    """``obj`` (nested dicts, lists, tuples) with its tensors on the CPU, for ``broadcast_object_list``:
    a tensor pickled on cuda:0 would be unpickled on cuda:0 by every rank."""
    if isinstance(obj, torch.Tensor):
        return obj.detach().cpu()
    if isinstance(obj, dict):
        return {k: _to_cpu(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return type(obj)(_to_cpu(v) for v in obj)
    return obj


class _Replica:
    """One process's copy of the training: the net, its optimizer, the model that the loss
    runs (the net, wrapped in DDP when ``world`` > 1, compiled with ``compile`` on cuda) and
    the augmenter. Rank 0's belongs to the ``Trainer``; each worker holds one."""

    def __init__(self, cfg: Any, spec: NetSpec, device: torch.device, world: int) -> None:
        self.spec = spec
        self.device = device
        self.world = world
        self.net = PolicyValueNet(spec).to(device)
        if world > 1:
            sync_batch_norm(self.net)
        if cfg.optimizer == "sgd":
            self.optimizer: torch.optim.Optimizer = torch.optim.SGD(
                self.net.parameters(), lr=cfg.lr, momentum=0.9, nesterov=True, weight_decay=cfg.weight_decay
            )
        else:
            self.optimizer = torch.optim.AdamW(
                self.net.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay
            )
        self.amp = bool(cfg.amp) and resolve_precision("auto", device) == "bf16"
        model: torch.nn.Module = self.net
        if world > 1:  # DDP copies rank 0's parameters and buffers to every rank here
            device_ids = [device.index] if device.type == "cuda" else None
            model = torch.nn.parallel.DistributedDataParallel(self.net, device_ids=device_ids)
        self.model = torch.compile(model) if cfg.compile and device.type == "cuda" else model
        transforms = symmetries(cfg.game, cfg.size) if cfg.augment else []
        self.augment = Augmenter(transforms, device) if len(transforms) > 1 else None

    def step(self, tensors: dict[str, torch.Tensor], lr: float) -> tuple[torch.Tensor, dict[str, float]]:
        """One gradient step on this rank's tensors at ``lr``: the loss (detached) and its stats."""
        for group in self.optimizer.param_groups:
            group["lr"] = lr
        if self.augment is not None:
            tensors = self.augment(tensors)
        self.net.train()
        with torch.autocast(self.device.type, dtype=torch.bfloat16, enabled=self.amp):
            loss, stats = policy_value_loss(self.model, tensors)
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.optimizer.step()
        return loss.detach(), stats

    def distributed_step(self, packed: torch.Tensor, lr: float) -> tuple[float, dict[str, float]]:
        """``step`` on this rank's rows of the packed batch; the loss and stats averaged over the
        ranks, which is their value on the whole batch (every rank has as many rows)."""
        loss, stats = self.step(_unpack(packed, self.spec), lr)
        values = torch.tensor([float(loss), *stats.values()], dtype=torch.float64, device=self.device)
        dist.all_reduce(values)
        mean = (values / self.world).tolist()
        return mean[0], dict(zip(stats, mean[1:], strict=True))

    def load(self, state: dict[str, Any]) -> None:
        self.net.load_state_dict(state["model"])
        self.optimizer.load_state_dict(state["optimizer"])


def _worker(rank: int, world: int, port: int, backend: str, cfg: Any, spec: NetSpec, commands: Any) -> None:
    """A DDP training process (rank > 0): it joins the group, builds the same net and runs
    rank 0's commands until ``stop`` or until rank 0's end of the pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is rank 0's to handle; it stops us
    if backend == "nccl":
        device = torch.device("cuda", rank)
        torch.cuda.set_device(device)
    else:
        device = torch.device("cpu")
        torch.set_num_threads(1)
    # the net's init is overwritten by rank 0's; the seed gives each rank its own augmentations
    torch.manual_seed(int(np.random.SeedSequence([getattr(cfg, "seed", 0), rank]).generate_state(1)[0]))
    dist.init_process_group(
        backend, init_method=f"tcp://127.0.0.1:{port}", rank=rank, world_size=world, timeout=DDP_TIMEOUT
    )
    try:
        replica = _Replica(cfg, spec, device, world)
        width = _pack_width(spec)
        while True:
            try:
                command = commands.recv()
            except EOFError:  # rank 0 is gone
                return
            if command[0] == _STOP:
                return
            if command[0] == _LOAD:
                state: list[Any] = [None]
                dist.broadcast_object_list(state, src=0)
                replica.load(state[0])
            elif command[0] == _STEP:
                _, lr, rows = command
                packed = torch.empty((rows, width), dtype=torch.float32, device=device)
                dist.scatter(packed, None, src=0)
                replica.distributed_step(packed, lr)
    finally:
        dist.destroy_process_group()


class Trainer:
    """The net being trained, its optimizer and learning-rate schedule, and one ``train_step``.

    With ``cfg.train_processes`` K > 1 this process is rank 0 of K that train with DDP (see
    the module's docstring); ``net`` is still the plain module (for checkpoints) and
    ``model`` the DDP wrapper the loss runs. ``close()`` stops the other processes.
    """

    def __init__(self, cfg: Any, spec: NetSpec, device: torch.device) -> None:
        self.cfg = cfg
        self.device = device
        self.spec = spec
        self.world = int(getattr(cfg, "train_processes", 1))
        self.step = 0
        self.samples = 0
        self._workers: list[Any] = []
        self._pipes: list[Any] = []
        self._group = False
        self._closed = False
        replica_device = device
        if self.world > 1:
            replica_device = self._start_workers()
        try:
            self._replica = _Replica(cfg, spec, replica_device, self.world)
        except BaseException:
            self.close(wait=0.0)  # a worker may wait in a collective that will not come
            raise

    # the replica's parts, under the names the rest of seigen uses
    @property
    def net(self) -> PolicyValueNet:
        return self._replica.net

    @property
    def optimizer(self) -> torch.optim.Optimizer:
        return self._replica.optimizer

    @property
    def model(self) -> Any:
        return self._replica.model

    @property
    def augment(self) -> Augmenter | None:
        return self._replica.augment

    @property
    def amp(self) -> bool:
        return self._replica.amp

    def _start_workers(self) -> torch.device:
        """Check the setup, start the K - 1 workers and join the process group with them;
        returns rank 0's device."""
        k, cfg, device = self.world, self.cfg, self.device
        if cfg.batch_size % k:
            raise ValueError(
                f"--batch-size {cfg.batch_size} must be a multiple of --train-processes {k}: "
                "each training process takes an equal share of the batch"
            )
        if not dist.is_available():
            raise RuntimeError("--train-processes > 1 needs torch.distributed, which this torch lacks")
        if dist.is_initialized():
            raise RuntimeError("this process is in a process group already (another DDP trainer not closed?)")
        if device.type == "cuda":
            if device.index not in (None, 0):
                raise ValueError(
                    f"with --train-processes rank r trains on cuda:r, so rank 0 on cuda:0, not {device}"
                )
            if torch.cuda.device_count() < k:
                raise ValueError(
                    f"--train-processes {k} needs {k} GPUs (one per process); "
                    f"{torch.cuda.device_count()} are visible"
                )
            backend, device = "nccl", torch.device("cuda", 0)
            torch.cuda.set_device(device)
        else:
            backend = "gloo"
        port = _free_port()
        ctx = mp.get_context("spawn")
        for rank in range(1, k):
            receive, send = ctx.Pipe(duplex=False)
            worker = ctx.Process(
                target=_worker,
                args=(rank, k, port, backend, cfg, self.spec, receive),
                name=f"seigen-trainer-{rank}",
                daemon=True,
            )
            worker.start()
            receive.close()  # the worker's end: when rank 0 dies, the worker reads EOF
            self._workers.append(worker)
            self._pipes.append(send)
        try:
            dist.init_process_group(
                backend, init_method=f"tcp://127.0.0.1:{port}", rank=0, world_size=k, timeout=DDP_TIMEOUT
            )
        except Exception as e:
            self.close(wait=0.0)
            raise RuntimeError(f"the {k - 1} DDP training processes did not join ({e})") from e
        self._group = True
        return device

    def lr(self) -> float:
        """Cosine from ``lr`` to ``lr_final`` over ``lr_decay_steps``, then flat."""
        cfg = self.cfg
        if not cfg.lr_decay_steps:
            return cfg.lr
        t = min(1.0, self.step / cfg.lr_decay_steps)
        return cfg.lr_final + 0.5 * (cfg.lr - cfg.lr_final) * (1 + math.cos(math.pi * t))

    def train_step(self, batch: dict[str, np.ndarray]) -> dict[str, float]:
        """One gradient step on a batch of numpy arrays (``Window.sample``).

        With DDP the batch is the whole batch: each process trains on its share and the
        stats (``loss`` included) are those of the whole batch."""
        lr = self.lr()
        if self.world == 1:
            tensors = {k: torch.from_numpy(v).to(self.device, non_blocking=True) for k, v in batch.items()}
            loss_tensor, stats = self._replica.step(tensors, lr)
            loss = float(loss_tensor)
        else:
            loss, stats = self._distributed_step(batch, lr)
        self.step += 1
        self.samples += len(batch["value"])
        stats["loss"] = loss
        stats["lr"] = lr
        return stats

    def _distributed_step(self, batch: dict[str, np.ndarray], lr: float) -> tuple[float, dict[str, float]]:
        rows = len(batch["value"])
        if rows % self.world:
            raise ValueError(f"a batch of {rows} does not split among {self.world} training processes")
        packed = _pack(batch, self.spec)
        self._command(_STEP, lr, rows // self.world)
        try:
            chunks = list(torch.from_numpy(packed).to(self._replica.device).chunk(self.world))
            local = torch.empty_like(chunks[0])
            dist.scatter(local, chunks, src=0)
            return self._replica.distributed_step(local, lr)
        except RuntimeError as e:  # a collective failed: some rank is gone
            raise self._failure(e) from e

    def state_dict(self, game: dict[str, Any]) -> dict[str, Any]:
        return {
            **net_state(self.net, game),
            "optimizer": self.optimizer.state_dict(),
            "samples": self.samples,
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Load a checkpoint's net, optimizer and counters; with DDP every process then takes
        rank 0's net and optimizer state, so that they go on training one net."""
        self.net.load_state_dict(state["model"])
        if "optimizer" in state:
            self.optimizer.load_state_dict(state["optimizer"])
        self.step = int(state["step"])
        self.samples = int(state.get("samples", 0))
        if self.world > 1:
            payload = _to_cpu({"model": self.net.state_dict(), "optimizer": self.optimizer.state_dict()})
            self._command(_LOAD)
            try:
                dist.broadcast_object_list([payload], src=0)
            except RuntimeError as e:
                raise self._failure(e) from e

    def _command(self, *command: Any) -> None:
        """Send every worker ``command``; a dead worker is a ``RuntimeError``."""
        if self._closed:
            raise RuntimeError("the trainer is closed")
        try:
            for worker, pipe in zip(self._workers, self._pipes, strict=True):
                if not worker.is_alive():
                    raise RuntimeError(f"{worker.name} has exited")
                pipe.send(command)
        except (OSError, RuntimeError) as e:
            raise self._failure(e) from e

    def _failure(self, error: BaseException) -> RuntimeError:
        """The error for a DDP step that broke off (a process stopped, or rank 0's own step
        failed): the collectives are out of step, so the other processes are stopped too."""
        time.sleep(0.5)  # let a crashing worker finish exiting, to name its exit code
        gone = [f"{w.name} exit code {w.exitcode}" for w in self._workers if not w.is_alive()]
        self.close(wait=0.0)
        what = (
            f"a DDP training process stopped ({'; '.join(gone)})"
            if gone
            else f"DDP training failed ({error})"
        )
        return RuntimeError(f"{what}; the run's last checkpoint is safe: continue it with --resume")

    def close(self, wait: float = 30.0) -> None:
        """Stop the DDP training processes (terminated if they have not ended in ``wait``
        seconds) and leave the process group. Idempotent; nothing to do with one process."""
        if self._closed:
            return
        self._closed = True
        for pipe in self._pipes:
            with contextlib.suppress(OSError):  # a worker that is gone already
                pipe.send((_STOP,))
            pipe.close()
        deadline = time.monotonic() + wait
        for worker in self._workers:
            worker.join(max(0.0, deadline - time.monotonic()))
        for worker in self._workers:
            if worker.is_alive():
                worker.terminate()
                worker.join(5.0)
        if self._group:
            self._group = False
            dist.destroy_process_group()

    def __enter__(self) -> Trainer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
