"""The search benchmark: its JSON lines, its peers' simulation counts, the tiny net (no timing is asserted)."""

from __future__ import annotations

import json

import pytest

from seigen.scripts.bench_search import (
    GAMES,
    PEER_CPP,
    PEER_PY,
    SEIGEN,
    goals,
    make_peer_bot,
    peer_loop,
    ratios,
    run_search_benchmark,
    tiny_net,
)
from seigen.scripts.cli import main
from seigen.scripts.configs import BenchSearchConfig

ROW_KEYS = {"kind", "impl", "game", "evaluator", "sims_per_s", "batch", "seconds", "visits", "cpu", "cores"}
SPLIT_KEYS = ROW_KEYS | {"select_s", "evaluate_s", "backup_s", "select_frac", "evaluate_frac", "backup_frac"}
FAST = ["--batch", "2", "--visits", "24", "--leaves-per-tree", "4", "--seconds", "0.02", "--repeats", "1"]


def _check_sims_row(row: dict) -> None:
    assert row.keys() >= ROW_KEYS
    assert row["kind"] == "sims" and row["cores"] == 1
    assert row["sims_per_s"] > 0 and row["simulations"] > 0 and row["searches"] >= 1
    assert isinstance(row["cpu"], str) and row["cpu"]


def test_cli_json_lines_connect4_with_peers(capsys):
    argv = ["bench", "search", "--game", "connect4", *FAST, "--no-split", "--json"]
    assert main(argv) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]  # nothing but JSON
    rows = [line for line in lines if line["kind"] == "sims"]
    assert [row["impl"] for row in rows] == [SEIGEN, PEER_PY, PEER_CPP]
    for row in rows:
        _check_sims_row(row)
        assert row["game"] == "connect4" and row["evaluator"] == "rollout" and row["visits"] == 24
    assert rows[0]["batch"] == 2 and rows[1]["batch"] == rows[2]["batch"] == 1
    for peer in rows[1:]:  # no early stop: every peer search does exactly the visits
        assert peer["simulations"] == 24 * peer["searches"]
    ratio_lines = [line for line in lines if line["kind"] == "ratio"]
    assert [r["ratio"] for r in ratio_lines] == [f"seigen/{PEER_PY}", f"seigen/{PEER_CPP}"]
    assert all(r["sims_per_s"] > 0 for r in ratio_lines)
    goal_lines = [line for line in lines if line["kind"] == "goal"]
    assert len(goal_lines) == 2 and all(isinstance(g["met"], bool) for g in goal_lines)
    assert not any(line["kind"] == "split" for line in lines)


def test_function_go9_uniform_and_split():
    cfg = BenchSearchConfig(
        game="go9",
        batch=2,
        visits=16,
        leaves_per_tree=4,
        seconds=0.02,
        repeats=1,
        split_batches=(4, 8),
        split_visits=8,
    )
    rows = run_search_benchmark(cfg, show_progress=False)
    sims = [row for row in rows if row["kind"] == "sims"]
    assert [(row["impl"], row["game"], row["evaluator"]) for row in sims] == [(SEIGEN, "go9", "uniform")]
    _check_sims_row(sims[0])
    assert ratios(rows) == []  # no OpenSpiel peer on go9
    split = [row for row in rows if row["kind"] == "split"]
    assert [row["batch"] for row in split] == [4, 8]
    assert [row["games"] for row in split] == [1, 2]
    for row in split:
        assert row.keys() >= SPLIT_KEYS
        assert row["evaluator"] == "net" and row["sims_per_s"] > 0 and row["batches"] >= 1
        fracs = [row[f"{key}_frac"] for key in ("select", "evaluate", "backup", "other")]
        assert all(0 <= f <= 1 for f in fracs) and sum(fracs) == pytest.approx(1, abs=0.05)
        assert row["evaluate_s"] > 0


