"""``seigen report``: a report renders from small run directories written by hand in the real
formats (``RunDir.log`` rows, ``eval.jsonl``, ``seigen eval --curve --json``), and the shared
bar chart of ``seigen bench ... --plot``."""

from __future__ import annotations

import json
import re
import sys
import types
from pathlib import Path

import pytest

from seigen.scripts import report
from seigen.scripts.cli import main as cli_main
from seigen.scripts.configs import ReportConfig
from seigen.scripts.report import main as report_main

PNG = b"\x89PNG\r\n\x1a\n"


def write_run(path: Path, config: dict, metrics: list[dict], extra: str = "", **files: list[dict]) -> Path:
    """A run directory: config.json, metrics.jsonl (then ``extra`` raw text), and other JSON-lines files."""
    path.mkdir(parents=True)
    (path / "config.json").write_text(json.dumps(config, indent=2) + "\n")
    (path / "metrics.jsonl").write_text("".join(json.dumps(r) + "\n" for r in metrics) + extra)
    for name, rows in files.items():
        (path / f"{name}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def dqn_run(root: Path, seed: int) -> Path:
    """A DQN run as RunDir.log writes it: episodes, losses at checkpoints, the final evaluation,
    resumed once (time starts again at 0), with an empty line and a torn last line."""
    config = {"env": "CartPole-v1", "seed": seed, "run_dir": str(root / f"dqn-{seed}"), "total_steps": 4000}
    config |= {"double": True, "learning_rate": 0.0023, "device": "cpu", "resume": False}
    rows, t = [], 0.0
    for i, step in enumerate(range(100, 4001, 100)):
        t = 0.05 * step if step <= 2000 else 0.05 * (step - 2000)  # resumed at step 2000
        rows.append({"step": step, "time": t, "episodic_return": 10.0 + i * seed, "episode_length": 10 + i})
        if step % 1000 == 0:
            rows.append({"step": step, "time": t, "sps": 900.0, "loss": 1.0 / (i + 1), "q_mean": 0.1 * i})
    rows.append(
        {"step": 4000, "time": t + 1, "eval/mean": 180.0 + seed, "eval/std": 5.0, "eval/episodes": 10}
    )
    return write_run(root / f"dqn-{seed}", config, rows, extra='\n{"step": 4100, "time": 9')


def selfplay_run(root: Path) -> Path:
    config = {"game": "connect4", "seed": 0, "run_dir": str(root / "c4"), "blocks": 2, "channels": 32}
    metrics = [
        {"step": 10 * k, "time": 10.0 * k, "games": 50 * k, "positions": 1000 * k, "positions_per_s": 100.0}
        | {
            "loss": 3.0 - 0.1 * k,
            "policy_loss": 2.0 - 0.05 * k,
            "value_loss": 1.0 - 0.05 * k,
            "elo": 40.0 * k,
        }
        for k in range(1, 8)
    ]
    vs = {
        "random": {"games": 10, "wins": 9, "draws": 0, "losses": 1, "wdl": "9-0-1", "win_rate": 0.9},
        "mcts-rollout-50": {
            "games": 10,
            "wins": 4,
            "draws": 1,
            "losses": 5,
            "wdl": "4-1-5",
            "win_rate": 0.45,
        },
    }
    evals = [
        {"step": s, "player": f"step-{s}", "time": 1.8e9 + s, "games": 10, "vs": vs}
        | {"elo": 3.0 * s, "elo_low": 3.0 * s - 90, "elo_high": 3.0 * s + 90, "seconds": 2.0}
        for s in (0, 20, 40, 60)
    ]
    evals.append({"checkpoint": "x.pt", "time": 1.8e9 + 99, "error": "corrupt"})  # a skipped checkpoint
    curve = [
        {"step": s, "game": "connect4", "visits": 50, "minutes": s / 6, "games_played": 5 * s}
        | {"connect4": {"positions": 200, "accuracy": 0.3 + s / 200, "policy_accuracy": 0.2 + s / 300}}
        for s in (0, 30, 60)
    ]
    return write_run(root / "c4", config, metrics, eval=evals, curve=curve)


def sl_run(root: Path) -> Path:
    config = {"game": "go", "size": 9, "seed": 0, "run_dir": str(root / "sl"), "blocks": 1, "channels": 16}
    metrics = [
        {"step": 10 * k, "time": 0.5 * k, "loss": 5.0 - 0.2 * k, "policy_loss": 4.0 - 0.1 * k}
        | {"value_loss": 1.0 - 0.05 * k, "holdout_accuracy": 0.01 * k, "holdout_policy_loss": 4.2 - 0.1 * k}
        for k in range(1, 6)
    ]
    run = write_run(root / "sl", config, metrics)
    (run / "sl").mkdir()
    (run / "sl" / "config.json").write_text("{}")
    return run


def figure_titles(md: str) -> list[str]:
    return re.findall(r"^### (.+)$", md, re.M)


def check_pngs(out: Path, md: str) -> list[Path]:
    """Every PNG the Markdown links exists, is a PNG and is not empty; the HTML embeds them all."""
    links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", md)
    assert links
    pngs = [out / link for link in links]
    for png in pngs:
        data = png.read_bytes()
        assert data[:8] == PNG and len(data) > 2000, png
    page = (out / "index.html").read_text()
    assert page.count('src="data:image/png;base64,') == len(links)
    assert "figures/" not in page  # self-contained: nothing linked
    return pngs


def test_rows_a_resumed_session_logged_again_are_dropped():
    rows = [
        {"step": 10, "time": 1.0},
        {"step": 20, "time": 2.0},
        {"step": 30, "time": 3.0},  # checkpoint at 20, crash after 30
        {"step": 25, "time": 0.5},  # the resumed session, from 20
        {"step": 35, "time": 1.5},
    ]
    report.wall_clock(rows)
    kept = report.drop_superseded(rows)
    assert [r["step"] for r in kept] == [10, 20, 25, 35]
    assert [r["wall"] for r in kept] == [1.0, 2.0, 3.5, 4.5]  # the sessions laid end to end


def test_a_report_of_two_dqn_seeds_and_a_selfplay_run(tmp_path, capsys):
    runs = [dqn_run(tmp_path, 1), dqn_run(tmp_path, 2), selfplay_run(tmp_path)]
    out = tmp_path / "report"
    assert report_main(ReportConfig(run_dir=tuple(map(str, runs)), out=str(out), smooth=3)) == 0
    assert "index.html" in capsys.readouterr().out
    md = (out / "index.md").read_text()
    titles = figure_titles(md)
    assert titles == [
        "DQN on CartPole-v1: return against environment steps and wall-clock time",
        "DQN on CartPole-v1: losses",
        "Self-play connect4: Elo against training time and self-play games",
        "Self-play connect4: losses",
        "Connect Four: move accuracy against training time and games",
    ]
    check_pngs(out, md)
    assert "DQN on CartPole-v1: 2 seeds (1, 2)" in md
    page = (out / "index.html").read_text()
    for title in titles:
        assert title in page
    # the final figures: both seeds (the torn and empty lines skipped), the evaluation, the ladder
    assert "| 4,000 | 3.4 min | 40 |" in md  # steps, wall-clock across the resume (100 s + 101 s), episodes
    assert "181 ± 5 (10 ep.)" in md and "182 ± 5 (10 ep.)" in md
    assert "+180 [+90, +270]" in md and "90% (9-0-1)" in md and "45% (4-1-5)" in md and "60.0% / 40.0%" in md


def test_seigen_report_command_with_the_default_out_and_a_supervised_run(tmp_path, capsys):
    run = sl_run(tmp_path)
    assert cli_main(["report", str(run)]) == 0
    out = run / "report"
    md = (out / "index.md").read_text()
    assert figure_titles(md) == [
        "Supervised go: held-out move accuracy against steps and wall-clock time",
        "Self-play go: losses",
    ]
    check_pngs(out, md)
    assert "No rated net in eval.jsonl" in md and "5.0%" in md


@pytest.mark.parametrize("bad", ["missing", "empty", "file"])
def test_a_path_that_is_not_a_run_directory_is_a_one_line_error(tmp_path, capsys, bad):
    good = dqn_run(tmp_path, 1)
    path = tmp_path / bad
    if bad == "empty":
        path.mkdir()
    elif bad == "file":
        path.write_text("x")
    assert cli_main(["report", str(good), str(path), "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("seigen report: error: ") and str(path) in err
    assert not (tmp_path / "r").exists()  # nothing written


def test_the_atari100k_figures_come_from_their_module_or_are_skipped_with_a_note(
    tmp_path, monkeypatch, capsys
):
    root = tmp_path / "atari"
    root.mkdir()
    (root / "atari100k.json").write_text("{}")
    monkeypatch.setitem(sys.modules, "seigen.scripts.atari100k", None)  # not importable
    assert cli_main(["report", str(root)]) == 0
    md = (root / "report" / "index.md").read_text()
    assert "Atari 100k figures are skipped" in md and "note:" in capsys.readouterr().err

    def report_figures(root: Path, out: Path) -> list[tuple[str, Path]]:
        from seigen.scripts.plots import Bar, BarPanel, bars_figure, save

        fig = bars_figure("IQM", [BarPanel("aggregates", "human-normalized score", [Bar("IQM", "drq", 0.3)])])
        return [("Atari 100k aggregates", save(fig, out / "agg.png"))]

    fake = types.ModuleType("seigen.scripts.atari100k")
    fake.report_figures = report_figures
    monkeypatch.setitem(sys.modules, "seigen.scripts.atari100k", fake)
    assert cli_main(["report", str(root), "--out", str(tmp_path / "r2")]) == 0
    md = (tmp_path / "r2" / "index.md").read_text()
    assert figure_titles(md) == ["Atari 100k aggregates"]
    check_pngs(tmp_path / "r2", md)
    # two roots draw files of the same names; each keeps its own
    other = tmp_path / "atari-other"
    other.mkdir()
    (other / "atari100k.json").write_text("{}")
    assert cli_main(["report", str(root), str(other), "--out", str(tmp_path / "r3")]) == 0
    md = (tmp_path / "r3" / "index.md").read_text()
    pngs = check_pngs(tmp_path / "r3", md)
    assert len(pngs) == 2 and pngs[0] != pngs[1]


def test_bench_plot_draws_the_table_as_bars_with_the_ratios(tmp_path):
    from seigen.scripts import bench_board, bench_rl, bench_search, bench_selfplay
    from seigen.scripts.plots import save_bench_plot

    board = [
        {"impl": impl, "size": 9, "playouts_per_s": pps, "moves_per_s": 100 * pps}
        for impl, pps in (("seigen", 50_000.0), ("seigen-heavy", 9_000.0), ("pettingzoo", 90.0))
    ]
    (panel,) = bench_board.plot_panels(board)
    assert [b.label for b in panel.bars] == ["seigen", "seigen-heavy", "pettingzoo"]
    assert "seigen/pettingzoo 556x" in panel.notes["9x9"]
    png = save_bench_plot(tmp_path / "board.png", "board", [panel])
    assert png.read_bytes()[:8] == PNG and png.stat().st_size > 2000

    sims = [
        {"kind": "sims", "impl": impl, "game": "connect4", "evaluator": "rollout", "sims_per_s": v}
        for impl, v in (("seigen", 40_000.0), ("openspiel-py", 1_000.0), ("openspiel-cpp", 8_000.0))
    ]
    (panel,) = bench_search.plot_panels(sims)
    assert "seigen/openspiel-py 40x" in panel.notes["connect4, rollout"] and len(panel.bars) == 3

    runs = [
        {"kind": "run", "task": "cartpole", "algo": "dqn", "impl": impl, "env": "CartPole-v1", "seed": 1}
        | {"budget": 1000, "seconds": 1.0, "steps_per_s": v, "eval_mean": r, "eval_std": 0.0}
        | {"cpu": "x", "cores": 1}
        for impl, v, r in (("seigen", 2000.0, 500.0), ("sb3", 800.0, 480.0))
    ]
    rows = [*runs, *bench_rl.medians(runs), *bench_rl._ratio_and_goal(runs)]
    speed, returns = bench_rl.plot_panels(rows)
    assert speed.notes == {"DQN CartPole-v1": "seigen/sb3 2.5x"} and returns.log is False

    selfplay = [
        {"game": "go", "net": "6x64", "visits": 64, "games_in_flight": n, "positions_per_s": v}
        | {"ratio_to_one_game": v / 10.0}
        for n, v in ((1, 10.0), (32, 150.0))
    ]
    (panel,) = bench_selfplay.plot_panels(selfplay)
    assert panel.notes == {"go (6x64 net, 64 visits)": "32 vs 1 game in flight: 15x"}
