"""GPU check of self-play (run once on a lent GPU machine, with a time limit).

1. Training: one train step of the Go preset net on cuda (bfloat16 autocast) gives a loss
   within 2% of the same step on cpu (float32), from the same weights and batch.
2. Throughput: one actor with 32, 128 and 512 Go 9x9 games in flight, the net on cuda
   (``seigen bench selfplay --device cuda``), positions/s, net evaluations/s and the
   net's share of the time.
3. A short run: ``seigen selfplay --game go`` with 4 actors and the inference server on
   cuda for ``--minutes``; positions/s from its metrics and the GPU's busy share sampled
   with ``nvidia-smi``.

    python scripts/gpu_selfplay.py --minutes 3 --out $OUT/gpu_selfplay.jsonl
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import torch

from seigen.agents.runs import read_metrics


def same_loss_on_both_devices() -> dict:
    from seigen.selfplay.config import SelfPlayConfig, resolve
    from seigen.selfplay.trainer import Trainer, net_spec

    cfg = resolve(SelfPlayConfig(game="go", run_dir="-", augment=False))
    spec = net_spec(cfg, (17, 9, 9), 82)
    rng = np.random.default_rng(0)
    batch = {
        "features": (rng.random((256, 17, 9, 9)) > 0.7).astype(np.float32),
        "policy": rng.dirichlet(np.ones(82), 256).astype(np.float32),
        "value": rng.choice([-1.0, 1.0], 256).astype(np.float32),
        "ownership": rng.choice([-1.0, 1.0], (256, 81)).astype(np.float32),
        "score": rng.normal(0, 10, 256).astype(np.float32),
    }
    losses = {}
    torch.manual_seed(0)
    cpu = Trainer(cfg, spec, torch.device("cpu"))
    gpu = Trainer(cfg, spec, torch.device("cuda"))
    gpu.net.load_state_dict(cpu.net.state_dict())
    losses["cpu"] = cpu.train_step(batch)["loss"]
    losses["cuda"] = gpu.train_step(batch)["loss"]
    return {
        "check": "train_step",
        **losses,
        "relative_difference": abs(losses["cpu"] - losses["cuda"]) / losses["cpu"],
    }


def gpu_busy(samples: list[float], stop: threading.Event) -> None:
    while not stop.is_set():
        out = subprocess.run(
            ["nvidia-smi", "--query-gpu=utilization.gpu", "--format=csv,noheader,nounits"],
            capture_output=True,
            text=True,
        )
        if out.returncode == 0 and out.stdout.strip():
            samples.append(float(out.stdout.split()[0]))
        time.sleep(1.0)


def short_run(minutes: float) -> dict:
    run = Path(tempfile.mkdtemp()) / "go"
    samples: list[float] = []
    stop = threading.Event()
    watcher = threading.Thread(target=gpu_busy, args=(samples, stop), daemon=True)
    watcher.start()
    cmd = [sys.executable, "-m", "seigen.scripts.cli", "selfplay", "--game", "go", "--run-dir", str(run)]
    cmd += ["--max-minutes", str(minutes), "--actors", "4", "--device", "cuda", "--eval-every", "0"]
    cmd += ["--no-progress", "--no-final-eval", "--min-positions", "2000"]
    done = subprocess.run(cmd, capture_output=True, text=True)
    stop.set()
    rows = read_metrics(run)
    last = [r for r in rows if "positions_per_s" in r][-1]
    return {
        "check": "selfplay_run",
        "exit": done.returncode,
        "stdout": done.stdout.strip()[-500:],
        "positions_per_s": last["positions_per_s"],
        "evals_per_s": last["evals_per_s"],
        "steps": last.get("steps", last["step"]),
        "gpu_busy_mean": float(np.mean(samples)) if samples else None,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=3.0)
    parser.add_argument("--seconds", type=float, default=10.0, help="per throughput setting")
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    if not torch.cuda.is_available():
        print("no CUDA device", file=sys.stderr)
        return 2
    from seigen.scripts.bench_selfplay import measure

    rows = [{"device": torch.cuda.get_device_name(0)}, same_loss_on_both_devices()]
    print(json.dumps(rows[-1]), flush=True)
    for n in (32, 128, 512):
        rows.append(measure("go", n, args.seconds, "cuda"))
        print(json.dumps(rows[-1]), flush=True)
    rows.append(short_run(args.minutes))
    print(json.dumps(rows[-1]), flush=True)
    if args.out:
        Path(args.out).write_text("".join(json.dumps(r) + "\n" for r in rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
