"""``seigen train sl``: the AlphaZero policy-value net learns from SGF games, then goes on by self-play.

AlphaGo's order: first a policy learned from games (the moves played are the policy
targets), then reinforcement learning by self-play. Here both write one run directory::

    SGF files ──read once──▶ RUN_DIR/sl/train.npz, holdout.npz, files.json
                                   │
                     gradient steps (the self-play trainer, symmetries)
                                   ▼
    RUN_DIR/config.json, checkpoints/, metrics.jsonl ──▶ seigen selfplay --resume --run-dir RUN_DIR

* **Targets.** Each position's policy target is the move played (a pass included); its
  value target is the game's result (``RE``) for the side to move. A game without a usable
  result (no ``RE``, ``?``, ``Void``) counts for the policy only: its positions carry
  ``value_weight`` 0, which ``policy_value_loss`` leaves out of the value loss. The
  ownership and score heads are not trained here (a game ended by resignation has no
  final ownership); self-play trains them.
* **Files.** Each file is read with ``read_sgf`` (size, handicap stones, komi and rules
  from the file). A file that cannot be read, is another board size, or has moves out of
  turn is skipped, and named with its reason in ``sl/files.json`` and in the summary.
* **Held-out games.** ``holdout`` of the games (whole games, drawn with the seed) are kept
  out of training; every ``eval_every`` steps the net's move-prediction accuracy (top-1),
  policy loss and value loss on them go to ``metrics.jsonl``.
* **The run.** ``config.json`` is a ``SelfPlayConfig`` (the net's shape, the trainer's
  settings), and checkpoints are the self-play trainer's, so ``seigen selfplay --resume``
  continues the run by self-play and ``seigen gtp --player net --model RUN_DIR`` plays
  its net. The checkpoint's sample count is that of self-play (0), so that self-play's
  replay ratio starts afresh; this stage's own counts are under ``supervised``.
  ``seigen train sl --resume`` continues an interrupted stage from its last checkpoint.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import math
import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from seigen.agents.runs import CheckpointError, RunDir, RunError, load_checkpoint, pick_device
from seigen.engine.files import write_atomic
from seigen.engine.games import GoGame
from seigen.engine.sgf import SGFError, read_sgf
from seigen.selfplay.config import SelfPlayConfig, SupervisedConfig, resolve
from seigen.selfplay.trainer import Trainer, game_dict, net_spec

log = logging.getLogger("seigen.selfplay")

SL_DIR = "sl"
"""The stage's folder in the run directory: the games read (``train.npz``, ``holdout.npz``) and ``files.json``."""


class SkippedGame(ValueError):
    """A file that gives no positions to learn from; the message names the file and why."""


# ---------------------------------------------------------------------------- reading games


def sgf_files(paths: Iterable[str | os.PathLike]) -> list[Path]:
    """The ``.sgf`` files under ``paths`` (folders are searched recursively, files taken as
    given), sorted and without repeats. A path that does not exist is a ``FileNotFoundError``."""
    found: set[Path] = set()
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.update(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() == ".sgf")
        elif path.is_file():
            found.add(path)
        else:
            raise FileNotFoundError(f"{path}: no such file or folder")
    return sorted(found)


def result_value(result: str | None) -> float | None:
    """The game's outcome for black (+1, -1, 0 for a draw) from SGF ``RE``; None when unknown."""
    if not result:
        return None
    text = result.strip().upper()
    if text in ("0", "DRAW", "JIGO") or text.startswith("0"):
        return 0.0
    if text.startswith("B+"):
        return 1.0
    if text.startswith("W+"):
        return -1.0
    return None  # "?", "Void", free text


@dataclass
class GamePositions:
    """One game as training positions: the net's input before each move, and the move."""

    features: np.ndarray
    """[T, C, H, W] uint8 planes (0/1)."""
    moves: np.ndarray
    """[T] the move played (``size * size`` is a pass)."""
    movers: np.ndarray
    """[T] 1 where black moved, -1 where white did."""
    result: float | None
    """Black's outcome (+1, -1, 0), None when the file has no usable result."""


