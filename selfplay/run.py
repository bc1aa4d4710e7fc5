"""``seigen selfplay``: one machine's AlphaZero run, from a fresh directory or resumed.

::

    actors (processes) ──shards──▶ RUN_DIR/games/ ──window──▶ trainer (this process)
       ▲                                                          │
       └──── RUN_DIR/checkpoints/latest ◀──── checkpoints ────────┘
    evaluator (process): each new net vs random, rollout MCTS, previous ──▶ eval.jsonl

The run directory is the whole state. Every file in it is written atomically, so a
crash at any moment leaves complete shards and checkpoints; ``--resume`` reloads the
newest checkpoint that loads, refills the window from the newest shards and goes on.
A damaged shard or checkpoint is reported and skipped. Games count as finished once
their shard is on disk, and that count never goes down.
"""

from __future__ import annotations

import dataclasses
import io
import json
import logging
import os
import signal
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import torch

from seigen.agents.pvnet import net_state
from seigen.agents.runs import (
    CheckpointError,
    RunDir,
    RunError,
    checkpoint_steps,
    checkpoints_newest_first,
    load_checkpoint,
    pick_device,
)
from seigen.engine.files import write_atomic
from seigen.selfplay.actor import DISK_FULL, ParentWatch, actor_main, log_to, new_game
from seigen.selfplay.config import SESSION, SelfPlayConfig, resolve, resume_config
from seigen.selfplay.shards import ShardError, Window, list_shards, read_shard
from seigen.selfplay.trainer import Trainer, game_dict, net_spec

log = logging.getLogger("seigen.selfplay")


def _evaluator_main(run_dir: str, cfg: SelfPlayConfig, stop: Any, device: str) -> None:
    from seigen.selfplay.evaluator import run_evaluator

    os.nice(5)  # self-play and training come first
    torch.set_num_threads(1)
    log_to(run_dir, "evaluator")
    run_evaluator(
        run_dir,
        every_minutes=cfg.eval_every,
        games=cfg.eval_games,
        visits=cfg.eval_visits,
        device=device,
        stop=ParentWatch(stop),
        gnugo=cfg.game == "go" and cfg.eval_gnugo > 0,
        gnugo_games=cfg.eval_gnugo,
        gnugo_level=cfg.eval_gnugo_level,
        teacher=(cfg.teacher, cfg.teacher_visits, cfg.teacher_until) if cfg.teacher != "none" else None,
        mix=cfg.mix,
    )


def _server_main(
    run_dir: str, cfg: SelfPlayConfig, slots: list, requests: Any, stop: Any, device: str
) -> None:
    from seigen.agents.pvnet import load_net
    from seigen.agents.runs import latest_checkpoint
    from seigen.selfplay.inference import serve

    log_to(run_dir, "inference")
    net, _ = load_net(latest_checkpoint(run_dir))
    serve(
        run_dir,
        net,
        slots,
        requests,
        ParentWatch(stop),
        device,
        amp=bool(cfg.amp),
        score_utility=cfg.score_utility,
    )


def join_process(p: Any) -> None:
    """Wait up to 30 s for a stopped process to end, then terminate it."""
    p.join(timeout=30)
    if p.is_alive():
        p.terminate()
        p.join(timeout=5)


def prepare_config(cfg: SelfPlayConfig) -> SelfPlayConfig:
    """The config a session runs with: the preset filled in, or for ``--resume`` the saved
    config with the flags given on top. ``RunError`` when there is nothing to resume."""
    if cfg.resume:
        if cfg.run_dir is None:
            raise RunError("--resume needs --run-dir: the run to continue")
        saved = Path(cfg.run_dir) / "config.json"
        if not saved.is_file():
            raise RunError(
                f"{cfg.run_dir}: nothing to resume (no config.json; is this a self-play run directory?)"
            )
        try:
            cfg = resume_config(cfg, json.loads(saved.read_text()))
        except json.JSONDecodeError as e:
            raise RunError(f"{saved}: unreadable config ({e})") from None
    else:
        cfg = resolve(cfg)
    if cfg.resume and not checkpoint_steps(Path(cfg.run_dir, "checkpoints")):
        # killed before its first checkpoint: start it afresh in the same directory
        cfg = dataclasses.replace(cfg, resume=False)
    return cfg


