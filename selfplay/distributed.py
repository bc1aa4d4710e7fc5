"""``seigen selfplay --backend ray``: the same run with its actors and trainer as Ray actors.

::

    SelfPlayActor x N (any node) ──finished games (shard bytes, object store)──▶ Trainer (driver's node)
         ▲                                                                         │ RUN_DIR/games/, checkpoints/
         └────────────── weights of each new checkpoint (object store) ◀───────────┘
    driver (``seigen selfplay``): routes both, restarts, progress; evaluator process on its node

**Where the data goes.** Actors do not write files: each ``play(seconds)`` call returns
the games it finished as the bytes of one shard, through Ray's object store, and the
trainer writes that shard into ``RUN_DIR/games/`` (atomically, under the name the actor
gave it, so a retried delivery is written once). The run directory stays the single
source of truth and needs no shared filesystem: only the trainer's node has it. The
trainer is pinned to the node of the driver, so the evaluator, ``--resume`` and
``seigen eval`` read the same directory there; start ``seigen selfplay`` on the GPU node.
A shard is a few hundred kB (compressed, features bit-packed), a few per actor per
minute: far below what the object store moves.

**Weights.** After each checkpoint the driver asks the trainer for the net's weights once
and hands a reference to the same object to every actor's next ``play``; an actor fetches
it once (one copy per node), and no actor restarts for a new net.

**Faults.** Every actor is a Ray actor with unlimited restarts. An actor that dies
(killed, its node lost) is restarted by Ray; the games it had in progress, never
returned, are dropped. The call that met the dead actor is retried on the new
incarnation, which fetches the weights the call carries; the driver notices the new pid,
logs a warning and counts the restart in ``RUN_DIR/actors.json``. The
trainer restarts too, and its new incarnation resumes from the run directory (the last
checkpoint and every shard on disk); deliveries queued for the dead one are retried
there. A finished game counts once its shard is on disk, as with ``local``, so the count
only grows, and ``--resume`` continues the run with either backend.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import re
import socket
import time
from pathlib import Path
from typing import Any

from seigen.agents.runs import RunError
from seigen.selfplay.config import SelfPlayConfig

log = logging.getLogger("seigen.selfplay")

MAX_RESTARTS = 20
"""Actor deaths after which a run gives up (something is wrong beyond a lost node)."""


def require_ray() -> Any:
    """The ``ray`` module, or a ``RunError`` that says how to install it."""
    try:
        import ray
    except ImportError:
        raise RunError("--backend ray needs Ray: pip install 'seigen[dist]' (or: pip install ray)") from None
    return ray


class SelfPlayActor:
    """One self-play actor (a Ray actor): ``games_in_flight`` games in lock-step, its own net.

    It keeps no files: ``play`` returns the games it finished, encoded as a shard."""

    def __init__(self, cfg: SelfPlayConfig, index: int, device: str) -> None:
        import torch

        torch.set_num_threads(1)
        self.cfg, self.index, self.device = cfg, index, device
        self.seed = int.from_bytes(os.urandom(4), "little") ^ (index * 7919) ^ int(cfg.seed)
        self.play_: Any = None
        self.weights: str | None = None

    def info(self) -> dict[str, Any]:
        """Where this actor runs: ``pid``, ``host``, ``node`` (Ray's node id)."""
        import ray

        return {
            "actor": self.index,
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "node": ray.get_runtime_context().get_node_id(),
        }

    def _load(self, name: str, state: dict[str, Any]) -> None:
        from seigen.agents.pvnet import net_from_state
        from seigen.selfplay.actor import SelfPlay

        if self.play_ is None:
            net, _ = net_from_state(state, name, self.device)
            self.play_ = SelfPlay(self.cfg, net, device=self.device, seed=self.seed)
        else:
            self.play_.set_weights(state["model"])
        self.weights = name

    def play(self, seconds: float, weights: list[Any]) -> tuple[dict[str, Any], bytes | None]:
        """Play for ``seconds`` with the net ``weights = [checkpoint name, ObjectRef of its
        net_state]`` (fetched only when it is new to this actor); returns ``(meta, shard
        bytes)`` of the games finished meanwhile (``None`` when none finished). ``meta``:
        ``name``, ``games``, ``positions``, ``pid``, ``sgf``."""
        import ray

        from seigen.selfplay.shards import encode, shard_name

        name, ref = weights
        if name != self.weights:
            self._load(name, ray.get(ref))
        done = []
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            done.extend(self.play_.step())
        meta = {
            "name": shard_name(self.index),
            "games": len(done),
            "positions": sum(len(g) for g in done),
            "pid": os.getpid(),
        }
        if not done:
            return meta, None
        data = encode(done, (self.play_.evaluations, self.play_.eval_seconds, *self.play_.resign_checks))
        self.play_.evaluations, self.play_.eval_seconds, self.play_.resign_checks = 0, 0.0, [0, 0]
        meta["sgf"] = next((g.sgf for g in done if g.sgf), None)
        return meta, data


class TrainerActor:
    """The trainer (a Ray actor on the driver's node): ``SelfPlayRun`` fed by deliveries.

    A restarted incarnation resumes the run from its directory."""

    def __init__(self, cfg: SelfPlayConfig) -> None:
        import ray

        from seigen.selfplay.actor import log_to
        from seigen.selfplay.run import SelfPlayRun

        if ray.get_runtime_context().was_current_actor_reconstructed:
            cfg = dataclasses.replace(cfg, resume=True)
        self.sp = SelfPlayRun(cfg)
        log_to(
            self.sp.path, "trainer"
        )  # the actors log where Ray keeps worker logs: they may be on other nodes
        self.pid = os.getpid()

    def config(self) -> tuple[SelfPlayConfig, str, int]:
        """The session's resolved config, the evaluator's device (``actor_device`` as the
        local backend resolves it) and this incarnation's pid."""
        return self.sp.cfg, self.sp.actor_device, self.pid

    def add_shard(self, meta: dict[str, Any], data: bytes) -> int:
        """Write one delivered shard into ``RUN_DIR/games`` (once, whatever the retries); its games count at the next scan."""
        from seigen.engine.files import write_atomic

        path = self.sp.games_dir / meta["name"]
        if not path.exists():
            write_atomic(path, data)
            if meta.get("sgf"):
                write_atomic(self.sp.path / "sgf" / f"{path.stem}.sgf", meta["sgf"].encode())
        return meta["games"]

    def warn(self, message: str) -> None:
        """Record a warning of the driver in the run's log and metrics."""
        self.sp._warn(message)

    def run_for(self, seconds: float) -> dict[str, Any]:
        """Train for about ``seconds``; the progress row, the latest checkpoint and whether a limit was reached."""
        end = time.monotonic() + seconds
        done = False
        while time.monotonic() < end and not done:
            done = self.sp.tick()
        latest = self.sp.run.latest_checkpoint()
        return {
            "done": done,
            "row": self.sp.row(),
            "eval": self.sp.latest_eval,
            "checkpoint": latest.name if latest else None,
            "pid": self.pid,
        }

    def weights(self, name: str) -> dict[str, Any]:
        """The ``net_state`` of checkpoint ``name`` (the latest one if ``name`` has been rotated out): what actors load."""
        from seigen.agents.runs import CheckpointError, load_checkpoint

        try:
            state = load_checkpoint(self.sp.run.checkpoints / name)
        except CheckpointError:
            state = load_checkpoint(self.sp.run.latest_checkpoint())
        return {k: state[k] for k in ("kind", "spec", "model", "game")}

    def end(self) -> dict[str, Any]:
        """Scan the last deliveries, save, close the run; the summary."""
        sp = self.sp
        sp._scan()
        summary = sp.end()
        sp.trainer.close()
        return sp.close(summary)


def _connect(ray: Any, cfg: SelfPlayConfig) -> bool:
    """Join or start the cluster; True when this call started it (and must shut it down)."""
    if ray.is_initialized():
        return False
    quiet = dict(include_dashboard=False, log_to_driver=False, logging_level=logging.WARNING)
    if cfg.ray_address:
        try:
            ray.init(address=cfg.ray_address, log_to_driver=False, logging_level=logging.WARNING)
        except (ConnectionError, RuntimeError, ValueError) as e:
            raise RunError(f"cannot join the Ray cluster at {cfg.ray_address}: {e}") from None
        return True
    ray.init(num_cpus=max(os.cpu_count() or 1, cfg.actors + 1), **quiet)
    return True


def _check_resources(ray: Any, cfg: SelfPlayConfig, trainer_gpus: int) -> None:
    """A clear error instead of a run that waits forever for resources the cluster lacks."""
    have = ray.cluster_resources()
    need_cpu = cfg.actors + 1
    need_gpu = cfg.actors * cfg.gpus_per_actor + trainer_gpus
    if have.get("CPU", 0) < need_cpu:
        raise RunError(
            f"the Ray cluster has {have.get('CPU', 0):g} CPUs; the run needs {need_cpu} "
            f"(one per actor, --actors {cfg.actors}, and one for the trainer)"
        )
    if have.get("GPU", 0) < need_gpu:
        raise RunError(
            f"the Ray cluster has {have.get('GPU', 0):g} GPUs; the run needs {need_gpu:g} "
            f"(--gpus-per-actor {cfg.gpus_per_actor:g} x {cfg.actors} actors, {trainer_gpus} for the trainer)"
        )


def cause(error: BaseException) -> str:
    """One line for a Ray error: the exception raised in the remote call (or in an actor's
    constructor, from the last line of Ray's message), else Ray's first line."""
    inner = getattr(error, "cause", None)
    if isinstance(inner, BaseException):
        return f"{type(inner).__name__}: {inner}"
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    raised = [line for line in lines if re.match(r"^[\w.]+(Error|Exception): ", line)]
    if raised:
        return raised[-1]
    return f"{type(error).__name__}: {lines[0] if lines else ''}"


class _Driver:
    """The driver's side of a Ray run: actors, deliveries, weights, restarts, progress."""

    def __init__(
        self, ray: Any, cfg: SelfPlayConfig, trainer: Any, trainer_pid: int, device: str, eval_device: str
    ) -> None:
        from ray.exceptions import RayError

        self.ray, self.cfg, self.trainer = ray, cfg, trainer
        self.trainer_pid = trainer_pid
        self.device = device  # the actors'
        self.eval_device = eval_device  # the evaluator's: the trainer's device
        self.failed = RayError  # a process gone for good, or an exception raised in the call
        self.path = Path(cfg.run_dir)
        self.actors: list[Any] = []
        self.where: dict[int, dict[str, Any]] = {}
        self.plays: dict[Any, tuple[int, Any]] = {}
        self.weights: list[Any] = [None, None]
        self.restarts = 0
        self.trainer_restarts = 0
        self.failure: str | None = None

    def warn(self, message: str) -> None:
        log.warning(message)
        self.trainer.warn.remote(message)

    def push_weights(self, name: str) -> None:
        """Have every actor play with the net of checkpoint ``name`` from its next ``play`` on
        (one object in the store for all; the reference, not the weights, goes with each call)."""
        self.weights = [name, self.trainer.weights.remote(name)]

    def play(self, k: int) -> None:
        meta, data = self.actors[k].play.options(num_returns=2).remote(self.cfg.shard_seconds, self.weights)
        self.plays[meta] = (k, data)

    def start_actors(self) -> None:
        # a call that meets a dead actor is retried on its restarted incarnation (which
        # fetches the weights it is given), a few times before the error reaches the driver
        remote = self.ray.remote(SelfPlayActor).options(
            num_cpus=1, num_gpus=self.cfg.gpus_per_actor, max_restarts=-1, max_task_retries=3
        )
        self.actors = [remote.remote(self.cfg, k, self.device) for k in range(self.cfg.actors)]
        for info in self.ray.get([a.info.remote() for a in self.actors]):
            self.where[info["actor"]] = {**info, "restarts": 0}
        self.write_where()
        for k in range(len(self.actors)):
            self.play(k)

    def write_where(self) -> None:
        """``RUN_DIR/actors.json``: the trainer's pid, and where each actor runs (pid, host, Ray
        node); with the restarts of each."""
        import json

        from seigen.engine.files import write_atomic

        rows = {
            "trainer": {"pid": self.trainer_pid, "restarts": self.trainer_restarts},
            "actors": [self.where[k] for k in sorted(self.where)],
        }
        write_atomic(self.path / "actors.json", (json.dumps(rows, indent=1) + "\n").encode())

    def delivered(self, ref: Any) -> None:
        """An actor's ``play`` returned: pass its shard to the trainer; note a restart."""
        k, data = self.plays.pop(ref)
        try:
            meta = self.ray.get(ref)
        except self.failed as e:  # dead again and again (the retries ran out), or an error in play
            self.restarted(k, f"failed ({cause(e)})")
        else:
            if meta["pid"] != self.where[k]["pid"]:
                self.restarted(k, "stopped")
                self.where[k]["pid"] = meta["pid"]
                self.write_where()
            if meta["games"]:
                self.trainer.add_shard.remote(meta, data)
        if self.failure is None:
            self.play(k)

    def restarted(self, k: int, what: str) -> None:
        self.restarts += 1
        self.where[k]["restarts"] += 1
        self.warn(
            f"actor-{k} (pid {self.where[k]['pid']}) {what}; restarted by Ray, its unfinished games dropped"
        )
        if self.restarts > MAX_RESTARTS:
            self.failure = (
                f"actors keep failing ({self.restarts} restarts); see Ray's worker logs "
                "(/tmp/ray/session_latest/logs on each node)"
            )

    def drain(self, timeout: float) -> None:
        """Wait for the plays in flight and deliver their games (finished games are not lost at the end)."""
        end = time.monotonic() + timeout
        while self.plays and time.monotonic() < end:
            ready, _ = self.ray.wait(
                list(self.plays), num_returns=1, timeout=max(0.0, end - time.monotonic())
            )
            for ref in ready:
                _, data = self.plays.pop(ref)
                try:
                    meta = self.ray.get(ref)
                except self.failed:
                    continue
                if meta["games"]:
                    self.trainer.add_shard.remote(meta, data)

    def run(self, status: Any) -> dict[str, Any]:
        import torch

        from seigen.selfplay.run import evaluator_process, interrupt_flag, join_process, restore_signals

        cfg, ray = self.cfg, self.ray
        start = time.monotonic()
        deadline = start + 60 * cfg.max_minutes if cfg.max_minutes else None
        interrupted, previous = interrupt_flag()
        ctx = torch.multiprocessing.get_context("spawn")
        stop_event = ctx.Event()
        evaluator = None
        try:
            first = ray.get(self.trainer.run_for.remote(0.0))
            self.push_weights(first["checkpoint"])
            self.start_actors()
            if cfg.eval_every and cfg.eval_every > 0:
                evaluator = evaluator_process(ctx, self.path, cfg, self.eval_device, stop_event)
            train = self.trainer.run_for.remote(1.0)
            done = False
            while not (done or interrupted["flag"] or self.failure):
                ready, _ = ray.wait([train, *self.plays], num_returns=1, timeout=1.0)
                for ref in ready:
                    if ref != train:
                        self.delivered(ref)
                        continue
                    try:
                        st = ray.get(train)
                    except self.failed as e:
                        self.failure = f"the trainer failed: {cause(e)}"
                        break
                    if st["pid"] != self.trainer_pid:
                        self.warn(
                            f"the trainer (pid {self.trainer_pid}) stopped; restarted by Ray, "
                            f"it resumed from {st['checkpoint']}"
                        )
                        self.trainer_pid = st["pid"]
                        self.trainer_restarts += 1
                        self.write_where()
                    if st["checkpoint"] != self.weights[0]:
                        self.push_weights(st["checkpoint"])
                    if status is not None:
                        status(cfg, st["row"], st["eval"], time.monotonic() - start)
                    done = st["done"] or (deadline is not None and time.monotonic() >= deadline)
                    train = self.trainer.run_for.remote(1.0)
                if evaluator is not None and not evaluator.is_alive():
                    self.warn(f"the evaluator stopped (exit code {evaluator.exitcode}); restarted")
                    evaluator = evaluator_process(ctx, self.path, cfg, self.eval_device, stop_event)
            self.drain(timeout=cfg.shard_seconds + 30)
            try:
                summary = ray.get(self.trainer.end.remote())
            except self.failed as e:
                raise RunError(
                    f"the trainer failed as the run ended: {cause(e)}; continue with --resume"
                ) from None
        finally:
            stop_event.set()
            if evaluator is not None:
                join_process(evaluator)
            for a in self.actors:
                ray.kill(a, no_restart=True)
            ray.kill(self.trainer, no_restart=True)
            restore_signals(previous)
        summary["interrupted"] = bool(interrupted["flag"])
        summary["failure"] = self.failure
        summary["actor_restarts"], summary["trainer_restarts"] = self.restarts, self.trainer_restarts
        return summary


def run_ray(cfg: SelfPlayConfig, status: Any = None) -> dict[str, Any]:
    """A whole run on Ray (see the module's docstring); returns the same summary as ``local``."""
    from seigen.engine.devices import resolve_device
    from seigen.selfplay.run import prepare_config

    ray = require_ray()
    from ray.exceptions import RayError
    from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

    cfg = prepare_config(cfg)  # errors in the flags or the run directory before any cluster starts
    started = _connect(ray, cfg)
    try:
        trainer_cuda = resolve_device(cfg.device) == "cuda"
        trainer_gpus = cfg.train_processes if trainer_cuda else 0
        _check_resources(ray, cfg, trainer_gpus)
        here = NodeAffinitySchedulingStrategy(ray.get_runtime_context().get_node_id(), soft=False)
        trainer = (
            ray.remote(TrainerActor)
            .options(
                num_cpus=1,
                num_gpus=trainer_gpus,
                max_restarts=-1,
                max_task_retries=-1,
                scheduling_strategy=here,
            )
            .remote(cfg)
        )
        try:
            cfg, eval_device, trainer_pid = ray.get(trainer.config.remote())
        except RayError as e:
            raise RunError(f"the trainer could not start: {cause(e)}") from None
        # actors hold a GPU only with --gpus-per-actor; the trainer's GPUs are its own
        actor_device = "cuda" if cfg.gpus_per_actor > 0 else "cpu"
        return _Driver(ray, cfg, trainer, trainer_pid, actor_device, eval_device).run(status)
    finally:
        if started:
            ray.shutdown()
