"""Net benchmark: nets in bfloat16 against float32 on one core, inference and training.

Two units of work:

* **net evaluation** (``kind: eval``): one position's policy logits and value from
  ``NetEvaluator`` (features in, numpy out, the way the net and hybrid players call it), in
  batches of ``--batches`` positions. The net is the 9x9 net that ships with seigen, or
  ``--model``; the positions are the feature planes of random 9x9 games (random legal
  moves, 0 to 60 plies), so that the inputs look like the players' and not like noise.
  The rows also give how far the bf16 outputs stray from the fp32 ones on the same batch
  (the largest policy-probability and value differences).
* **training step** (``kind: train``): one gradient step (``Trainer.step``: AlphaZero's
  loss, SGD or AdamW, no augmentation) on a batch of the self-play preset's size, for the
  untrained net of each preset of ``--train-games``, on random 0/1 planes and targets.

Each precision runs on one pinned core (one torch thread) for ``--seconds`` per setting,
``--repeats`` times, the two precisions taking turns within each repeat; the median is
reported. The peer is the same net in float32 (``fp32``), the precision every CPU runs
natively; ``bf16`` is ``torch.autocast`` to bfloat16, which ``--precision auto`` and the
trainer's ``amp`` choose on cuda and on CPUs with AMX
(``seigen.engine.devices.resolve_precision``).

Usage: ``seigen bench net [--model M] [--batches 1 4 16 64] [--train-games tictactoe connect4 go]
[--seconds 1] [--repeats 3] [--json]``.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable

import numpy as np

from seigen.scripts.bench_board import _progress, cpu_model, single_core, stdout_console
from seigen.scripts.configs import BenchNetConfig

UNITS = {
    "eval": "one net evaluation (one position's policy and value, batched)",
    "train": "one training step (a batch of the preset's size)",
}
PEER = "fp32"
PRECISIONS = ("fp32", "bf16")


def positions(size: int, count: int, seed: int = 0) -> np.ndarray:
    """Feature planes ``[count, planes, size, size]`` of positions from random games."""
    from seigen.engine.board import N_PLANES, Board

    rng = np.random.default_rng(seed)
    out = np.zeros((count, N_PLANES, size, size), dtype=np.float32)
    for k in range(count):
        board = Board(size)
        for _ in range(int(rng.integers(0, 61))):
            moves = np.flatnonzero(board.legal_mask()[:-1])
            if not len(moves):
                break
            board.play(int(rng.choice(moves)))
        board.features(out[k])
    return out


def _timed(work: Callable[[], int], seconds: float) -> float:
    """Units of ``work`` (it returns how many it did) per second over at least ``seconds``."""
    done, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds or done == 0:
        done += work()
    return done / elapsed


def _turns(works: dict[str, Callable[[], int]], cfg: BenchNetConfig, tick: Callable[[str], None]) -> dict:
    """Each precision's runs; the precisions take turns within each repeat, so drift hits both."""
    runs: dict[str, list[float]] = {p: [] for p in works}
    for r in range(cfg.repeats):
        for precision, work in works.items():
            tick(f"{precision} {r + 1}/{cfg.repeats}")
            runs[precision].append(_timed(work, cfg.seconds))
    return runs


def _eval_rows(cfg: BenchNetConfig, tick: Callable[[str], None]) -> list[dict]:
    from seigen.agents.players import _load_go_net, _model_or_shipped
    from seigen.engine.search import NetEvaluator

    net, game = _load_go_net(_model_or_shipped(cfg.model, "net"))
    size = int(game.get("size") or 9)
    feats = positions(size, max(cfg.batches), cfg.seed)
    legal = np.ones((len(feats), size * size + 1), dtype=np.float32)
    evaluators = {p: NetEvaluator(net, device="cpu", precision=p) for p in PRECISIONS}
    rows = []
    for batch in cfg.batches:
        x, m = feats[:batch], legal[:batch]
        outputs = {p: e(x, m) for p, e in evaluators.items()}
        works = {p: (lambda e=e, x=x, m=m, b=batch: (e(x, m), b)[1]) for p, e in evaluators.items()}
        runs = _turns(works, cfg, lambda what, b=batch: tick(f"eval batch {b} {what}"))
        ref_logits, ref_values = outputs[PEER]
        for precision, (logits, values) in outputs.items():
            rows.append(
                {
                    "kind": "eval",
                    "net": f"{size}x{size} Go, {cfg.model or 'shipped'}",
                    "precision": precision,
                    "batch": batch,
                    "per_s": statistics.median(runs[precision]),
                    "per_s_runs": runs[precision],
                    "max_policy_diff": float(np.abs(_softmax(logits) - _softmax(ref_logits)).max()),
                    "max_value_diff": float(np.abs(values - ref_values).max()),
                }
            )
    return rows


