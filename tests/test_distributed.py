"""``seigen selfplay --backend ray`` on a Ray cluster started inside the test (head on
localhost, the actors and the trainer as its worker processes): a run to completion that
leaves the same kind of run directory as ``local`` and resumes with ``local``, and a run
whose actor and trainer are killed with SIGKILL mid-run and go on."""

from __future__ import annotations

import dataclasses
import io
import json
import os
import signal
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import ray
from selfplay_runs import TINY, audit, finish, play_records, seigen

from seigen.agents.runs import RunError, load_checkpoint
from seigen.scripts.bench_scaling import steady_rate
from seigen.selfplay.config import SelfPlayConfig
from seigen.selfplay.run import run_selfplay
from seigen.selfplay.shards import encode, list_shards, read_shard


@pytest.fixture(scope="module")
def cluster() -> str:
    """A one-machine Ray cluster for this module; the runs join it with --ray-address."""
    ray.init(num_cpus=4, include_dashboard=False, log_to_driver=False, object_store_memory=200 * 2**20)
    try:
        yield ray.get_runtime_context().gcs_address
    finally:
        ray.shutdown()


def on_ray(cluster: str, run: Path, *args: str) -> list[str]:
    return [
        *TINY,
        "--run-dir",
        str(run),
        "--backend",
        "ray",
        "--ray-address",
        cluster,
        "--actors",
        "2",
        *args,
    ]


def metrics(run: Path) -> list[dict]:
    return [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines() if line.strip()]


def latest_step(run: Path) -> int:
    return load_checkpoint(run / "checkpoints" / (run / "checkpoints/latest").read_text().strip())["step"]


def layout(run: Path) -> set[str]:
    """The kinds of files a run directory holds: top-level names and subdirectory contents by suffix."""
    kinds = set()
    for p in run.iterdir():
        kinds.add(p.name)
        if p.is_dir():
            kinds.update(f"{p.name}/*{q.suffix}" for q in p.iterdir() if not q.name.startswith("."))
    return kinds


def test_a_ray_run_makes_the_same_run_directory_as_local_and_resumes_with_local(tmp_path, cluster):
    local, distributed = tmp_path / "local", tmp_path / "ray"
    code, _, err = finish(seigen(*TINY, "--run-dir", str(local), "--max-steps", "20"), timeout=180)
    assert code == 0, err
    # the trainer actor trains with DDP in two processes (gloo) as well
    ray_run = seigen(*on_ray(cluster, distributed, "--max-steps", "20", "--train-processes", "2"))
    code, out, err = finish(ray_run, timeout=180)
    assert code == 0, err

    assert layout(distributed) - {"actors.json"} == layout(local)
    assert (
        json.loads((distributed / "config.json").read_text()).keys()
        == json.loads((local / "config.json").read_text()).keys()
    )
    games, names = audit(distributed)  # every shard and checkpoint loads
    assert games >= 100
    assert {n.rsplit("-a", 1)[1] for n in names} == {"00.npz", "01.npz"}  # both actors delivered games
    assert metrics(distributed)[-1]["games"] == games  # the summary counts every game on disk
    assert f"{games:,} games" in out
    where = json.loads((distributed / "actors.json").read_text())
    assert len(where["actors"]) == 2 and where["trainer"]["pid"] > 0
    step = latest_step(distributed)
    assert step == 20  # the trainer learned from the delivered games, and stopped at the limit

    # the run directory is the whole state: the local backend continues what Ray wrote
    code, _, err = finish(
        seigen(*TINY, "--run-dir", str(distributed), "--resume", "--max-steps", "40"), timeout=180
    )
    assert code == 0, err
    more, more_names = audit(distributed)
    assert more >= games and names <= more_names and metrics(distributed)[-1]["games"] == more
    assert latest_step(distributed) == 40


def finished_games(run: Path) -> int:
    return sum(read_shard(p).games for p in list_shards(run / "games"))


