"""GPU check of the batched search with a network evaluator (run once on a lent GPU machine).

1. The same net gives the same policy and value on cuda and on cpu (the GPU path is right).
2. The select / evaluate / backup split per network batch (64, 256, 1024 leaves) on cuda,
   for the tiny net of ``seigen bench search`` and a wider one, next to the same on cpu.

    python scripts/gpu_check_search.py --seconds 3

Prints the tables and writes one JSON object per line to ``--out`` (default stdout only).
"""

from __future__ import annotations

import argparse
import copy
import json
import sys

import numpy as np
import torch

from seigen.engine.games import GoGame
from seigen.engine.search import BatchedSearch, NetEvaluator, SearchConfig
from seigen.scripts.bench_search import print_results, run_search_benchmark, tiny_net
from seigen.scripts.configs import BenchSearchConfig


def same_on_both_devices() -> dict:
    """Policy/value of one net on cpu and cuda for real search leaves, and a search on each."""
    torch.manual_seed(0)
    game = GoGame(size=9)
    model = tiny_net(*game.feature_shape, game.num_actions, channels=64)
    cpu, gpu = NetEvaluator(model, device="cpu"), NetEvaluator(copy.deepcopy(model), device="cuda")
    rng = np.random.default_rng(0)
    feats = np.stack([GoGame(size=9).features() for _ in range(4)])
    g = GoGame(size=9)
    for _ in range(30):
        g.play(int(rng.choice(np.flatnonzero(g.legal_mask()[:-1]))))
        feats = np.concatenate([feats, g.features()[None]])
    mask = np.ones((len(feats), game.num_actions), dtype=np.uint8)
    lc, vc = cpu(feats, mask)
    lg, vg = gpu(feats, mask)
    out = {
        "kind": "gpu_check",
        "device_name": torch.cuda.get_device_name(0),
        "max_abs_logit_diff": float(np.abs(lc - lg).max()),
        "max_abs_value_diff": float(np.abs(vc - vg).max()),
    }
    results = {}
    for name, ev in (("cpu", cpu), ("cuda", gpu)):
        s = BatchedSearch([GoGame(size=9) for _ in range(8)], ev, SearchConfig(visits=200, seed=0))
        results[name] = s.run()
    agree = [np.array_equal(a.visits, b.visits) for a, b in zip(results["cpu"], results["cuda"], strict=True)]
    out["searches_with_identical_visits"] = f"{sum(agree)}/{len(agree)}"
    out["best_action_agree"] = sum(
        a.best_action == b.best_action for a, b in zip(results["cpu"], results["cuda"], strict=True)
    )
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    if not torch.cuda.is_available():
        print("no cuda device", file=sys.stderr)
        return 1
    rows = [same_on_both_devices()]
    print(json.dumps(rows[0]), flush=True)
    for device in ("cuda", "cpu"):
        for channels in (32, 128):
            cfg = BenchSearchConfig(
                game="go9",
                peer=False,
                device=device,
                split_channels=channels,
                seconds=args.seconds,
                repeats=args.repeats,
                split_visits=64,
            )
            got = run_search_benchmark(cfg, show_progress=False)
            if device == "cpu" or channels == 128:
                got = [r for r in got if r["kind"] == "split"]  # the uniform go9 row once is enough
            print_results(got)
            rows.extend(got)
    if args.out:
        with open(args.out, "w") as f:
            for r in rows:
                f.write(json.dumps(r) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
