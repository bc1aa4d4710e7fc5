"""The evaluator: lock-step matches, the Elo ladder, checkpoint evaluation and the evaluator loop."""

from __future__ import annotations

import json
import math
import threading
import time
from pathlib import Path

import pytest
import torch

from seigen.agents.agent import RandomAgent, SearchAgent
from seigen.agents.pvnet import NetSpec, PolicyValueNet, net_state
from seigen.engine.arena import play_match
from seigen.engine.games import make_game
from seigen.engine.ratings import EloLadder, elo_from_score, ladder_from_rows
from seigen.engine.search import RolloutEvaluator
from seigen.selfplay.evaluator import append_eval, evaluate_checkpoint, read_eval, run_evaluator

# ---------------------------------------------------------------- helpers


pytestmark = pytest.mark.usefixtures("one_torch_thread")


class Recorder:
    """Wraps an agent and records every batched call: each game's (moves so far, side to move)."""

    def __init__(self, agent, name: str) -> None:
        self.agent = agent
        self.name = name
        self.calls: list[list[tuple[list[int], int]]] = []

    def select(self, games):
        assert not any(g.is_terminal() for g in games)
        self.calls.append([(list(g.history), g.to_play) for g in games])
        return self.agent.select(games)


class FirstLegal:
    """Always the lowest legal action: in tic-tac-toe the first player then wins (0, 2, 4, 6)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def select(self, games):
        return [int(g.legal_actions()[0]) for g in games]


def tiny_checkpoint(
    path: Path, game: str = "tictactoe", step: int = 0, seed: int = 0, **settings: object
) -> Path:
    """An untrained one-block net for ``game`` (Go: ``size``, ``komi``, ``max_moves`` in ``settings``)."""
    torch.manual_seed(seed)
    g = make_game(game, size=int(settings.get("size", 9)))
    c, h, w = g.feature_shape
    net = PolicyValueNet(NetSpec(c, h, w, g.num_actions, blocks=1, channels=8))
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save({**net_state(net, {"name": game, **settings}), "step": step}, path)
    return path


def publish(run_dir: Path, step: int, *, corrupt: bool = False) -> Path:
    """Write checkpoints/step-N.pt (or garbage) and point checkpoints/latest at it."""
    path = run_dir / "checkpoints" / f"step-{step:09d}.pt"
    if corrupt:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"not a checkpoint at all")
    else:
        tiny_checkpoint(path, step=step, seed=step)
    (run_dir / "checkpoints" / "latest").write_text(path.name + "\n")
    return path


def wait_for(predicate, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.02)


# ---------------------------------------------------------------- play_match


def test_play_match_alternates_colours_and_counts_add_up():
    a = Recorder(RandomAgent(1), "a")
    b = Recorder(RandomAgent(2), "b")
    out = play_match(a, b, "tictactoe", 10, opening_moves=2, seed=3)
    assert out.games == out.wins + out.draws + out.losses == 10
    assert out.a_first == [i % 2 == 0 for i in range(10)]
    assert out.points == out.wins + 0.5 * out.draws
    # every call is batched, one per agent per ply, and an agent moves only for its colour
    assert len(a.calls[0]) == len(b.calls[0]) == 5  # ply one: the five games where each moves first
    assert max(len(a.calls), len(b.calls)) <= 7  # at most 7 plies after a 2-ply opening
    for agent, a_side in ((a, True), (b, False)):
        for call in agent.calls:
            for history, to_play in call:
                assert any(
                    moves[: len(history)] == history and ((i % 2 == 0) == a_side) == (to_play == 0)
                    for i, moves in enumerate(out.moves)
                )
    # one opening per colour-swapped pair, different between pairs
    openings = [tuple(m[:2]) for m in out.moves]
    assert all(openings[2 * i] == openings[2 * i + 1] for i in range(5))
    assert len(set(openings)) > 1
    for i, moves in enumerate(out.moves):
        g = make_game("tictactoe", size=3)
        for m in moves:
            g.play(m)
        assert g.is_terminal()
        assert out.results[i] == g.returns() * (1 if i % 2 == 0 else -1)
    summary = out.summary()
    assert summary["wdl"] == f"{out.wins}-{out.draws}-{out.losses}"
    assert summary["wilson_low"] <= summary["win_rate"] <= summary["wilson_high"]
    json.dumps(summary, allow_nan=False)


def test_play_match_results_are_from_a_view():
    out = play_match(FirstLegal("a"), FirstLegal("b"), "tictactoe", 6)
    assert out.results == [1.0, -1.0] * 3  # the first player wins every game
    assert (out.wins, out.draws, out.losses) == (3, 0, 3)
    assert out.moves[0] == [0, 1, 2, 3, 4, 5, 6]


def test_play_match_stops_when_asked():
    calls = []

    def should_stop():
        calls.append(1)
        return len(calls) > 3

    out = play_match(RandomAgent(0), RandomAgent(1), "connect4", 8, should_stop=should_stop)
    assert out.interrupted
    assert out.games == 0
    assert out.results == [None] * 8


def test_play_match_go_opening_and_cap():
    out = play_match(RandomAgent(0), RandomAgent(1), "go", 2, size=5, komi=0.5, max_moves=20, opening_moves=4)
    assert out.moves[0][:4] == out.moves[1][:4]
    assert 25 not in out.moves[0][:4]  # no pass in the opening
    assert all(len(m) <= 20 for m in out.moves)
    assert out.games == 2


@pytest.mark.parametrize("game", ["tictactoe", "connect4"])
def test_rollout_search_beats_random(game):
    mcts = SearchAgent(RolloutEvaluator(1), 64, name="mcts-rollout-64")
    out = play_match(mcts, RandomAgent(5), game, 20, opening_moves=2)
    assert out.games == 20
    assert out.wins >= 12 and out.losses <= 3, out.summary()


# ---------------------------------------------------------------- the ladder


def test_ladder_known_answer_and_order():
    exact = EloLadder(prior_draws=0)
    exact.add("x", "random", 300, 0, 100)  # 75%
    assert exact.rating("x") == pytest.approx(elo_from_score(0.75), abs=0.1)  # +190.8
    r = exact.ratings()["x"]
    assert r["elo_low"] < r["elo"] < r["elo_high"]
    # the default prior (one virtual draw per pair) barely moves a 400-game result
    assert EloLadder.from_rows(exact.to_rows()).rating("x") == pytest.approx(190.8, abs=2)
    # draws are half points: 200 wins and 200 draws of 400 is also 75%
    halves = EloLadder(prior_draws=0)
    halves.add("random", "x", 0, 200, 200)
    assert halves.rating("x") == pytest.approx(190.8, abs=0.1)

    ladder = EloLadder()
    ladder.add("weak", "random", 12, 2, 6)
    ladder.add("strong", "random", 19, 0, 1)
    ladder.add("strong", "weak", 15, 2, 3)
    ratings = ladder.ratings()
    assert ratings["random"]["elo"] == 0.0
    assert ratings["strong"]["elo"] > ratings["weak"]["elo"] > 0
    assert ratings["strong"]["games"] == 40 and ratings["weak"]["points"] == 12 + 1 + 3 + 1


def test_ladder_clean_sweep_is_finite_and_unlinked_is_none():
    ladder = EloLadder()
    ladder.add("net", "random", 20, 0, 0)
    ladder.add("loner", "other", 3, 0, 0)
    ratings = ladder.ratings()
    net = ratings["net"]
    assert all(math.isfinite(net[k]) for k in ("elo", "elo_low", "elo_high"))
    assert 300 < net["elo"] < 1000 and net["elo_low"] > 0
    assert ratings["loner"]["elo"] is None and ratings["other"]["elo"] is None
    json.dumps(ratings, allow_nan=False)
    # more games narrow the interval
    more = EloLadder()
    more.add("net", "random", 150, 0, 50)
    few = EloLadder()
    few.add("net", "random", 15, 0, 5)
    width = [r.ratings()["net"]["elo_high"] - r.ratings()["net"]["elo_low"] for r in (more, few)]
    assert width[0] < width[1]


def test_ladder_rows_round_trip():
    ladder = EloLadder()
    ladder.add("b", "a", 3, 1, 2)
    ladder.add("a", "b", 1, 0, 0)
    ladder.add("a", "random", 4, 0, 0)
    rows = ladder.to_rows()
    assert {"a": "a", "b": "b", "wins": 3, "draws": 1, "losses": 3} in rows
    again = EloLadder.from_rows(json.loads(json.dumps(rows)))
    assert again.ratings() == ladder.ratings()
    with pytest.raises(ValueError):
        ladder.add("a", "a", 1, 0, 0)


# ---------------------------------------------------------------- evaluate_checkpoint


def test_evaluate_checkpoint_row(tmp_path):
    current = tiny_checkpoint(tmp_path / "step-000000010.pt", step=10, seed=1)
    older = tiny_checkpoint(tmp_path / "step-000000005.pt", step=5, seed=2)
    row = evaluate_checkpoint(current, previous=older, games=4, visits=8)
    json.dumps(row, allow_nan=False)
    assert row["step"] == 10 and row["player"] == "step-10"
    assert row["game"] == {"name": "tictactoe"} and row["opening_moves"] == 2
    assert set(row["vs"]) == {"random", "mcts-rollout-8", "step-5"}
    for result in row["vs"].values():
        assert result["wins"] + result["draws"] + result["losses"] == result["games"] == 4
        assert 0 <= result["wilson_low"] <= result["win_rate"] <= result["wilson_high"] <= 1
    assert row["elo_low"] <= row["elo"] <= row["elo_high"]
    assert row["ladder"]["random"]["elo"] == 0.0
    assert row["ladder"]["step-10"]["elo"] == row["elo"]
    # a previous net that does not load is reported, not fatal
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"garbage")
    row = evaluate_checkpoint(current, previous=bad, games=2, visits=4)
    assert "error" in row["vs"]["previous"] and "random" in row["vs"]


def test_evaluate_checkpoint_gnugo_needs_go(tmp_path):
    current = tiny_checkpoint(tmp_path / "step-000000001.pt", step=1)
    row = evaluate_checkpoint(current, games=2, visits=4, gnugo=True)
    assert "Go only" in row["vs"]["gnugo"]["error"]
    assert ladder_from_rows([row]).ratings()["step-1"]["elo"] == row["elo"]


@pytest.mark.slow
def test_evaluate_checkpoint_go_against_gnugo(tmp_path, gnugo_path, monkeypatch):
    monkeypatch.setenv("GNUGO", gnugo_path)
    go = {"size": 9, "komi": 7.0, "rules": "chinese", "max_moves": 30}
    current = tiny_checkpoint(tmp_path / "step-000000003.pt", "go", step=3, **go)
    row = evaluate_checkpoint(current, games=2, visits=4, gnugo=True, gnugo_games=2)
    json.dumps(row, allow_nan=False)
    assert row["game"] == {"name": "go", **go} and row["opening_moves"] == 4
    gnugo = row["vs"]["gnugo-1"]
    assert "error" not in gnugo, gnugo
    assert gnugo["games"] == 2 and gnugo["wins"] + gnugo["draws"] + gnugo["losses"] == 2
    assert gnugo["forfeits"] == 0
    assert "gnugo-1" in row["ladder"]
    # GNU Go at another level, the net with AlphaGo's mixed values (seigen gtp --mix)
    row = evaluate_checkpoint(current, games=2, visits=4, gnugo=True, gnugo_games=1, gnugo_level=3, mix=0.5)
    assert "error" not in row["vs"]["gnugo-3"] and row["vs"]["gnugo-3"]["forfeits"] == 0


# ---------------------------------------------------------------- the loop


def test_read_eval_skips_a_torn_line(tmp_path):
    append_eval(tmp_path, {"step": 1})
    append_eval(tmp_path, {"step": 2})
    with open(tmp_path / "eval.jsonl", "a") as f:
        f.write('{"step": 3, "vs": {"ran')  # a crash mid-write
    assert [r["step"] for r in read_eval(tmp_path)] == [1, 2]
    append_eval(tmp_path, {"step": 4})  # starts a fresh line after the torn one
    assert [r["step"] for r in read_eval(tmp_path)] == [1, 2, 4]
    assert read_eval(tmp_path / "elsewhere") == []


def test_run_evaluator_rates_new_checkpoints_and_skips_a_corrupt_one(tmp_path):
    run = tmp_path / "run"
    publish(run, 1)
    stop = threading.Event()
    kwargs = {"every_minutes": 0.0, "games": 2, "visits": 4, "poll_seconds": 0.02, "threads": None}
    thread = threading.Thread(target=run_evaluator, args=(run,), kwargs={**kwargs, "stop": stop}, daemon=True)
    thread.start()
    try:
        wait_for(lambda: len(read_eval(run)) == 1)
        publish(run, 2, corrupt=True)
        wait_for(lambda: len(read_eval(run)) == 2)
        publish(run, 3)
        wait_for(lambda: len(read_eval(run)) == 3)
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()
    first, broken, third = read_eval(run)
    assert first["player"] == "step-1" and set(first["vs"]) == {"random", "mcts-rollout-4"}
    assert "error" in broken and "step-000000002.pt" in broken["checkpoint"]
    assert third["player"] == "step-3" and "step-1" in third["vs"]  # the previous evaluated net
    assert (run / "eval_games" / "step-000000003.jsonl").exists()

    # a restart rebuilds the ladder from eval.jsonl and does not redo step 3
    publish(run, 4)
    assert run_evaluator(run, stop=threading.Event(), max_evaluations=1, **kwargs) == 1
    rows = read_eval(run)
    assert len(rows) == 4 and rows[-1]["player"] == "step-4" and "step-3" in rows[-1]["vs"]
    assert {"step-1", "step-3", "step-4"} <= set(rows[-1]["ladder"])
    assert rows[-1]["ladder"]["step-1"]["games"] == 6  # its games from before the restart
    assert ladder_from_rows(rows).ratings()["step-4"]["elo"] == rows[-1]["elo"]


class Watch:
    """A stop signal with ``is_set`` only (like the run's watch on its parent process)."""

    def __init__(self, event: threading.Event) -> None:
        self.event = event

    def is_set(self) -> bool:
        return self.event.is_set()


def test_run_evaluator_stops_mid_evaluation(tmp_path):
    run = tmp_path / "run"
    publish(run, 1)
    stop = threading.Event()
    thread = threading.Thread(
        target=run_evaluator,
        args=(run,),
        kwargs={"games": 2000, "visits": 32, "stop": Watch(stop), "poll_seconds": 0.02, "threads": None},
        daemon=True,
    )
    thread.start()
    time.sleep(0.5)
    stop.set()
    started = time.monotonic()
    thread.join(timeout=5)
    assert not thread.is_alive()
    assert time.monotonic() - started < 2.0
    assert read_eval(run) == []  # an evaluation cut short writes no row