class SelfPlayRun:
    """The trainer side of a run: shards in, gradient steps, checkpoints out, and the processes around it."""

    def __init__(self, cfg: SelfPlayConfig) -> None:
        cfg = prepare_config(cfg)
        self.cfg = cfg
        self.device = pick_device(cfg.device)
        torch.set_num_threads(cfg.threads or max(1, (os.cpu_count() or 1) - cfg.actors))
        actor_device = cfg.actor_device if cfg.actor_device != "auto" else self.device.type
        self.actor_device = str(pick_device(actor_device))
        self.run = RunDir(cfg.run_dir, cfg, resume=cfg.resume)
        self.path = self.run.path
        changed = {k: v for k, v in self.run.changed.items() if k not in SESSION}
        if changed:  # flags given on resume stay the run's settings after this session
            self.run.keep_config()
            log.warning(  # shown by the CLI: the user should see what the run now uses
                "resumed with new settings: %s", ", ".join(f"{k} {a} -> {b}" for k, (a, b) in changed.items())
            )
        if cfg.track:
            self.run.track("seigen", mode=cfg.wandb_mode, name=f"selfplay-{cfg.game}-{self.path.name}")
        for sub in ("games", "logs", "nets", "sgf"):
            (self.path / sub).mkdir(exist_ok=True)
        for stale in self.path.glob("*/.*.tmp"):
            stale.unlink(missing_ok=True)  # half-written files of a killed run
        self.games_dir = self.path / "games"
        game = new_game(cfg)
        self.feature_shape = tuple(game.feature_shape)
        self.spec = net_spec(cfg, self.feature_shape, game.num_actions)
        torch.manual_seed(cfg.seed)
        self.trainer = Trainer(cfg, self.spec, self.device)
        self.game = game_dict(cfg)
        self.window = Window(
            cfg.window, self.feature_shape, game.num_actions, self.spec.ownership, self.spec.opponent_policy
        )
        self.rng = np.random.default_rng(cfg.seed + 1)
        self.seen: set[str] = set()
        self.bad: set[str] = set()
        self.games = 0
        self.positions = 0
        self.session_positions = 0
        self.evaluations = 0.0
        self.resign_checks = [0, 0]
        """This session's games played out past a resignation, and the false resignations among them."""
        self.begin()
        self.warnings: list[str] = []
        self.last_saved = -1
        if cfg.resume:
            self._resume()
        else:
            self.save()
        self._scan(initial=True)

    # ------------------------------------------------------------ state
    def _warn(self, message: str) -> None:
        log.warning(message)
        self.warnings.append(message)
        self.run.log(self.trainer.step, warning=message)

    def _resume(self) -> None:
        for path in checkpoints_newest_first(self.path):
            try:
                state = load_checkpoint(path)
                if state.get("kind") != "alphazero":
                    raise CheckpointError(f"{path}: not an AlphaZero checkpoint")
                self.trainer.load_state_dict(state)
            except (CheckpointError, RuntimeError, KeyError, ValueError) as e:
                self._warn(f"skipped checkpoint {e}; kept as {path.name}.damaged")
                path.rename(path.with_name(path.name + ".damaged"))
                continue
            self.last_saved = self.trainer.step
            if path != self.run.latest_checkpoint():
                self.save()  # point `latest` at a checkpoint that loads
            return
        self._warn(f"{self.run.checkpoints}: no checkpoint loads; training goes on from a new network")
        self.save()

    def save(self) -> Path:
        """Write a checkpoint of the trainer (atomically) and move ``latest`` to it."""
        state = self.trainer.state_dict(self.game)
        state["games"] = self.games
        state["positions"] = self.positions
        try:
            path = self.run.save_checkpoint(state, self.trainer.step)
            if (
                self.cfg.keep_nets
            ):  # the net alone, kept for good: learning curves, matches between generations
                buffer = io.BytesIO()
                torch.save({**net_state(self.trainer.net, self.game), "step": self.trainer.step}, buffer)
                write_atomic(self.path / "nets" / path.name, buffer.getvalue())
        except OSError as e:
            raise RunError(
                f"cannot write a checkpoint in {self.run.checkpoints} ({e.strerror or e}); "
                "the last complete checkpoint is kept: free some space and continue with --resume"
            ) from None
        self.last_saved = self.trainer.step
        return path

    def _scan(self, initial: bool = False) -> int:
        """Read shards that arrived since the last scan into the window; returns new games."""
        paths = [p for p in list_shards(self.games_dir) if p.name not in self.seen and p.name not in self.bad]
        if initial and len(paths) > 0:
            # the newest shards fill the window; the older ones are only counted
            fill, counted = [], 0
            for p in reversed(paths):
                if counted >= self.cfg.window:
                    break
                fill.append(p)
                counted += self._positions_of(p)
            older = paths[: len(paths) - len(fill)]
            for p in older:
                try:
                    with np.load(p) as z:
                        lengths = z["lengths"]
                    self.games += len(lengths)
                    self.positions += int(lengths.sum())
                    self.seen.add(p.name)
                except Exception as e:  # a damaged shard of any kind: report and skip
                    self.bad.add(p.name)
                    self._warn(f"skipped damaged shard {p}: {type(e).__name__}: {e}")
            paths = list(reversed(fill))
        new = 0
        for p in paths:
            try:
                shard = read_shard(p)
                self.window.add(shard)
            except ShardError as e:
                self.bad.add(p.name)
                self._warn(f"skipped {e}")
                continue
            self.seen.add(p.name)
            self.games += shard.games
            self.positions += shard.positions
            new += shard.games
            if not initial:
                self.session_positions += shard.positions
                self.evaluations += float(shard.arrays["stats"][0])
                if len(shard.arrays["stats"]) >= 4:
                    self.resign_checks[0] += int(shard.arrays["stats"][2])
                    self.resign_checks[1] += int(shard.arrays["stats"][3])
        return new

    @staticmethod
    def _positions_of(path: Path) -> int:
        try:
            with np.load(path) as z:
                return int(z["lengths"].sum())
        except Exception:
            return 0

    # ------------------------------------------------------------ the loop
    def begin(self) -> None:
        """Start a session of training: its clock, limits and running averages."""
        self.start = time.monotonic()
        self.deadline = self.start + 60 * self.cfg.max_minutes if self.cfg.max_minutes else None
        self.sums: dict[str, float] = defaultdict(float)
        self.n_stats = 0
        self.last_log = self.last_scan = self.start
        self.latest_eval: dict[str, Any] | None = None

    def tick(self) -> bool:
        """One turn of the loop: new shards in, one gradient step if the window allows,
        a checkpoint when due, metrics every 10 s. True once a limit is reached."""
        cfg = self.cfg
        now = time.monotonic()
        if now - self.last_scan >= 0.5:
            self._scan()
            self.last_scan = now
        if (
            (self.deadline is not None and now >= self.deadline)
            or (cfg.max_games is not None and self.games >= cfg.max_games)
            or (cfg.max_steps is not None and self.trainer.step >= cfg.max_steps)
        ):
            return True
        ready = self.window.size >= cfg.min_positions
        if ready and self.trainer.samples + cfg.batch_size <= cfg.reuse * self.positions:
            stats = self.trainer.train_step(self.window.sample(cfg.batch_size, self.rng))
            for k, v in stats.items():
                self.sums[k] += v
            self.n_stats += 1
            if self.trainer.step % cfg.checkpoint_every == 0:
                self.save()
        else:
            time.sleep(0.05)
        if now - self.last_log >= 10.0:
            self.latest_eval = self._latest_eval() or self.latest_eval
            row = self.row()
            del row["step"]
            if self.latest_eval:
                row["elo"] = self.latest_eval.get("elo")
            self.run.log(self.trainer.step, **row)
            self.sums.clear()
            self.n_stats = 0
            self.last_log = now
        return False

    def row(self) -> dict[str, Any]:
        """The progress of this session: counts, rates, and the losses averaged since the last log."""
        elapsed = max(time.monotonic() - self.start, 1e-9)
        return {
            "games": self.games,
            "positions": self.positions,
            "positions_per_s": self.session_positions / elapsed,
            "evals_per_s": self.evaluations / elapsed,
            "samples": self.trainer.samples,
            "window": self.window.size,
            "step": self.trainer.step,
            **(
                {
                    "resign_checked": self.resign_checks[0],
                    "false_resign_rate": self.resign_checks[1] / self.resign_checks[0],
                }
                if self.resign_checks[0]
                else {}
            ),
            **({k: v / self.n_stats for k, v in self.sums.items()} if self.n_stats else {}),
        }

    def end(self) -> dict[str, Any]:
        """Close the session: a last checkpoint, the summary."""
        if self.trainer.step != self.last_saved:
            self.save()
        elapsed = time.monotonic() - self.start
        return {
            "run_dir": str(self.path),
            "games": self.games,
            "positions": self.positions,
            "steps": self.trainer.step,
            "minutes": elapsed / 60,
            "positions_per_s": self.session_positions / max(elapsed, 1e-9),
            "evals_per_s": self.evaluations / max(elapsed, 1e-9),
            "warnings": len(self.warnings),
            "resign_checked": self.resign_checks[0],
            "false_resigns": self.resign_checks[1],
        }

    def train(self, stop: Any, status: Any = None) -> dict[str, Any]:
        """Train until a limit or ``stop``; returns the summary. Actors run meanwhile.

        ``status(cfg, row, latest_eval, elapsed_seconds)`` is called twice a second."""
        self.begin()
        last_status = self.start
        while not stop():
            if self.tick():
                break
            now = time.monotonic()
            if status is not None and now - last_status >= 0.5:
                last_status = now
                status(self.cfg, self.row(), self.latest_eval, now - self.start)
        return self.end()

    def close(self, summary: dict[str, Any]) -> dict[str, Any]:
        """Close the run's records: the last evaluation and the evaluation settings go into
        ``summary``, its numbers into ``metrics.jsonl``; returns ``summary``."""
        summary["last_eval"] = self._latest_eval()
        summary["eval_visits"], summary["eval_games"] = self.cfg.eval_visits, self.cfg.eval_games
        self.run.log(self.trainer.step, **{k: v for k, v in summary.items() if isinstance(v, int | float)})
        self.run.close()
        return summary

    def _latest_eval(self) -> dict[str, Any] | None:
        try:
            from seigen.selfplay.eval_log import read_eval
        except ImportError:
            return None
        rows = [r for r in read_eval(self.path) if "error" not in r]
        return rows[-1] if rows else None


