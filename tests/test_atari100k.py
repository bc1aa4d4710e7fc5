"""``seigen bench atari100k``: game selection, resumable runs, rliable aggregates, figures."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from seigen.envs.atari_scores import ATARI_5, ATARI_100K, HUMAN, RANDOM, game_name, human_normalized
from seigen.scripts import atari100k
from seigen.scripts.cli import main as cli_main
from seigen.scripts.configs import BenchAtari100kConfig

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def test_games_select_all_atari5_and_names_once_in_order():
    assert atari100k.select_games(["all"]) == list(ATARI_100K)
    assert len(ATARI_100K) == 26
    assert atari100k.select_games(["atari5"]) == list(ATARI_5)
    assert atari100k.select_games(["pong", "ALE/Qbert-v5", "atari5"]) == [
        "Pong",
        "Qbert",
        *(g for g in ATARI_5 if g != "Qbert"),
    ]


def test_an_unknown_game_is_an_error_naming_close_ones():
    with pytest.raises(ValueError, match="did you mean Pong"):
        atari100k.select_games(["Ponng"])


def test_every_benchmark_game_has_reference_scores():
    for game in (*ATARI_100K, *ATARI_5):
        assert HUMAN[game] > RANDOM[game]
    assert human_normalized("Pong", RANDOM["Pong"]) == 0
    assert human_normalized("Pong", HUMAN["Pong"]) == pytest.approx(1)
    assert game_name("ALE/MsPacman-v5") == game_name("MsPacmanNoFrameskip-v4") == "MsPacman"


def test_jobs_are_one_run_directory_per_game_and_seed(tmp_path):
    cfg = BenchAtari100kConfig(games=("Pong", "Boxing"), seeds=(1, 2), run_root=str(tmp_path))
    jobs = atari100k.jobs(cfg)
    assert [(j.game, j.seed) for j in jobs] == [("Pong", 1), ("Boxing", 1), ("Pong", 2), ("Boxing", 2)]
    assert jobs[0].run_dir == tmp_path / "drq" / "Pong" / "seed-1"
    assert not jobs[0].done and not jobs[0].started


def test_a_run_stopped_before_its_first_checkpoint_starts_over(tmp_path):
    cfg = BenchAtari100kConfig(games=("Pong",), seeds=(1,), run_root=str(tmp_path))
    job = atari100k.jobs(cfg)[0]
    job.run_dir.mkdir(parents=True)
    (job.run_dir / "config.json").write_text("{}")
    (job.run_dir / "metrics.jsonl").write_text('{"step": 900}\n')
    assert not job.started and not atari100k.train_config(job, cfg).resume
    job.clear_unfinished_start()
    assert not (job.run_dir / "metrics.jsonl").exists()  # no stale rows before the new ones
    (job.run_dir / "checkpoints").mkdir()
    (job.run_dir / "checkpoints" / "step-000010000.pt").write_bytes(b"x")
    (job.run_dir / "metrics.jsonl").write_text('{"step": 10000}\n')
    assert job.started and atari100k.train_config(job, cfg).resume
    job.clear_unfinished_start()
    assert (job.run_dir / "metrics.jsonl").exists()  # a resumable run keeps its metrics


def test_ppo_runs_use_the_atari100k_protocol(tmp_path):
    cfg = BenchAtari100kConfig(algo="ppo", games=("Pong",), seeds=(3,), run_root=str(tmp_path), steps=1024)
    train_cfg = atari100k.train_config(atari100k.jobs(cfg)[0], cfg)
    assert (train_cfg.protocol, train_cfg.total_steps, train_cfg.seed) == ("dqn2015", 1024, 3)
    assert train_cfg.env == "ALE/Pong-v5" and not train_cfg.resume


def _fake_result(root: Path, algo: str, game: str, seed: int, score: float) -> None:
    d = root / algo / game / f"seed-{seed}"
    d.mkdir(parents=True)
    row = {
        "algo": algo,
        "game": game,
        "seed": seed,
        "score": score,
        "human_normalized": human_normalized(game, score),
        "seconds": 10.0,
        "frames_per_s": 400.0,
    }
    (d / atari100k.RESULT).write_text(json.dumps(row))


def test_the_aggregates_use_the_seeds_every_game_has_and_match_rliable(tmp_path):
    for seed, (pong, boxing) in enumerate([(-20.7, 12.1), (14.6, 0.1), (-3.05, 6.1)], start=1):
        _fake_result(tmp_path, "drq", "Pong", seed, pong)
        _fake_result(tmp_path, "drq", "Boxing", seed, boxing)
    _fake_result(tmp_path, "drq", "Breakout", 1, 30.5)  # only seed 1: left out of the aggregates
    summary = atari100k.summarize(tmp_path, reps=200)
    entry = summary["algos"]["drq"]
    assert entry["seeds"] == [1] and "Boxing seed 2" in entry["left_out"]
    # seed 1 alone: Boxing 1.0, Breakout 1.0, Pong 0.0 -> median 1, mean 2/3
    agg = entry["aggregates"]
    assert agg["median"]["value"] == pytest.approx(1.0)
    assert agg["mean"]["value"] == pytest.approx(2 / 3)
    assert agg["optimality_gap"]["value"] == pytest.approx(1 / 3)
    assert entry["games"]["Pong"]["mean"] == pytest.approx(np.mean([-20.7, 14.6, -3.05]))


def test_aggregate_intervals_bracket_the_point_estimates():
    rng = np.random.default_rng(0)
    matrix = rng.uniform(0, 2, size=(5, 6))
    agg = atari100k.aggregates(matrix, reps=300)
    for v in agg.values():
        assert v["low"] <= v["value"] <= v["high"]
    assert agg["iqm"]["low"] < agg["iqm"]["high"]


def test_figures_render_from_results(tmp_path):
    for seed in (1, 2):
        _fake_result(tmp_path, "drq", "Pong", seed, -10.0 + seed)
        _fake_result(tmp_path, "drq", "Qbert", seed, 500.0 * seed)
    atari100k.write_summary(tmp_path, atari100k.summarize(tmp_path, reps=100))
    figures = atari100k.report_figures(tmp_path, tmp_path / "figures")
    titles = [t for t, _ in figures]
    assert "Atari 100k aggregates" in titles and "Atari 100k performance profile" in titles
    for _, png in figures:
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_aggregate_only_on_an_empty_root_prints_no_runs(tmp_path, capsys):
    status = cli_main(["bench", "atari100k", "--run-root", str(tmp_path), "--aggregate-only", "--json"])
    assert status == 0
    assert json.loads(capsys.readouterr().out)["algos"] == {}


def test_a_tiny_benchmark_runs_skips_what_is_done_and_aggregates(tmp_path, capsys):
    args = [
        "bench", "atari100k", "--algo", "drq", "--games", "SpaceInvaders", "--seeds", "1",
        "--run-root", str(tmp_path), "--steps", "120", "--learning-starts", "100",
        "--eval-episodes", "1", "--reps", "50", "--no-progress", "--plot", "--backend", "gymnasium",
    ]  # fmt: skip
    assert cli_main(args) == 0
    result = json.loads((tmp_path / "drq" / "SpaceInvaders" / "seed-1" / atari100k.RESULT).read_text())
    assert result["steps"] >= 120 and result["episodes"] == 1 and result["frames_per_s"] > 0
    assert (result["backend"], result["eval_envs"]) == ("gymnasium", 1)  # what ran is on record
    summary = json.loads((tmp_path / atari100k.SUMMARY).read_text())
    assert summary["algos"]["drq"]["games"]["SpaceInvaders"]["mean"] == result["score"]
    assert (tmp_path / "figures" / "atari100k-profile.png").is_file()
    mtime = (tmp_path / "drq" / "SpaceInvaders" / "seed-1" / atari100k.RESULT).stat().st_mtime_ns
    capsys.readouterr()
    assert cli_main(args) == 0  # done: nothing is trained again
    assert "0 to run" in " ".join(capsys.readouterr().out.split())  # however rich wraps the line
    assert (tmp_path / "drq" / "SpaceInvaders" / "seed-1" / atari100k.RESULT).stat().st_mtime_ns == mtime


@pytest.mark.parametrize("algo", ["der", "drq"])
def test_published_per_game_scores_give_the_published_aggregates(algo):
    from seigen.envs.atari_scores import PUBLISHED

    pub = PUBLISHED[algo]
    assert sorted(pub["scores"]) == sorted(ATARI_100K)
    normalized = [human_normalized(g, s) for g, s in pub["scores"].items()]
    assert np.mean(normalized) == pytest.approx(
        pub["aggregates"]["mean"]["value"], abs=1e-3
    )  # the tables round to 0.1 points
    assert np.median(normalized) == pytest.approx(
        pub["aggregates"]["median"]["value"], abs=1e-3
    )  # the tables round to 0.1 points


def test_the_published_drq_runs_give_the_published_means_and_aggregates():
    from rliable import metrics

    from seigen.envs.atari_scores import PUBLISHED, published_runs

    runs = published_runs("drq")
    assert sorted(runs) == sorted(ATARI_100K) and {len(r) for r in runs.values()} == {100}
    for game, score in PUBLISHED["drq"]["scores"].items():
        assert np.mean(runs[game]) == pytest.approx(score, abs=0.05)  # the table rounds to 0.1 points
    matrix = np.array([[human_normalized(g, s) for s in runs[g]] for g in sorted(runs)]).T
    published = PUBLISHED["drq"]["aggregates"]
    assert metrics.aggregate_iqm(matrix) == pytest.approx(published["iqm"]["value"], abs=1e-3)
    assert metrics.aggregate_median(matrix) == pytest.approx(published["median"]["value"], abs=1e-3)
    assert metrics.aggregate_mean(matrix) == pytest.approx(published["mean"]["value"], abs=1e-3)
    assert published_runs("der") == {}  # only the means of DER are published


def test_the_published_range_holds_the_means_of_as_many_runs_and_narrows_with_more():
    runs = np.arange(1.0, 101.0)
    low1, high1 = atari100k.published_range(runs, 1)
    assert (low1, high1) == pytest.approx((3.0, 98.0), abs=1.5)  # the 2.5th and 97.5th percentiles
    low3, high3 = atari100k.published_range(runs, 3)
    assert low1 < low3 < np.mean(runs) < high3 < high1


def test_runs_are_set_against_the_published_runs_of_the_games_that_have_them(tmp_path):
    from seigen.envs.atari_scores import PUBLISHED

    for seed in (1, 2, 3):
        _fake_result(tmp_path, "drq", "Qbert", seed, 1700.0 + 100 * seed)  # about the published mean
        _fake_result(tmp_path, "drq", "BattleZone", seed, 90_000.0)  # far above every published run
    _fake_result(tmp_path, "drq", "DoubleDunk", 1, -18.0)  # no published runs, and one seed so far
    entry = atari100k.summarize(tmp_path, reps=200)["algos"]["drq"]
    assert entry["seeds"] == [1]  # the aggregates take the seeds every game has...
    assert entry["games"]["Qbert"]["within"] and not entry["games"]["BattleZone"]["within"]
    assert "published_range" not in entry["games"]["DoubleDunk"]
    low, high = entry["games"]["Qbert"]["published_range"]
    assert low < PUBLISHED["drq"]["scores"]["Qbert"] < high
    c = entry["against_published"]
    # ...and the comparison those that the games with published runs share
    assert (c["games"], c["seeds"], c["published_runs"]) == (["BattleZone", "Qbert"], 3, 100)
    mean = c["metrics"]["mean"]
    both = np.mean([human_normalized(g, PUBLISHED["drq"]["scores"][g]) for g in ("BattleZone", "Qbert")])
    assert mean["published"] == pytest.approx(both, abs=1e-4)
    assert mean["value"] == pytest.approx(
        np.mean([human_normalized("BattleZone", 90_000.0), human_normalized("Qbert", 1900.0)])
    )
    assert mean["published_low"] < mean["published"] < mean["published_high"] < mean["value"]
    assert not mean["within"]
    from rich.console import Console

    console = Console(width=200, record=True)
    for table in atari100k.render({"algos": {"drq": entry}}):
        console.print(table)
    text = " ".join(console.export_text().split())  # however rich wraps the titles
    assert "on the 2 games that have them (BattleZone, Qbert), 3 seeds each" in text
    assert "│ BattleZone │ 3 │ 90,000.0 │ 2.516 │ 10,165.3 │" in text and " no │" in text


def test_the_sb3_peer_gets_the_presets_settings():
    drq = atari100k.sb3_dqn_settings("drq", 100_000)
    assert (drq["n_steps"], drq["train_freq"], drq["target_update_interval"]) == (10, 1, 1)
    assert (drq["learning_rate"], drq["batch_size"], drq["learning_starts"]) == (1e-4, 32, 1600)
    assert drq["optimizer_kwargs"] == {"eps": 1.5e-4}
    der = atari100k.sb3_dqn_settings("der", 5_000, learning_starts=100)
    assert (der["target_update_interval"], der["learning_starts"], der["buffer_size"]) == (2000, 100, 5000)
    assert (drq["exploration_initial_eps"], der["exploration_initial_eps"]) == (1.0, 0.01)


def test_the_progress_of_an_evaluation_is_read_from_its_run(tmp_path):
    cfg = BenchAtari100kConfig(run_root=str(tmp_path), steps=100, eval_episodes=10)
    assert atari100k._eval_progress(tmp_path, cfg) == "evaluating"  # nothing written yet
    doc = {"step": 100, "episodes": 10, "complete": False, "returns": [1.0, 2.0, 3.0]}
    (tmp_path / "evaluation.json").write_text(json.dumps(doc))
    assert atari100k._eval_progress(tmp_path, cfg) == "evaluating 3/10 games"
    (tmp_path / "evaluation.json").write_text(json.dumps(doc | {"step": 50}))  # an older evaluation
    assert atari100k._eval_progress(tmp_path, cfg) == "evaluating"
    with pytest.raises(ValueError, match="eval-envs"):
        BenchAtari100kConfig(eval_envs=0)