def read_game(path: str | os.PathLike, size: int, rules: str = "chinese") -> GamePositions:
    """The positions of one SGF game on a ``size`` board; ``SkippedGame`` (naming the file)
    when it cannot be learned from."""
    try:
        board, info = read_sgf(path, rules=rules)
    except SGFError as e:
        raise SkippedGame(str(e)) from None
    if board.size != size:
        raise SkippedGame(f"{path}: a {board.size}x{board.size} game, not {size}x{size}")
    played: list[tuple[str, int]] = []
    while board.move_number:
        colour, index = board.last_move  # type: ignore[misc]
        played.append((colour, index))
        board.undo()
    played.reverse()
    if not played:
        raise SkippedGame(f"{path}: no moves")
    game = GoGame(board, max_moves=len(played) + 1)
    features, moves, movers = [], [], []
    for number, (colour, index) in enumerate(played, start=1):
        if colour != board.to_play:
            raise SkippedGame(f"{path}: move {number} is {colour}'s, out of turn")
        features.append(game.features().astype(np.uint8))
        moves.append(index)
        movers.append(1 if colour == "black" else -1)
        game.play(index)
    return GamePositions(
        np.stack(features), np.array(moves, np.int16), np.array(movers, np.int8), result_value(info.result)
    )


@dataclass
class Dataset:
    """Positions of many games, features bit-packed (``encode``/``decode``: one ``.npz``)."""

    features: np.ndarray
    """[T, ceil(C*H*W/8)] uint8."""
    moves: np.ndarray
    value: np.ndarray
    """[T] float32: the result for the side to move (0 where unknown)."""
    value_weight: np.ndarray
    """[T] float32: 1 where the result is known."""
    lengths: np.ndarray
    """[G] positions per game."""
    feature_shape: tuple[int, int, int]

    @classmethod
    def of(cls, games: Sequence[GamePositions], feature_shape: tuple[int, int, int]) -> Dataset:
        width = math.prod(feature_shape)
        if not games:
            return cls(
                np.zeros((0, (width + 7) // 8), np.uint8),
                np.zeros(0, np.int16),
                np.zeros(0, np.float32),
                np.zeros(0, np.float32),
                np.zeros(0, np.int32),
                feature_shape,
            )
        feats = np.concatenate([g.features.reshape(len(g.moves), -1) for g in games])
        value = np.concatenate([g.movers * (g.result or 0.0) for g in games]).astype(np.float32)
        known = np.concatenate([np.full(len(g.moves), g.result is not None) for g in games])
        return cls(
            np.packbits(feats, axis=1),
            np.concatenate([g.moves for g in games]),
            value,
            known.astype(np.float32),
            np.array([len(g.moves) for g in games], np.int32),
            feature_shape,
        )

    def __len__(self) -> int:
        return len(self.moves)

    @property
    def games(self) -> int:
        return len(self.lengths)

    def batch(self, idx: np.ndarray, actions: int) -> dict[str, np.ndarray]:
        """The positions ``idx`` as a training batch (``policy_value_loss``'s arrays)."""
        width = math.prod(self.feature_shape)
        feats = np.unpackbits(self.features[idx], axis=1, count=width).astype(np.float32)
        policy = np.zeros((len(idx), actions), np.float32)
        policy[np.arange(len(idx)), self.moves[idx]] = 1.0
        return {
            "features": feats.reshape(len(idx), *self.feature_shape),
            "policy": policy,
            "value": self.value[idx],
            "value_weight": self.value_weight[idx],
        }

    def encode(self) -> bytes:
        import io

        buffer = io.BytesIO()
        np.savez_compressed(
            buffer,
            features=self.features,
            moves=self.moves,
            value=self.value,
            value_weight=self.value_weight,
            lengths=self.lengths,
            meta=np.array(self.feature_shape, np.int64),
        )
        return buffer.getvalue()

    @classmethod
    def load(cls, path: str | os.PathLike) -> Dataset:
        """Read a dataset written by ``encode``; ``RunError`` naming the file when damaged."""
        try:
            with np.load(path, allow_pickle=False) as z:
                data = {k: z[k] for k in z.files}
            shape = tuple(int(x) for x in data["meta"])
            dataset = cls(
                data["features"],
                data["moves"],
                data["value"],
                data["value_weight"],
                data["lengths"],
                shape,  # type: ignore[arg-type]
            )
        except Exception as e:  # zipfile, zlib and numpy raise many kinds for a damaged file
            raise RunError(
                f"{path}: damaged dataset ({type(e).__name__}: {e}); start the stage afresh"
            ) from None
        if int(dataset.lengths.sum()) != len(dataset) or len(dataset.features) != len(dataset):
            raise RunError(f"{path}: damaged dataset (inconsistent sizes); start the stage afresh")
        return dataset


@dataclass
class ReadReport:
    """What reading the SGF files gave: games kept and files skipped (with the reason)."""

    files: int = 0
    games: int = 0
    positions: int = 0
    without_result: int = 0
    skipped: list[str] = field(default_factory=list)


def read_games(
    files: Sequence[Path],
    size: int,
    rules: str,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[list[GamePositions], ReadReport]:
    """Every file's positions; the files that give none are skipped and named in the report."""
    games: list[GamePositions] = []
    report = ReadReport(files=len(files))
    for i, path in enumerate(files):
        try:
            game = read_game(path, size, rules)
        except SkippedGame as e:
            report.skipped.append(str(e))
            log.warning("skipped %s", e)
        else:
            games.append(game)
            report.games += 1
            report.positions += len(game.moves)
            report.without_result += game.result is None
        if progress is not None:
            progress(i + 1, len(files))
    return games, report


def split_games(
    games: Sequence[GamePositions], holdout: float, seed: int
) -> tuple[list[GamePositions], list[GamePositions]]:
    """``(train, held out)``: ``holdout`` of the games (at least one when there are two or
    more and ``holdout`` > 0), drawn with ``seed``."""
    n = len(games)
    held = 0 if holdout <= 0 or n < 2 else min(n - 1, max(1, round(holdout * n)))
    order = np.random.default_rng(seed).permutation(n)
    out = set(order[:held].tolist())
    return [g for i, g in enumerate(games) if i not in out], [g for i, g in enumerate(games) if i in out]


# ---------------------------------------------------------------------------- training


def selfplay_config(cfg: SupervisedConfig) -> SelfPlayConfig:
    """The self-play config the run is saved with (the net's shape, the trainer's settings)."""
    given = {
        name: getattr(cfg, name)
        for name in (
            "blocks",
            "channels",
            "global_pool",
            "ownership",
            "batch_size",
            "lr",
            "weight_decay",
            "amp",
        )
        if getattr(cfg, name) is not None
    }
    return resolve(
        SelfPlayConfig(
            game="go",
            size=cfg.size,
            komi=cfg.komi,
            rules=cfg.rules,
            run_dir=cfg.run_dir or f"runs/go-sl-{time.strftime('%Y%m%d-%H%M%S')}",
            device=cfg.device,
            seed=cfg.seed,
            **given,
        )
    )


@torch.no_grad()
def held_out_metrics(
    net: torch.nn.Module, data: Dataset, actions: int, device: torch.device
) -> dict[str, float]:
    """Top-1 move accuracy, policy cross-entropy and value loss (games with a result) on ``data``."""
    if len(data) == 0:
        return {}
    was_training = net.training
    net.eval()
    correct, policy_loss, value_sum, weight_sum = 0, 0.0, 0.0, 0.0
    for start in range(0, len(data), 512):
        idx = np.arange(start, min(start + 512, len(data)))
        batch = {k: torch.from_numpy(v).to(device) for k, v in data.batch(idx, actions).items()}
        logits, value = net(batch["features"])
        logits, value = logits.float(), value.float().reshape(-1)
        moves = torch.from_numpy(data.moves[idx].astype(np.int64)).to(device)
        correct += int((logits.argmax(dim=1) == moves).sum())
        policy_loss += float(torch.nn.functional.cross_entropy(logits, moves, reduction="sum"))
        w = batch["value_weight"]
        value_sum += float((w * (value - batch["value"]) ** 2).sum())
        weight_sum += float(w.sum())
    net.train(was_training)
    out = {"holdout_accuracy": correct / len(data), "holdout_policy_loss": policy_loss / len(data)}
    if weight_sum > 0:
        out["holdout_value_loss"] = value_sum / weight_sum
    return out


STRUCTURAL = ("size", "komi", "rules", "blocks", "channels", "global_pool", "ownership", "holdout", "seed")
"""Fields a resumed stage cannot change: its net and the games it read depend on them."""


def resume_sl_config(cfg: SupervisedConfig) -> SupervisedConfig:
    """The config of a resumed stage: the saved ``sl/config.json`` with the flags given now on
    top (a flag counts as given when it differs from its default); ``ValueError`` when a
    flag would change the net or the games read."""
    path = Path(str(cfg.run_dir)) / SL_DIR / "config.json"
    if not path.is_file():
        raise RunError(f"{cfg.run_dir}: no supervised stage to resume (no {SL_DIR}/config.json)")
    try:
        saved = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as e:
        raise RunError(f"{path}: unreadable config ({e})") from None
    fields = {f.name: f for f in dataclasses.fields(SupervisedConfig)}
    merged = {k: v for k, v in saved.items() if k in fields}
    for name, f in fields.items():
        value = getattr(cfg, name)
        if name in ("resume", "run_dir", "sgf") or value == f.default:
            continue
        if name in STRUCTURAL and merged.get(name) != value:
            raise ValueError(
                f"--{name.replace('_', '-')} {value} does not match the stage being resumed ({merged.get(name)})"
            )
        merged[name] = value
    merged.update(resume=True, run_dir=cfg.run_dir, sgf=tuple(merged.get("sgf", ())))
    return SupervisedConfig(**merged)


def _prepare_data(
    cfg: SupervisedConfig,
    path: Path,
    feature_shape: tuple[int, int, int],
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Read the SGF files into ``sl/`` (atomically); returns what ``files.json`` holds."""
    sl = path / SL_DIR
    sl.mkdir(parents=True, exist_ok=True)
    write_atomic(sl / "config.json", (json.dumps(dataclasses.asdict(cfg), indent=1) + "\n").encode())
    files = sgf_files(cfg.sgf)
    if not files:
        raise RunError(f"no .sgf files in {', '.join(cfg.sgf)}")
    log.info("reading %d SGF files", len(files))
    games, report = read_games(files, cfg.size, cfg.rules, progress)
    if not games:
        raise RunError(
            f"none of the {len(files)} SGF files gives {cfg.size}x{cfg.size} games to learn from"
            + (f" (first: {report.skipped[0]})" if report.skipped else "")
        )
    train, held = split_games(games, cfg.holdout, cfg.seed)
    write_atomic(sl / "holdout.npz", Dataset.of(held, feature_shape).encode())
    write_atomic(sl / "train.npz", Dataset.of(train, feature_shape).encode())
    summary = dataclasses.asdict(report) | {
        "sources": list(cfg.sgf),
        "train_games": len(train),
        "holdout_games": len(held),
    }
    write_atomic(sl / "files.json", (json.dumps(summary, indent=1) + "\n").encode())
    return summary


def train_supervised(
    cfg: SupervisedConfig,
    status: Callable[[dict[str, Any]], None] | None = None,
    stop: Callable[[], bool] | None = None,
) -> dict[str, Any]:
    """Read the games (or, resuming, the ones read before), train, checkpoint; returns the summary.

    ``status(row)`` gets the progress: ``read`` and ``files`` while the files are read, then
    the training row after every step; ``stop()`` ends the stage early
    (with a checkpoint), as Ctrl-C does."""
    if cfg.resume:
        if cfg.run_dir is None:
            raise RunError("--resume needs --run-dir: the run to continue")
        cfg = resume_sl_config(cfg)
    sp_cfg = selfplay_config(cfg)
    run_dir = Path(str(sp_cfg.run_dir))
    if cfg.resume and not (run_dir / SL_DIR / "files.json").is_file():
        raise RunError(f"{run_dir}: the supervised stage did not finish reading its games; start it afresh")
    device = pick_device(cfg.device)
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    game = GoGame(size=cfg.size, komi=cfg.komi, rules=cfg.rules)
    feature_shape = tuple(game.feature_shape)
    actions = game.num_actions
    run = RunDir(run_dir, sp_cfg, resume=cfg.resume)
    closers: list[Callable[[], None]] = [run.close]
    try:
        if cfg.track:
            run.track("seigen", mode=cfg.wandb_mode, name=f"sl-go-{run_dir.name}")
        if cfg.resume:
            read = json.loads((run_dir / SL_DIR / "files.json").read_text())
        else:
            reading = (lambda done, files: status({"read": done, "files": files})) if status else None
            read = _prepare_data(cfg, run_dir, feature_shape, reading)  # type: ignore[arg-type]
        train = Dataset.load(run_dir / SL_DIR / "train.npz")
        held = Dataset.load(run_dir / SL_DIR / "holdout.npz")
        steps_per_epoch = max(1, math.ceil(len(train) / sp_cfg.batch_size))
        total = cfg.max_steps if cfg.max_steps is not None else max(1, round(cfg.epochs * steps_per_epoch))
        lr_final = cfg.lr_final if cfg.lr_final is not None else sp_cfg.lr / 10
        trainer_cfg = dataclasses.replace(
            sp_cfg, lr_final=lr_final, lr_decay_steps=total, augment=cfg.augment, train_processes=1
        )
        torch.manual_seed(cfg.seed)
        trainer = Trainer(trainer_cfg, net_spec(sp_cfg, feature_shape, actions), device)  # type: ignore[arg-type]
        closers.append(trainer.close)
        if cfg.resume:  # the checkpoint's step is the stage's: self-play has not run yet
            trainer.load_state_dict(load_checkpoint(run.latest_checkpoint()))
        rng = np.random.default_rng([cfg.seed, trainer.step])
        game_info = game_dict(sp_cfg)

        def save(metrics: dict[str, Any]) -> Path:
            state = trainer.state_dict(game_info)
            state["samples"] = 0  # self-play's replay ratio starts afresh
            state["games"] = state["positions"] = 0
            state["supervised"] = {
                "steps": trainer.step,
                "samples": trainer.step * sp_cfg.batch_size,
                "epochs": trainer.step / steps_per_epoch,
                **metrics,
            }
            return run.save_checkpoint(state, trainer.step)

        started = time.monotonic()
        deadline = started + 60 * cfg.max_minutes if cfg.max_minutes else None
        sums: dict[str, float] = {}
        count = 0
        latest: dict[str, float] = held_out_metrics(trainer.net, held, actions, device) if cfg.resume else {}
        order = rng.permutation(len(train))
        cursor = (trainer.step * sp_cfg.batch_size) % max(1, len(train))
        interrupted = False
        while trainer.step < total:
            interrupted = stop is not None and stop()
            if interrupted or (deadline is not None and time.monotonic() >= deadline):
                break
            if cursor + sp_cfg.batch_size > len(train):
                order, cursor = rng.permutation(len(train)), 0
            idx = order[cursor : cursor + sp_cfg.batch_size]
            cursor += len(idx)
            stats = trainer.train_step(train.batch(idx, actions))
            for k in ("loss", "policy_loss", "value_loss"):
                sums[k] = sums.get(k, 0.0) + stats[k]
            count += 1
            last = trainer.step == total
            if trainer.step % cfg.eval_every == 0 or last:
                latest = held_out_metrics(trainer.net, held, actions, device)
                row = (
                    {k: v / count for k, v in sums.items()}
                    | latest
                    | {
                        "lr": stats["lr"],
                        "epoch": trainer.step / steps_per_epoch,
                        "samples_per_s": count * sp_cfg.batch_size / max(time.monotonic() - started, 1e-9),
                    }
                )
                run.log(trainer.step, **row)
                sums, count = {}, 0
            if trainer.step % sp_cfg.checkpoint_every == 0 and not last:
                save(latest)
            if status is not None:
                status({"step": trainer.step, "total": total, **stats, **latest})
        if not latest:
            latest = held_out_metrics(trainer.net, held, actions, device)
        path = save(latest)
        summary = {
            "run_dir": str(run_dir),
            "checkpoint": str(path),
            "steps": trainer.step,
            "total_steps": total,
            "epochs": trainer.step / steps_per_epoch,
            "train_positions": len(train),
            "holdout_positions": len(held),
            "minutes": (time.monotonic() - started) / 60,
            "interrupted": interrupted,
            "read": read,
            **latest,
        }
        run.log(trainer.step, **{k: v for k, v in summary.items() if isinstance(v, int | float)})
        return summary
    except CheckpointError as e:
        raise RunError(str(e)) from None
    finally:
        for close in reversed(closers):
            close()