def test_table_output_names_everything(capsys):
    argv = ["bench", "search", "--game", "tictactoe", *FAST, "--split-batches", "4", "--split-visits", "8"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    for text in ("tictactoe", "seigen", PEER_PY, PEER_CPP, "sims/s", "cores used: 1", "select", "evaluate"):
        assert text in out


def test_no_peer_and_uniform_evaluator_skip_the_peers():
    cfg = BenchSearchConfig(
        game="connect4", batch=1, visits=8, seconds=0.01, repeats=1, split=False, peer=False
    )
    assert [row["impl"] for row in run_search_benchmark(cfg, show_progress=False)] == [SEIGEN]
    cfg = BenchSearchConfig(
        game="connect4", evaluator="uniform", batch=1, visits=8, seconds=0.01, split=False
    )
    rows = run_search_benchmark(cfg, show_progress=False)
    assert [(row["impl"], row["evaluator"]) for row in rows] == [(SEIGEN, "uniform")]


@pytest.mark.parametrize("impl", [PEER_PY, PEER_CPP])
@pytest.mark.parametrize("game", ["connect4", "tictactoe"])
def test_peer_searches_do_exactly_the_visits(impl, game):
    totals = peer_loop(impl, game, 16, 2.0, 0.0001, 3, lambda dt: None)
    assert totals["searches"] >= 1 and totals["elapsed"] > 0
    assert totals["simulations"] == 16 * totals["searches"]
    _, bot = make_peer_bot(impl, GAMES[game].openspiel, 16, 2.0, 0)
    assert bot is not None


def test_peer_errors():
    with pytest.raises(ValueError, match="unknown peer"):
        make_peer_bot("mystery", "connect_four", 8, 2.0, 0)
    with pytest.raises(ValueError, match="no OpenSpiel peer"):
        peer_loop(PEER_PY, "go9", 8, 2.0, 0.01, 0, lambda dt: None)


def test_tiny_net_shapes():
    import torch

    net = tiny_net(17, 9, 9, 82)
    with torch.no_grad():
        logits, value = net(torch.zeros(5, 17, 9, 9))
    assert logits.shape == (5, 82) and value.shape == (5,)
    assert bool((value.abs() <= 1).all())


def test_ratios_and_goals_from_rows():
    def row(impl: str, game: str, evaluator: str, sps: float) -> dict:
        return {"kind": "sims", "impl": impl, "game": game, "evaluator": evaluator, "sims_per_s": sps}

    rows = [
        row(SEIGEN, "go9", "uniform", 150_000.0),
        row(SEIGEN, "connect4", "rollout", 400_000.0),
        row(PEER_PY, "connect4", "rollout", 10_000.0),
        row(PEER_CPP, "connect4", "rollout", 500_000.0),
    ]
    assert [(r["ratio"], r["sims_per_s"]) for r in ratios(rows)] == [
        (f"seigen/{PEER_PY}", 40.0),
        (f"seigen/{PEER_CPP}", 0.8),
    ]
    assert [(g["value"], g["met"]) for g in goals(rows)] == [(150_000.0, True), (40.0, True), (0.8, False)]
    assert goals(rows[:1])[0]["met"] and len(goals(rows[:1])) == 1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"batch": 0}, "--batch"),
        ({"visits": 0}, "--visits"),
        ({"leaves_per_tree": 0}, "--leaves-per-tree"),
        ({"seconds": 0}, "--seconds"),
        ({"repeats": 0}, "--repeats"),
        ({"c": 0}, "--c"),
        ({"split_batches": (64, 0)}, "--split-batches"),
    ],
)
def test_config_rejects_bad_values(kwargs, message):
    with pytest.raises(ValueError, match=message):
        BenchSearchConfig(**kwargs)


@pytest.mark.parametrize(
    ("argv", "message"),
    [(["--batch", "0"], "--batch must be at least 1"), (["--game", "chess"], "--game")],
)
def test_cli_rejects_bad_values(argv, message, capsys):
    assert main(["bench", "search", *argv]) == 2
    captured = capsys.readouterr()
    assert message in captured.err and captured.out == ""