def _train_rows(cfg: BenchNetConfig, tick: Callable[[str], None]) -> list[dict]:
    import torch

    from seigen.selfplay.actor import new_game
    from seigen.selfplay.config import SelfPlayConfig, resolve
    from seigen.selfplay.trainer import Trainer, net_spec

    rows = []
    for name in cfg.train_games:
        sp = resolve(SelfPlayConfig(game=name, run_dir="-", augment=False))
        game = new_game(sp)
        spec = net_spec(sp, tuple(game.feature_shape), game.num_actions)
        rng = np.random.default_rng(cfg.seed)
        b, area = sp.batch_size, spec.height * spec.width
        batch = {
            "features": (rng.random((b, spec.in_channels, spec.height, spec.width)) < 0.3).astype(np.float32),
            "policy": rng.dirichlet(np.ones(spec.actions), b).astype(np.float32),
            "value": rng.choice([-1.0, 0.0, 1.0], b).astype(np.float32),
        }
        if spec.ownership:
            batch["ownership"] = rng.choice([-1.0, 1.0], (b, area)).astype(np.float32)
            batch["score"] = rng.normal(0, 5, b).astype(np.float32)
        works = {}
        for precision in PRECISIONS:
            torch.manual_seed(cfg.seed)
            trainer = Trainer(sp, spec, torch.device("cpu"))
            trainer._replica.amp = precision == "bf16"  # both, whatever this CPU's default
            trainer.train_step(batch)
            works[precision] = lambda t=trainer: (t.train_step(batch), 1)[1]  # noqa: B023 (called in this iteration)
        runs = _turns(works, cfg, lambda what, n=name: tick(f"train {n} {what}"))
        for precision in PRECISIONS:
            rows.append(
                {
                    "kind": "train",
                    "net": f"{name} preset, {spec.blocks}x{spec.channels}",
                    "precision": precision,
                    "batch": b,
                    "per_s": statistics.median(runs[precision]),
                    "per_s_runs": runs[precision],
                }
            )
    return rows


def measure(cfg: BenchNetConfig, show_progress: bool = True) -> list[dict]:
    """One dict per (kind, net, precision, batch): ``per_s`` (median units a second),
    ``per_s_runs``; for ``eval`` also ``max_policy_diff`` and ``max_value_diff`` (bf16
    against fp32 on the same batch; 0 for fp32); and ``unit``, ``seconds``, ``repeats``,
    ``cpu``, ``cpu_pinned``."""
    import torch

    old_threads = torch.get_num_threads()
    rows: list[dict] = []
    total = (len(cfg.batches) + len(cfg.train_games)) * len(PRECISIONS) * cfg.repeats
    with single_core() as pinned, _progress(show_progress) as progress:
        torch.set_num_threads(1)
        task = progress.add_task("net", total=total)

        def tick(what: str) -> None:
            progress.update(task, advance=1, description=what)

        try:
            if cfg.batches:
                rows += _eval_rows(cfg, tick)
            rows += _train_rows(cfg, tick)
        finally:
            torch.set_num_threads(old_threads)
    machine = {"seconds": cfg.seconds, "repeats": cfg.repeats, "cpu": cpu_model(), "cpu_pinned": pinned}
    return [{**row, "unit": UNITS[row["kind"]], **machine} for row in rows]


def _softmax(logits: np.ndarray) -> np.ndarray:
    z = np.exp(logits - logits.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)


def ratios(rows: list[dict]) -> list[dict]:
    """bf16 / fp32 units a second, one per (kind, net, batch) with both rows."""
    by = {(r["kind"], r["net"], r["batch"], r["precision"]): r for r in rows}
    return [
        {
            "ratio": f"bf16/{PEER}",
            "kind": k,
            "net": n,
            "batch": b,
            "per_s": by[k, n, b, "bf16"]["per_s"] / row["per_s"],
        }
        for (k, n, b, p), row in by.items()
        if p == PEER and (k, n, b, "bf16") in by
    ]


def print_results(rows: list[dict], as_json: bool = False) -> None:
    """JSON lines (each row, then the ratios) or a table, on stdout."""
    if as_json:
        for line in [*rows, *ratios(rows)]:
            print(json.dumps(line), flush=True)
        return
    from rich.table import Table

    speedup = {(r["kind"], r["net"], r["batch"]): r["per_s"] for r in ratios(rows)}
    table = Table(title=f"bfloat16 against float32 on one core ({rows[0]['cpu']})")
    for col in ("kind", "net", "precision", "batch", "per second", "bf16/fp32", "max |dp|", "max |dv|"):
        table.add_column(col, justify="left" if col in ("kind", "net", "precision") else "right")
    for r in rows:
        key = (r["kind"], r["net"], r["batch"])
        table.add_row(
            r["kind"],
            r["net"],
            r["precision"],
            str(r["batch"]),
            f"{r['per_s']:,.1f}",
            f"{speedup[key]:.2f}x" if r["precision"] == "bf16" and key in speedup else "",
            f"{r['max_policy_diff']:.4f}" if "max_policy_diff" in r else "",
            f"{r['max_value_diff']:.4f}" if "max_value_diff" in r else "",
        )
    console = stdout_console()
    console.print(table)
    console.print(
        f"units: eval = {UNITS['eval']}; train = {UNITS['train']}; "
        f"median of {rows[0]['repeats']} runs of {rows[0]['seconds']} s; one pinned core, one torch thread"
    )


def main(cfg: BenchNetConfig) -> int:
    """Measure and print; 2 for a bad model."""
    from seigen.agents.runs import CheckpointError

    try:
        rows = measure(cfg, show_progress=not cfg.json)
    except (CheckpointError, ValueError) as e:
        print(f"seigen bench net: error: {e}", file=sys.stderr)
        return 2
    print_results(rows, cfg.json)
    return 0
