"""``seigen bench atari100k``: the Atari 100k benchmark, run by run, with aggregates and intervals.

The benchmark (Kaiser et al. 2019): 100k agent steps (400k emulator frames) of interaction
per game, then the score of the trained agent. Each (game, seed) is an ordinary resumable
run directory ``RUN_ROOT/<algo>/<Game>/seed-<s>`` (``seigen train dqn|ppo`` underneath,
``train.log`` beside it); a run whose ``result.json`` exists is done and skipped, one with
a checkpoint and no result resumes, so the command can be stopped and run again at will.
``--parallel`` runs that many training processes at once (one torch thread each).

Protocol (as Dopamine's Atari 100k agents, which the published DER and DrQ(epsilon) figures
come from): no sticky actions, a lost life ends a training episode, rewards clipped to their
sign in training; after training, ``--eval-episodes`` (100) whole games, unclipped, capped at
108k frames, acting epsilon-greedily with epsilon 0.001 (PPO: the most likely action).

Aggregates (Agarwal et al. 2021, with ``rliable``): human-normalized scores
(``seigen.envs.atari_scores``), the mean, median, interquartile mean (IQM) and optimality gap
over games and seeds, with 95% stratified-bootstrap confidence intervals, and the
performance profile (the fraction of runs above each normalized score). They need the same
seeds on every game: runs on seeds that some game lacks are left out of the aggregates and
named. ``RUN_ROOT/atari100k.json`` holds the per-game scores beside the published ones and
the aggregates; :func:`report_figures` draws them (``seigen report RUN_ROOT``).

Where the published runs themselves are kept (DrQ(epsilon): 100 a game, Agarwal et al. 2021),
each game's mean over seeds is set against the range that the mean of as many published runs
falls in 95% of the time, and the aggregates on those games (over the seeds they share,
whatever seeds the other games lack) against the same range of the published agent's
aggregates: "within" says whether seigen's agent scores as one would expect
of the published one given its few seeds.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from seigen.envs.atari_scores import ATARI_5, ATARI_100K, HUMAN, game_name, human_normalized
from seigen.scripts.configs import BenchAtari100kConfig

RESULT = "result.json"
SUMMARY = "atari100k.json"
ALGOS = {"der": "DER (data-efficient Rainbow)", "drq": "DrQ(epsilon)", "ppo": "PPO"}
DQN_PRESETS = {"der": "der", "drq": "drq_eps"}
METRICS = ("median", "iqm", "mean", "optimality_gap")
FRAMES_PER_STEP = 4
PROTOCOL = (
    "Atari 100k: 100k agent steps (400k frames), no sticky actions, life loss ends a training episode, "
    "rewards clipped in training; evaluation over whole games (108k-frame cap), unclipped, "
    "epsilon 0.001 (PPO: the most likely action)"
)


@dataclass(frozen=True)
class Job:
    """One (algorithm, game, seed) run of the benchmark."""

    algo: str
    game: str
    seed: int
    run_dir: Path

    @property
    def done(self) -> bool:
        return (self.run_dir / RESULT).is_file()

    @property
    def started(self) -> bool:
        """Whether the run has a checkpoint to resume from (one stopped before its first starts over)."""
        from seigen.agents.runs import latest_checkpoint

        return latest_checkpoint(self.run_dir) is not None

    def clear_unfinished_start(self) -> None:
        """Drop the metrics of a run that stopped before its first checkpoint, so that it starts over cleanly."""
        if not self.started:
            (self.run_dir / "metrics.jsonl").unlink(missing_ok=True)

    def label(self) -> str:
        return f"{self.algo} {self.game} seed {self.seed}"


def select_games(names: Sequence[str]) -> list[str]:
    """``all`` (the 26 games), ``atari5`` (Aitchison et al. 2022) or game names, in order, once each;
    an unknown name is a ``ValueError`` naming the close ones."""
    import difflib

    known = {g.lower(): g for g in (*ATARI_100K, *ATARI_5, *HUMAN)}
    out: list[str] = []
    for name in names:
        key = game_name(name).lower()
        if key == "all":
            picked = list(ATARI_100K)
        elif key in ("atari5", "atari-5"):
            picked = list(ATARI_5)
        elif key in known:
            picked = [known[key]]
        else:
            close = difflib.get_close_matches(key, list(known), n=3)
            hint = f"; did you mean {', '.join(known[c] for c in close)}?" if close else ""
            raise ValueError(f"unknown Atari game {name!r} (expected all, atari5 or a game name){hint}")
        out += [g for g in picked if g not in out]
    return out


def jobs(cfg: BenchAtari100kConfig) -> list[Job]:
    """Every (game, seed) run of the config, in the order they run."""
    root = Path(cfg.run_root)
    return [
        Job(cfg.algo, game, seed, root / cfg.algo / game / f"seed-{seed}")
        for seed in cfg.seeds
        for game in select_games(cfg.games)
    ]


def train_config(job: Job, cfg: BenchAtari100kConfig) -> Any:
    """The ``seigen train`` config of one run (the algorithm's Atari 100k settings)."""
    common = dict(
        env=f"ALE/{job.game}-v5",
        total_steps=cfg.steps,
        seed=job.seed,
        run_dir=str(job.run_dir),
        resume=job.started,
        device=cfg.device,
        threads=cfg.threads,
        protocol="dqn2015",
        eval_episodes=cfg.eval_episodes,
        eval_envs=cfg.eval_envs,
        backend=cfg.backend,
        env_threads=cfg.threads,
        progress=False,
    )
    if job.algo in DQN_PRESETS:
        from seigen.agents.dqn_config import DQNConfig

        extra = {"learning_starts": cfg.learning_starts} if cfg.learning_starts is not None else {}
        return DQNConfig(
            preset=DQN_PRESETS[job.algo], checkpoint_every=cfg.checkpoint_every, **common, **extra
        )
    from seigen.agents.ppo_config import PPOConfig

    return PPOConfig(checkpoint_every=cfg.checkpoint_every, async_envs=False, **common)


def run_job(job: Job, cfg: BenchAtari100kConfig) -> dict[str, Any]:
    """Train (or resume) one run, evaluate it and write its ``result.json`` atomically."""
    from seigen.engine.files import write_atomic

    job.clear_unfinished_start()
    train_cfg = train_config(job, cfg)
    if job.algo in DQN_PRESETS:
        from seigen.agents.dqn import train
    else:
        from seigen.agents.ppo import train
    t0 = time.perf_counter()
    summary = train(train_cfg)
    seconds = time.perf_counter() - t0
    ev = summary["evaluation"]
    if summary["train_seconds"]:  # every session of a resumed run
        train_seconds = summary["train_seconds"]
        frames_per_s = summary["steps"] * FRAMES_PER_STEP / train_seconds
    else:  # resumed from a checkpoint that did not count them: this session's alone
        train_seconds = summary["seconds"]
        frames_per_s = summary["steps_per_s"] * FRAMES_PER_STEP
    result = {
        "algo": job.algo,
        "game": job.game,
        "seed": job.seed,
        "score": ev["mean"],
        "std": ev["std"],
        "episodes": ev["episodes"],
        "returns": ev["returns"],
        "human_normalized": human_normalized(job.game, ev["mean"]),
        "steps": summary["steps"],
        "train_seconds": train_seconds,
        "seconds": train_seconds + seconds - summary["seconds"],  # all training, then this session's rest
        "eval_seconds": ev["seconds"],
        "frames_per_s": frames_per_s,
        "resumed": train_cfg.resume,
        "replay_restored": summary.get("replay_restored", False),  # this session's resume, if any
        "backend": summary["backend"],
        "eval_envs": ev["envs"],
        "protocol": PROTOCOL,
    }
    write_atomic(job.run_dir / RESULT, (json.dumps(result, indent=1) + "\n").encode())
    return result


def _child() -> int:
    """Entry point of a run's process: ``python -c ... JSON`` with the job and the config."""
    from seigen.scripts.configs import BenchAtari100kConfig

    spec = json.loads(sys.argv[1])
    cfg = BenchAtari100kConfig(**{k: tuple(v) if isinstance(v, list) else v for k, v in spec["cfg"].items()})
    job = Job(spec["algo"], spec["game"], spec["seed"], Path(spec["run_dir"]))
    run_job(job, cfg)
    return 0


def _launch(job: Job, cfg: BenchAtari100kConfig) -> subprocess.Popen:
    job.run_dir.mkdir(parents=True, exist_ok=True)
    spec = {
        "cfg": dataclasses.asdict(cfg),
        "algo": job.algo,
        "game": job.game,
        "seed": job.seed,
        "run_dir": str(job.run_dir),
    }
    log = open(job.run_dir / "train.log", "ab")  # noqa: SIM115 (closed when the process ends)
    code = "import sys; from seigen.scripts.atari100k import _child; sys.exit(_child())"
    env = dict(os.environ, OMP_NUM_THREADS=str(cfg.threads), MKL_NUM_THREADS=str(cfg.threads))
    proc = subprocess.Popen(
        [sys.executable, "-c", code, json.dumps(spec)], stdout=log, stderr=subprocess.STDOUT, env=env
    )
    proc.log = log  # type: ignore[attr-defined]
    return proc


def _last_step(run_dir: Path) -> int:
    """The newest step in a run's metrics.jsonl (0 before the first row)."""
    path = run_dir / "metrics.jsonl"
    try:
        with open(path, "rb") as f:
            f.seek(max(0, path.stat().st_size - 4096))
            lines = f.read().decode(errors="replace").splitlines()
    except OSError:
        return 0
    for line in reversed(lines):
        try:
            return int(json.loads(line)["step"])
        except (ValueError, KeyError, TypeError):
            continue
    return 0


def _eval_progress(run_dir: Path, cfg: BenchAtari100kConfig) -> str:
    """``evaluating K/N games`` from the run's ``evaluation.json`` while it plays."""
    from seigen.agents.runs import read_evaluation

    ev = read_evaluation(run_dir)
    if ev is None or ev.get("complete") or ev.get("step", 0) < cfg.steps:
        return "evaluating"
    return f"evaluating {len(ev.get('returns', []))}/{ev.get('episodes', cfg.eval_episodes)} games"


def run_all(cfg: BenchAtari100kConfig, console: Any) -> list[Job]:
    """Run every job not done yet, ``cfg.parallel`` at a time, showing progress; returns the failed jobs."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    todo = [j for j in jobs(cfg) if not j.done]
    total = len(jobs(cfg))
    failed: list[Job] = []
    if not todo:
        return failed
    running: dict[Job, subprocess.Popen] = {}
    columns = [
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[info]}"),
        TimeElapsedColumn(),
    ]
    with Progress(*columns, console=console, disable=not cfg.progress) as progress:
        overall = progress.add_task("atari100k runs", total=total, completed=total - len(todo), info="")
        bars: dict[Job, Any] = {}
        queue = list(todo)
        while queue or running:
            while queue and len(running) < cfg.parallel:
                job = queue.pop(0)
                running[job] = _launch(job, cfg)
                bars[job] = progress.add_task(f"  {job.label()}", total=cfg.steps, info="training")
            time.sleep(0.5)
            for job, proc in list(running.items()):
                step = _last_step(job.run_dir)
                info = _eval_progress(job.run_dir, cfg) if step >= cfg.steps else "training"
                progress.update(bars[job], completed=min(step, cfg.steps), info=info)
                if proc.poll() is None:
                    continue
                proc.log.close()  # type: ignore[attr-defined]
                del running[job]
                progress.remove_task(bars[job])
                if proc.returncode == 0 and job.done:
                    progress.advance(overall)
                    r = json.loads((job.run_dir / RESULT).read_text())
                    console.print(
                        f"{job.label()}: {r['score']:,.1f} over {r['episodes']} games "
                        f"(human-normalized {r['human_normalized']:.3f}), {r['seconds'] / 60:.0f} min, "
                        f"{r['frames_per_s']:,.0f} frames/s of training"
                    )
                else:
                    failed.append(job)
                    console.print(
                        f"[red]{job.label()} failed (exit {proc.returncode}); see {job.run_dir / 'train.log'}[/]"
                    )
    return failed


def read_results(root: Path) -> list[dict[str, Any]]:
    """Every ``result.json`` under a run root (unreadable ones are skipped with a warning)."""
    out = []
    for path in sorted(root.glob(f"*/*/seed-*/{RESULT}")):
        try:
            out.append(json.loads(path.read_text()))
        except (OSError, ValueError) as e:
            print(f"warning: {path}: unreadable result, left out ({e})", file=sys.stderr)
    return out


def score_matrix(results: Iterable[dict[str, Any]], algo: str) -> tuple[list[str], list[int], Any, list[str]]:
    """(games, seeds, [seeds x games] human-normalized scores, left-out runs) of one algorithm:
    the seeds every game has, so that rliable's stratified bootstrap gets a full matrix."""
    import numpy as np

    by_game: dict[str, dict[int, float]] = {}
    for r in results:
        if r["algo"] == algo:
            by_game.setdefault(r["game"], {})[int(r["seed"])] = float(r["human_normalized"])
    games = sorted(by_game)
    if not games:
        return [], [], np.zeros((0, 0)), []
    seeds = sorted(set.intersection(*(set(s) for s in by_game.values())))
    left_out = [f"{g} seed {s}" for g in games for s in sorted(by_game[g]) if s not in seeds]
    matrix = np.array([[by_game[g][s] for g in games] for s in seeds], dtype=float).reshape(
        len(seeds), len(games)
    )
    return games, seeds, matrix, left_out


def _aggregate_values(x: Any) -> Any:
    """The :data:`METRICS` of a [runs x games] matrix of human-normalized scores, in order."""
    import numpy as np
    from rliable import metrics

    return np.array(
        [
            metrics.aggregate_median(x),
            metrics.aggregate_iqm(x),
            metrics.aggregate_mean(x),
            metrics.aggregate_optimality_gap(x),
        ]
    )


def published_range(runs: Sequence[float], n: int, draws: int = 10_000, seed: int = 0) -> tuple[float, float]:
    """Where the mean of ``n`` runs of the published agent falls 95% of the time: the 2.5th and
    97.5th percentiles of the means of ``n`` runs drawn with replacement from its published runs.
    A mean over ``n`` seeds of seigen's that lies outside it is unlikely to be the same agent."""
    import numpy as np

    x = np.asarray(runs, dtype=float)
    means = np.random.default_rng(seed).choice(x, size=(draws, n)).mean(axis=1)
    low, high = np.percentile(means, [2.5, 97.5])
    return float(low), float(high)


def against_published(
    algo: str, results: Iterable[dict[str, Any]], reps: int, seed: int = 0
) -> dict[str, Any] | None:
    """seigen's aggregates on the games of ``results`` that have published runs, over the seeds
    those games share (whatever seeds the other games lack), beside the same aggregates of the
    published runs: their value over all of them, and the range that the aggregate of as many
    runs a game as seigen has falls in 95% of the time (that many runs a game drawn with
    replacement, ``reps`` times). None where no game has published runs."""
    import numpy as np

    from seigen.envs.atari_scores import published_runs

    runs = published_runs(algo)
    names, _, matrix, _ = score_matrix([r for r in results if r["game"] in runs], algo)
    if not names or not len(matrix):
        return None
    ours = aggregates(matrix, reps, seed)
    full = [np.array([human_normalized(g, s) for s in runs[g]]) for g in names]
    point = _aggregate_values(np.stack(full, axis=1))
    rng = np.random.default_rng(seed)
    n = len(matrix)
    sims = np.array(
        [_aggregate_values(np.stack([rng.choice(x, size=n) for x in full], axis=1)) for _ in range(reps)]
    )
    low, high = np.percentile(sims, [2.5, 97.5], axis=0)
    metrics = {}
    for i, m in enumerate(METRICS):
        metrics[m] = {
            **ours[m],
            "published": float(point[i]),
            "published_low": float(low[i]),
            "published_high": float(high[i]),
            "within": bool(low[i] <= ours[m]["value"] <= high[i]),
        }
    return {
        "games": names,
        "seeds": n,
        "published_runs": min(len(runs[g]) for g in names),
        "metrics": metrics,
    }


def aggregates(matrix: Any, reps: int, seed: int = 0) -> dict[str, dict[str, float]]:
    """Median, IQM, mean and optimality gap of human-normalized scores with 95% stratified-bootstrap
    intervals (``rliable``); ``matrix`` is [runs x games]."""
    import numpy as np

    try:
        from rliable import library as rly
    except ImportError as e:
        raise ImportError(f"the aggregates need rliable ({e}): pip install 'seigen[bench]'") from None

    np.random.seed(seed)  # rliable's bootstrap draws from numpy's global generator
    points, intervals = rly.get_interval_estimates({"a": matrix}, _aggregate_values, reps=reps)
    return {
        m: {
            "value": float(points["a"][i]),
            "low": float(intervals["a"][0, i]),
            "high": float(intervals["a"][1, i]),
        }
        for i, m in enumerate(METRICS)
    }


def summarize(root: Path, reps: int = 2000) -> dict[str, Any]:
    """Per-game scores beside the published ones and the aggregates of every algorithm under ``root``."""
    import numpy as np

    from seigen.envs.atari_scores import PUBLISHED, published_runs

    results = read_results(root)
    out: dict[str, Any] = {"protocol": PROTOCOL, "algos": {}}
    for algo in sorted({r["algo"] for r in results}):
        games, seeds, matrix, left_out = score_matrix(results, algo)
        rows = [r for r in results if r["algo"] == algo]
        published = PUBLISHED.get(algo, {})
        per_game = {}
        for game in sorted({r["game"] for r in rows}):
            scores = {int(r["seed"]): r["score"] for r in rows if r["game"] == game}
            mean = float(np.mean(list(scores.values())))
            per_game[game] = {
                "scores": {str(s): v for s, v in sorted(scores.items())},
                "mean": mean,
                "human_normalized": human_normalized(game, mean),
                "published": published.get("scores", {}).get(game),
            }
            runs = published_runs(algo).get(game)
            if runs:
                low, high = published_range(runs, len(scores))
                per_game[game].update(
                    published_runs=len(runs), published_range=[low, high], within=bool(low <= mean <= high)
                )
        entry: dict[str, Any] = {
            "name": ALGOS.get(algo, algo),
            "games": per_game,
            "seeds": seeds,
            "runs": len(rows),
            "left_out": left_out,
            "seconds_per_run": float(np.mean([r["seconds"] for r in rows])),
            "frames_per_s": float(np.mean([r["frames_per_s"] for r in rows])),
        }
        if published:
            entry["published_source"] = published["source"]
        if matrix.size:
            entry["aggregates"] = aggregates(matrix, reps)
            entry["normalized"] = matrix.tolist()
            entry["aggregate_games"] = games
        comparison = against_published(algo, rows, reps)
        if comparison:
            entry["against_published"] = comparison
        out["algos"][algo] = entry
    return out


def write_summary(root: Path, summary: dict[str, Any]) -> Path:
    from seigen.engine.files import write_atomic

    path = root / SUMMARY
    root.mkdir(parents=True, exist_ok=True)
    write_atomic(path, (json.dumps(summary, indent=1) + "\n").encode())
    return path


def render(summary: dict[str, Any]) -> list[Any]:
    """The per-game and aggregate tables (rich) of a summary."""
    from rich.table import Table

    from seigen.envs.atari_scores import PUBLISHED

    tables = []
    for algo, entry in summary["algos"].items():
        t = Table(title=f"Atari 100k, {entry['name']}: score per game (mean over seeds)")
        columns = ["game", "seeds", "seigen", "human-normalized", "published mean"]
        ranged = any("published_range" in g for g in entry["games"].values())
        if ranged:  # where the mean of as many published runs as seigen's seeds falls 95% of the time
            columns += ["published, 95% of means over as many runs", "within"]
        for c in columns:
            t.add_column(c, justify="right" if c != "game" else "left")
        for game, g in entry["games"].items():
            pub = g["published"]
            row = [
                game,
                str(len(g["scores"])),
                f"{g['mean']:,.1f}",
                f"{g['human_normalized']:.3f}",
                "-" if pub is None else f"{pub:,.1f}",
            ]
            if ranged:
                low_high = g.get("published_range")
                row += (
                    [f"[{low_high[0]:,.1f}, {low_high[1]:,.1f}]", "yes" if g["within"] else "no"]
                    if low_high
                    else ["-", "-"]
                )
            t.add_row(*row)
        tables.append(t)
        if "aggregates" in entry:
            a = Table(
                title=f"{entry['name']}: human-normalized aggregates over {len(entry['aggregate_games'])} games "
                f"x {len(entry['seeds'])} seed{'s' if len(entry['seeds']) != 1 else ''} (95% stratified bootstrap)"
            )
            published = PUBLISHED.get(algo, {}).get("aggregates", {})
            for c in ("metric", "value", "95% interval", "published (26 games)"):
                a.add_column(c, justify="right" if c != "metric" else "left")
            for m, v in entry["aggregates"].items():
                pub = published.get(m, {}).get("value")
                a.add_row(
                    m,
                    f"{v['value']:.3f}",
                    f"[{v['low']:.3f}, {v['high']:.3f}]",
                    "-" if pub is None else f"{pub:.3f}",
                )
            tables.append(a)
        if "against_published" in entry:
            c = entry["against_published"]
            b = Table(
                title=f"{entry['name']} against its {c['published_runs']} published runs a game, on the "
                f"{len(c['games'])} games that have them ({', '.join(c['games'])}), "
                f"{c['seeds']} seed{'s' if c['seeds'] != 1 else ''} each"
            )
            for col in (
                "metric",
                "seigen",
                "95% interval",
                "published",
                "published, 95% over as many runs",
                "within",
            ):
                b.add_column(col, justify="right" if col != "metric" else "left")
            for m, v in c["metrics"].items():
                b.add_row(
                    m,
                    f"{v['value']:.3f}",
                    f"[{v['low']:.3f}, {v['high']:.3f}]",
                    f"{v['published']:.3f}",
                    f"[{v['published_low']:.3f}, {v['published_high']:.3f}]",
                    "yes" if v["within"] else "no",
                )
            tables.append(b)
    return tables


def render_peer(rows: list[dict[str, Any]]) -> Any:
    """The speed comparison with SB3's DQN as a table."""
    from rich.table import Table

    t = Table(
        title=f"training speed on {rows[0]['game']}, {rows[0]['steps']:,} agent steps, one thread, Gymnasium envs "
        "(unit: one agent step of training: acting, storing, the gradient step)"
    )
    for c in ("implementation", "agent steps/s", "frames/s"):
        t.add_column(c, justify="right" if c != "implementation" else "left")
    for r in rows:
        sps = f"{r['steps_per_s']:,.1f}" if "steps_per_s" in r else ""
        fps = f"{r['frames_per_s']:,.1f}" if "steps_per_s" in r else f"{r['frames_per_s']:.2f}x"
        t.add_row(r["impl"], sps, fps)
    return t


def report_figures(root: Path, out: Path) -> list[tuple[str, Path]]:
    """The benchmark's figures as PNGs in ``out``: the aggregates with their intervals, the
    performance profiles and the per-game scores against the published ones; (title, path) each."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    summary = json.loads((Path(root) / SUMMARY).read_text())
    algos = {a: e for a, e in summary["algos"].items() if "aggregates" in e}
    out.mkdir(parents=True, exist_ok=True)
    figures: list[tuple[str, Path]] = []
    if algos:
        fig, axes = plt.subplots(1, len(METRICS), figsize=(3.2 * len(METRICS), 1.8 + 0.5 * len(algos)))
        for ax, m in zip(np.atleast_1d(axes), METRICS, strict=True):
            for i, (_, e) in enumerate(algos.items()):
                v = e["aggregates"][m]
                ax.barh(i, v["high"] - v["low"], left=v["low"], height=0.6, alpha=0.6)
                ax.plot([v["value"]] * 2, [i - 0.3, i + 0.3], color="black")
            ax.set_yticks(range(len(algos)), [e["name"] for e in algos.values()] if m == METRICS[0] else [])
            ax.set_title(m.replace("_", " ").replace("iqm", "IQM"))
            ax.set_xlabel("human-normalized score")
        fig.suptitle("Atari 100k aggregates, 95% stratified-bootstrap intervals")
        fig.tight_layout()
        path = out / "atari100k-aggregates.png"
        fig.savefig(path, dpi=110)
        plt.close(fig)
        figures.append(("Atari 100k aggregates", path))

        taus = np.linspace(0.0, 2.0, 81)
        fig, ax = plt.subplots(figsize=(5.5, 3.8))
        for e in algos.values():
            x = np.asarray(e["normalized"], dtype=float)
            ax.plot(
                taus,
                [(x > t).mean() for t in taus],
                label=f"seigen {e['name']} ({x.size} runs on {len(e['aggregate_games'])} games)",
            )
        from seigen.envs.atari_scores import PUBLISHED, published_runs

        for algo, pub in PUBLISHED.items():  # on the games seigen ran: every published run, else each mean
            games = [g for g in pub["scores"] if any(g in e["games"] for e in summary["algos"].values())]
            runs = published_runs(algo)
            if games and all(g in runs for g in games):
                x = np.array([human_normalized(g, s) for g in games for s in runs[g]])
                label = f"{ALGOS[algo]}, published ({len(x)} runs on {len(games)} games)"
            elif games:
                x = np.array([human_normalized(g, pub["scores"][g]) for g in games])
                label = f"{ALGOS[algo]}, published means ({len(games)} games)"
            else:
                continue
            ax.plot(taus, [(x > t).mean() for t in taus], "--", label=label)
        ax.set_xlabel("human-normalized score τ")
        ax.set_ylabel("fraction of runs with score > τ")
        ax.set_title("Atari 100k performance profile")
        ax.legend(fontsize=8)
        ax.grid(alpha=0.3)
        fig.tight_layout()
        path = out / "atari100k-profile.png"
        fig.savefig(path, dpi=110)
        plt.close(fig)
        figures.append(("Atari 100k performance profile", path))

    for algo, e in summary["algos"].items():
        games = list(e["games"])
        if not games:
            continue
        fig, ax = plt.subplots(figsize=(max(4.0, 0.6 * len(games) + 2) + 2.8, 3.6))
        x = np.arange(len(games))
        ours = [e["games"][g]["human_normalized"] for g in games]
        ax.bar(x - 0.2, ours, width=0.4, label=f"seigen {e['name']}, mean over seeds")
        seeds = [
            (i, human_normalized(g, v)) for i, g in enumerate(games) for v in e["games"][g]["scores"].values()
        ]
        ax.scatter(
            [i - 0.2 for i, _ in seeds],
            [v for _, v in seeds],
            s=12,
            color="black",
            zorder=3,
            label="each seed",
        )
        pub = [e["games"][g]["published"] for g in games]
        if any(p is not None for p in pub):
            heights = [
                np.nan if p is None else human_normalized(g, p) for g, p in zip(games, pub, strict=True)
            ]
            ranges = [e["games"][g].get("published_range") for g in games]
            yerr = None
            # the bar's whiskers: where 95% of the means of as many published runs as seigen's seeds fall
            if any(ranges):
                yerr = np.array(
                    [
                        [0.0, 0.0]
                        if r is None
                        else [h - human_normalized(g, r[0]), human_normalized(g, r[1]) - h]
                        for g, h, r in zip(games, heights, ranges, strict=True)
                    ]
                ).T
            ax.bar(
                x + 0.2,
                heights,
                width=0.4,
                yerr=yerr,
                capsize=3,
                label="published mean" + (", 95% of means over as many runs" if yerr is not None else ""),
            )
        ax.set_xticks(x, games, rotation=45, ha="right")
        ax.set_ylabel("human-normalized score")
        ax.set_title(f"Atari 100k per game: {e['name']}")
        ax.axhline(0, color="grey", lw=0.5)
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
        fig.tight_layout()
        path = out / f"atari100k-{algo}-games.png"
        fig.savefig(path, dpi=110)
        plt.close(fig)
        figures.append((f"Atari 100k per game, {e['name']}", path))
    return figures


def sb3_dqn_settings(algo: str, steps: int, learning_starts: int | None = None) -> dict[str, Any]:
    """SB3 DQN arguments from seigen's DER/DrQ(epsilon) preset: what SB3's DQN has of it (n-step
    returns, the schedule, the optimizer's learning rate, the update and target periods); it has
    no dueling, double, distributional, noisy or augmentation switches."""
    from seigen.agents.dqn_config import DQNConfig, resolve

    p = resolve(
        DQNConfig(
            env="ALE/Pong-v5", preset=DQN_PRESETS[algo], total_steps=steps, learning_starts=learning_starts
        )
    )
    return dict(
        learning_rate=p.learning_rate,
        buffer_size=min(p.buffer_size, steps),
        learning_starts=p.learning_starts,
        batch_size=p.batch_size,
        gamma=p.gamma,
        train_freq=p.train_frequency,
        gradient_steps=p.gradient_steps,
        n_steps=p.n_step,
        target_update_interval=p.target_update_interval,
        exploration_fraction=min(1.0, (p.exploration_steps or p.exploration_fraction * steps) / steps),
        exploration_initial_eps=p.start_epsilon,
        exploration_final_eps=p.end_epsilon,
        optimizer_kwargs=dict(eps=p.adam_eps) if p.adam_eps else None,
    )


def peer_rows(cfg: BenchAtari100kConfig, workdir: Path) -> list[dict[str, Any]]:
    """Agent steps per second of training (acting, storing, learning) over ``cfg.peer_steps`` steps of
    ``cfg.peer_game``: seigen's preset against SB3's DQN with the same settings, one thread, and the
    same env stack: Gymnasium's wrappers (seigen's EnvPool backend would step the games faster than SB3's)."""
    from seigen.agents.dqn import train
    from seigen.agents.runs import torch_threads
    from seigen.envs import make_env

    if cfg.algo not in DQN_PRESETS:
        raise ValueError("--peer-steps compares the DQN presets (--algo der or drq) with SB3's DQN")
    env_id = f"ALE/{select_games([cfg.peer_game])[0]}-v5"
    rows = []
    with torch_threads(1):
        job = Job(cfg.algo, env_id, 0, workdir / "seigen")
        summary = train(
            dataclasses.replace(
                train_config(job, dataclasses.replace(cfg, steps=cfg.peer_steps, eval_episodes=1)),
                env=env_id,
                resume=False,
                device="cpu",
                checkpoint_every=cfg.peer_steps,
                backend="gymnasium",
                eval_envs=1,
            )
        )
        rows.append({"impl": "seigen", "steps": summary["steps"], "steps_per_s": summary["steps_per_s"]})
        from stable_baselines3 import DQN

        kwargs = sb3_dqn_settings(cfg.algo, cfg.peer_steps, cfg.learning_starts)
        opt = kwargs.pop("optimizer_kwargs")
        env = make_env(env_id, seed=0, training=True, protocol="dqn2015")()  # the same wrappers
        model = DQN(
            "CnnPolicy",
            env,
            seed=0,
            device="cpu",
            verbose=0,
            policy_kwargs=dict(optimizer_kwargs=opt) if opt else None,
            **kwargs,
        )
        t0 = time.perf_counter()
        model.learn(total_timesteps=cfg.peer_steps, progress_bar=False)
        seconds = time.perf_counter() - t0
        rows.append(
            {"impl": "sb3", "steps": int(model.num_timesteps), "steps_per_s": model.num_timesteps / seconds}
        )
        env.close()
    for r in rows:
        r["frames_per_s"] = r["steps_per_s"] * FRAMES_PER_STEP
        r["game"], r["algo"], r["backend"] = env_id, cfg.algo, "gymnasium"
    rows.append(
        {"impl": "ratio seigen/sb3", "frames_per_s": rows[0]["frames_per_s"] / rows[1]["frames_per_s"]}
    )
    return rows


def main(cfg: BenchAtari100kConfig) -> int:
    from seigen.scripts.bench_board import stdout_console

    console = stdout_console()
    try:
        all_jobs = jobs(cfg)
    except ValueError as e:
        print(f"seigen bench atari100k: error: {e}", file=sys.stderr)
        return 2
    import importlib.util

    if importlib.util.find_spec("rliable") is None:  # checked before hours of training, not after
        print(
            "seigen bench atari100k: error: the aggregates need rliable: pip install 'seigen[bench]'",
            file=sys.stderr,
        )
        return 2
    root = Path(cfg.run_root)
    done = sum(j.done for j in all_jobs)
    if not cfg.json:
        console.print(
            f"{len(all_jobs)} runs ({cfg.algo}, {len(cfg.seeds)} seeds) under {root}: {done} done, "
            f"{len(all_jobs) - done} to run, {cfg.parallel} at a time. {PROTOCOL}."
        )
    failed = [] if cfg.aggregate_only else run_all(cfg, console)
    try:
        summary = summarize(root, reps=cfg.reps)
    except ImportError as e:
        print(f"seigen bench atari100k: error: {e}", file=sys.stderr)
        return 2
    path = write_summary(root, summary)
    if cfg.json:
        print(json.dumps(summary))
    else:
        for t in render(summary):
            console.print(t)
        console.print(f"written: {path}")
    if cfg.peer_steps:
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            rows = peer_rows(cfg, Path(tmp))
        if cfg.json:
            for row in rows:
                print(json.dumps(row))
        else:
            console.print(render_peer(rows))
    if cfg.plot:
        for title, png in report_figures(root, root / "figures"):
            if not cfg.json:
                console.print(f"figure: {title}: {png}")
    if failed:
        print(
            f"seigen bench atari100k: {len(failed)} runs failed: {', '.join(j.label() for j in failed)}",
            file=sys.stderr,
        )
        return 1
    return 0