def interrupt_flag() -> tuple[dict[str, bool], dict[int, Any]]:
    """Catch SIGTERM and SIGINT (Ctrl-C) into ``flag["flag"]``, so a run stops cleanly
    and saves; returns the flag and the previous handlers (``restore_signals``)."""
    flag = {"flag": False}

    def on_signal(signum: int, frame: Any) -> None:
        flag["flag"] = True

    return flag, {s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT)}


def restore_signals(previous: dict[int, Any]) -> None:
    for s, h in previous.items():
        signal.signal(s, h)


def evaluator_process(
    ctx: Any, run_dir: str | Path, cfg: SelfPlayConfig, device: str, stop_event: Any
) -> Any:
    """The evaluator of a run as a started process on this machine (it reads the run directory)."""
    p = ctx.Process(target=_evaluator_main, args=(str(run_dir), cfg, stop_event, device), daemon=True)
    p.start()
    return p


def run_selfplay(cfg: SelfPlayConfig, status: Any = None) -> dict[str, Any]:
    """A whole run: the trainer here, actors and the evaluator as processes; returns the summary.

    With ``backend="ray"`` the actors and the trainer are Ray actors instead
    (``seigen.selfplay.distributed``)."""
    if cfg.backend == "ray":
        from seigen.selfplay.distributed import run_ray

        return run_ray(cfg, status)
    sp = SelfPlayRun(cfg)
    cfg = sp.cfg
    ctx = torch.multiprocessing.get_context("spawn")  # shares the inference server's tensors
    stop_event = ctx.Event()
    server_stop = ctx.Event()  # set once the actors have stopped: their last step needs its answers
    server = cfg.inference == "server" or (
        cfg.inference == "auto" and sp.actor_device.startswith("cuda") and cfg.actors > 1
    )
    slots: list[Any] = []
    requests = ctx.Queue() if server else None
    if server:
        from seigen.selfplay.inference import Slot

        actions = sp.spec.actions
        slots = [
            Slot(ctx, cfg.games_in_flight * cfg.leaves_per_tree, sp.feature_shape, actions)
            for _ in range(cfg.actors)
        ]
    interrupted, previous = interrupt_flag()
    procs: dict[str, Any] = {}

    def start(name: str) -> None:
        if name == "evaluator":
            p = evaluator_process(ctx, sp.path, cfg, sp.actor_device, stop_event)
        elif name == "inference":
            p = ctx.Process(
                target=_server_main,
                args=(str(sp.path), cfg, slots, requests, server_stop, sp.actor_device),
                daemon=True,
            )
            p.start()
        else:
            k = int(name.split("-")[1])
            remote = (slots[k], requests) if server else None
            p = ctx.Process(
                target=actor_main,
                args=(str(sp.path), cfg, k, stop_event, sp.actor_device, remote),
                daemon=True,
            )
            p.start()
        procs[name] = p

    restarts = 0
    failure: list[str] = []

    def check_processes() -> bool:
        nonlocal restarts
        for name, p in list(procs.items()):
            if p.is_alive() or stop_event.is_set():
                continue
            if p.exitcode == DISK_FULL:
                failure.append(
                    f"{name} could not write its games in {sp.games_dir} (disk full or not writable); "
                    f"see {sp.path / 'logs'}; free some space and continue with --resume"
                )
                return True
            restarts += 1
            sp._warn(f"{name} stopped (exit code {p.exitcode}); restarted (see {sp.path / 'logs'})")
            if restarts > 20:
                failure.append(f"processes keep failing ({restarts} restarts); see {sp.path / 'logs'}")
                return True
            start(name)
        return False

    last_check = [time.monotonic()]

    def should_stop() -> bool:
        now = time.monotonic()
        if now - last_check[0] >= 1.0:
            last_check[0] = now
            if check_processes():
                return True
        return interrupted["flag"]

    try:
        if server:
            start("inference")
        for k in range(cfg.actors):
            start(f"actor-{k}")
        if cfg.eval_every and cfg.eval_every > 0:
            start("evaluator")
        summary = sp.train(should_stop, status)
    finally:
        stop_event.set()
        for name, p in procs.items():
            if name != "inference":
                join_process(p)
        # the server last: an actor stopping mid-step waits for its answers, then writes its games
        server_stop.set()
        if "inference" in procs:
            join_process(procs["inference"])
        sp.trainer.close()
        restore_signals(previous)
    sp._scan()  # the games the actors wrote as they stopped
    summary["games"], summary["positions"] = sp.games, sp.positions
    seconds = max(60 * summary["minutes"], 1e-9)
    summary["positions_per_s"] = sp.session_positions / seconds
    summary["evals_per_s"] = sp.evaluations / seconds
    summary["resign_checked"], summary["false_resigns"] = sp.resign_checks
    summary["interrupted"] = interrupted["flag"]
    summary["failure"] = failure[0] if failure else None
    return sp.close(summary)