def wait_until(what, p, timeout: float = 90.0, every: float = 0.2, counts: list[int] | None = None, run=None):
    """Poll ``what()`` until true (recording the finished-game count meanwhile); fail if the run ends first."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        assert p.poll() is None, f"the run ended early: {p.stderr.read()}"
        if counts is not None:
            counts.append(finished_games(run))
        if what():
            return
        time.sleep(every)
    raise AssertionError(f"timed out waiting for {what.__doc__}")


def test_killing_an_actor_and_the_trainer_mid_run_loses_no_finished_game(tmp_path, cluster):
    run = tmp_path / "ray"
    p = seigen(*on_ray(cluster, run, "--max-minutes", "4"))
    where = run / "actors.json"
    counts: list[int] = []

    def shards_written() -> bool:
        """shards from the actors"""
        return where.exists() and len(list_shards(run / "games")) >= 3

    wait_until(shards_written, p, counts=counts, run=run)
    victim = json.loads(where.read_text())["actors"][0]
    os.kill(victim["pid"], signal.SIGKILL)
    at_kill = finished_games(run)

    def actor_restarted() -> bool:
        """actor-0 restarted and more games finished"""
        now = json.loads(where.read_text())["actors"][0]
        return now["restarts"] == 1 and now["pid"] != victim["pid"] and finished_games(run) > at_kill + 20

    wait_until(actor_restarted, p, counts=counts, run=run)
    trainer = json.loads(where.read_text())["trainer"]
    step_before = latest_step(run)
    os.kill(trainer["pid"], signal.SIGKILL)
    at_kill = finished_games(run)

    def trainer_restarted() -> bool:
        """the trainer restarted and more games finished"""
        now = json.loads(where.read_text())["trainer"]
        return now["restarts"] == 1 and finished_games(run) > at_kill + 20

    wait_until(trainer_restarted, p, timeout=120, counts=counts, run=run)
    time.sleep(2)
    os.kill(p.pid, signal.SIGTERM)  # the driver stops cleanly: the games in flight are delivered
    code, out, err = finish(p, timeout=120)
    assert code == 0, err

    assert counts == sorted(counts), "the finished-game count went down"
    games, _ = audit(run)  # no shard or checkpoint is damaged
    assert games >= counts[-1]
    warnings = [r["warning"] for r in metrics(run) if "warning" in r]
    assert any(w.startswith(f"actor-0 (pid {victim['pid']}) stopped") for w in warnings), warnings
    assert any(w.startswith(f"the trainer (pid {trainer['pid']}) stopped") for w in warnings), warnings
    assert latest_step(run) >= step_before  # the trainer resumed, it did not start again from 0
    assert "continue with: seigen selfplay --resume" in out


def test_steady_rate_counts_the_positions_between_shard_times(tmp_path):
    games = tmp_path / "games"
    games.mkdir()
    data = encode(play_records(2))
    per_shard = read_shard_bytes(data)
    for second in (100, 101, 102, 104):  # the first shard at 100 s, then 1, 2 and 4 s later
        (games / f"{second * 10**9:020d}-a00.npz").write_bytes(data)
    rate, seconds, positions = steady_rate(tmp_path, warmup=1.5)
    # counted: the shards after the last one within the warm-up (101 s), to the last (104 s)
    assert (seconds, positions) == (3.0, 2 * per_shard)
    assert rate == pytest.approx(2 * per_shard / 3.0)
    assert steady_rate(tmp_path, warmup=10.0) == (0.0, 0.0, 0)  # nothing after the warm-up


def read_shard_bytes(data: bytes) -> int:
    with np.load(io.BytesIO(data)) as z:
        return int(z["lengths"].sum())


@pytest.mark.slow  # tests/test_readme_commands.py runs `seigen bench scaling` end to end in every CI run
def test_bench_scaling_measures_local_and_ray_with_the_ratio(cluster, capsys):
    from seigen.scripts.cli import main

    argv = ["bench", "scaling", "--game", "tictactoe", "--actors", "1", "--seconds", "3", "--warmup", "1"]
    assert main([*argv, "--startup", "8", "--shard-seconds", "0.5", "--repeats", "1", "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    runs, medians = [r for r in rows if not r.get("median")], [r for r in rows if r.get("median")]
    assert [(r["backend"], r["actors"]) for r in runs] == [("local", 1), ("ray", 1)]
    assert all(r["positions_per_s"] > 0 and r["positions"] > 0 and r["failure"] is None for r in runs)
    assert [r["positions_per_s"] for r in medians] == [r["positions_per_s"] for r in runs]  # one repeat
    assert medians[1]["ratio_to_local"] == pytest.approx(
        runs[1]["positions_per_s"] / runs[0]["positions_per_s"]
    )


def test_ray_flags_without_the_ray_backend_are_an_error():
    for flags in ({"gpus_per_actor": 1.0}, {"ray_address": "auto"}):
        with pytest.raises(ValueError, match="go with --backend ray"):
            SelfPlayConfig(**flags)
    SelfPlayConfig(backend="ray", ray_address="auto", gpus_per_actor=0.25)  # together they are fine


def test_without_ray_the_ray_backend_says_how_to_install_it(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray raises ImportError
    with pytest.raises(RunError, match=r"pip install 'seigen\[dist\]'"):
        run_selfplay(SelfPlayConfig(backend="ray", run_dir=str(tmp_path / "run")))
    assert not (tmp_path / "run").exists()


def test_a_cluster_too_small_for_the_run_is_a_clear_error_not_a_wait(cluster, tmp_path):
    cfg = SelfPlayConfig(
        backend="ray", actors=10, run_dir=str(tmp_path / "run")
    )  # 11 CPUs; the cluster has 4
    with pytest.raises(RunError, match="the Ray cluster has 4 CPUs; the run needs 11"):
        run_selfplay(cfg)
    with pytest.raises(RunError, match="has 0 GPUs; the run needs 1"):
        run_selfplay(dataclasses.replace(cfg, actors=2, gpus_per_actor=0.5))
    assert not (tmp_path / "run").exists()


def test_a_trainer_that_cannot_start_is_a_clear_error(cluster, tmp_path):
    run = tmp_path / "run"
    code, _, err = finish(seigen(*TINY, "--run-dir", str(run), "--max-steps", "1"))
    assert code == 0, err
    # the same directory again without --resume: the trainer refuses it, and the driver says why
    with pytest.raises(RunError, match=r"the trainer could not start: .*already holds a run; pass --resume"):
        run_selfplay(SelfPlayConfig(game="tictactoe", backend="ray", actors=1, run_dir=str(run)))
