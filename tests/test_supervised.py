"""``seigen train sl``: Go nets learned from SGF games (``seigen.selfplay.supervised``), on tiny nets and tiny SGF sets."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from seigen.agents.pvnet import NetSpec, PolicyValueNet, load_net, policy_value_loss
from seigen.agents.runs import RunError, checkpoint_file, load_checkpoint
from seigen.engine.board import Board
from seigen.engine.games import GoGame
from seigen.engine.sgf import GameInfo, write_sgf
from seigen.scripts.cli import main
from seigen.selfplay.config import SelfPlayConfig, SupervisedConfig
from seigen.selfplay.run import prepare_config
from seigen.selfplay.supervised import (
    Dataset,
    SkippedGame,
    read_game,
    result_value,
    sgf_files,
    split_games,
    train_supervised,
)

pytestmark = pytest.mark.usefixtures("one_torch_thread")


TINY = dict(blocks=1, channels=8, batch_size=16, device="cpu", progress=False)


def random_game(size: int, seed: int, moves: int = 20, handicap: int = 0, komi: float = 7.0) -> Board:
    """A game of ``moves`` random sensible moves (fewer if one side runs out)."""
    rng = np.random.default_rng(seed)
    board = Board(size, komi=komi)
    if handicap:
        board.place_handicap(handicap)
    for _ in range(moves):
        options = board.sensible_moves()
        board.play(int(rng.choice(options)) if len(options) else board.pass_move)
    return board


def write_games(
    folder: Path, count: int, size: int = 5, result: str | None = "B+R", seed: int = 0
) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        path = folder / f"g{i:03d}.sgf"
        write_sgf(random_game(size, seed + i, moves=12), path, GameInfo(result=result))
        paths.append(path)
    return paths


@pytest.mark.parametrize(
    ("text", "value"),
    [
        *[("B+R", 1.0), ("B+3.5", 1.0), ("W+T", -1.0), ("w+0.5", -1.0), ("0", 0.0), ("Draw", 0.0)],
        *[("?", None), ("Void", None), ("", None), (None, None), ("unfinished", None)],
    ],
)
def test_result_value_reads_sgf_results(text, value):
    assert result_value(text) == value


def test_read_game_replays_every_position_with_handicap_and_komi(tmp_path):
    board = random_game(9, seed=3, moves=15, handicap=2, komi=0.5)
    path = tmp_path / "h.sgf"
    write_sgf(board, path, GameInfo(result="W+12.5"))
    game = read_game(path, 9)
    assert len(game.moves) == 15 and game.result == -1.0
    assert game.movers[0] == -1 and list(game.movers[:4]) == [-1, 1, -1, 1]  # handicap: white first
    replay = GoGame(Board(9, komi=0.5), max_moves=100)
    replay.board.place_handicap(2)
    replay = GoGame(replay.board, max_moves=100)
    for t, (colour, index) in enumerate(board.moves):
        assert np.array_equal(game.features[t], replay.features().astype(np.uint8)), t
        assert game.moves[t] == index and game.movers[t] == (1 if colour == "black" else -1)
        replay.play(index)


def test_bad_files_are_skipped_with_their_reason(tmp_path):
    write_sgf(random_game(9, 1), tmp_path / "nine.sgf")
    (tmp_path / "broken.sgf").write_text("(;GM[1]SZ[5];B[aa")
    (tmp_path / "chess.sgf").write_text("(;GM[3]SZ[8])")
    (tmp_path / "empty.sgf").write_text("(;GM[1]SZ[5])")
    (tmp_path / "turn.sgf").write_text("(;GM[1]SZ[5]KM[0];B[aa];B[bb])")
    for name, reason in [
        ("nine", "a 9x9 game, not 5x5"),
        ("broken", "broken.sgf"),
        ("chess", "not a game of Go"),
        ("empty", "no moves"),
        ("turn", "move 2 is black's, out of turn"),
    ]:
        with pytest.raises(SkippedGame, match=reason) as e:
            read_game(tmp_path / f"{name}.sgf", 5)
        assert f"{name}.sgf" in str(e.value)


def test_sgf_files_searches_folders_and_names_a_missing_path(tmp_path):
    paths = write_games(tmp_path / "a" / "b", 2)
    (tmp_path / "a" / "notes.txt").write_text("not a game")
    assert sgf_files([tmp_path / "a", paths[0]]) == paths
    with pytest.raises(FileNotFoundError, match="nowhere"):
        sgf_files([tmp_path / "nowhere"])


def test_split_holds_out_whole_games_reproducibly(tmp_path):
    games = [read_game(p, 5) for p in write_games(tmp_path, 10)]
    train, held = split_games(games, 0.2, seed=1)
    assert len(train) == 8 and len(held) == 2
    again = split_games(games, 0.2, seed=1)[1]
    assert [g.moves.tolist() for g in again] == [g.moves.tolist() for g in held]
    assert split_games(games[:1], 0.5, seed=0) == (games[:1], [])  # one game: all for training
    data = Dataset.of(train, tuple(games[0].features.shape[1:]))
    batch = data.batch(np.arange(len(data)), 26)
    assert batch["policy"].sum(axis=1).tolist() == [1.0] * len(data)
    assert np.array_equal(batch["policy"].argmax(axis=1), data.moves)
    assert batch["features"].shape == (len(data), *games[0].features.shape[1:])


def test_value_weight_leaves_unknown_results_out_of_the_value_loss():
    torch.manual_seed(0)
    net = PolicyValueNet(NetSpec(2, 3, 3, 9, blocks=1, channels=8))
    batch = {
        "features": torch.rand(6, 2, 3, 3),
        "policy": torch.softmax(torch.rand(6, 9), dim=1),
        "value": torch.tensor([1.0, -1.0, 0.0, 1.0, 1.0, -1.0]),
    }
    net.eval()
    _, full = policy_value_loss(net, batch)
    weighted = dict(batch, value=torch.tensor([1.0, -1.0, 0.0, 1.0, -1.0, 1.0]))
    weighted["value_weight"] = torch.tensor([1.0, 1.0, 1.0, 1.0, 0.0, 0.0])  # the last two: no result
    _, with_weight = policy_value_loss(net, weighted)
    known = {k: v[:4] for k, v in batch.items()}
    _, only_known = policy_value_loss(net, known)
    assert with_weight["value_loss"] == pytest.approx(only_known["value_loss"], rel=1e-5)
    assert with_weight["value_loss"] != pytest.approx(full["value_loss"], rel=1e-3)


def test_a_net_learns_the_moves_of_its_games_and_self_play_continues_the_run(tmp_path):
    """The same two games, many times: the held-out moves are the training moves, so the
    net must learn to predict them; the run then loads as a self-play run and a net."""
    (tmp_path / "sgf").mkdir()
    for i in range(12):
        write_sgf(random_game(5, seed=i % 2, moves=10), tmp_path / "sgf" / f"{i}.sgf", GameInfo(result="B+R"))
    write_sgf(random_game(5, seed=0, moves=10), tmp_path / "sgf" / "unknown.sgf", GameInfo(result="?"))
    (tmp_path / "sgf" / "bad.sgf").write_text("(;GM[1]SZ[5];B[zz])")
    cfg = SupervisedConfig(
        sgf=(str(tmp_path / "sgf"),),
        size=5,
        run_dir=str(tmp_path / "run"),
        max_steps=150,
        eval_every=50,
        holdout=0.25,
        lr=0.05,
        augment=False,
        **TINY,
    )
    summary = train_supervised(cfg)
    read = summary["read"]
    assert read["files"] == 14 and read["games"] == 13 and read["without_result"] == 1
    assert len(read["skipped"]) == 1 and "bad.sgf" in read["skipped"][0]
    assert summary["steps"] == 150 and not summary["interrupted"]
    assert summary["holdout_accuracy"] > 0.8  # chance: about 1 in 20; the first move is 1 in 2 at best
    rows = [json.loads(line) for line in (tmp_path / "run" / "metrics.jsonl").read_text().splitlines()]
    curve = [r["holdout_policy_loss"] for r in rows if "lr" in r]
    assert len(curve) == 3 and curve[-1] < curve[0]

    state = load_checkpoint(checkpoint_file(tmp_path / "run"))
    assert state["kind"] == "alphazero" and state["step"] == 150 and state["samples"] == 0
    assert state["supervised"]["steps"] == 150
    net, info = load_net(tmp_path / "run")
    assert info["game"]["size"] == 5 and net.spec.blocks == 1
    resumed = prepare_config(SelfPlayConfig(game="go", resume=True, run_dir=str(tmp_path / "run")))
    assert resumed.resume and resumed.size == 5 and resumed.blocks == 1 and resumed.channels == 8


def test_an_interrupted_stage_resumes_where_it_stopped(tmp_path):
    write_games(tmp_path / "sgf", 6)
    cfg = SupervisedConfig(
        sgf=(str(tmp_path / "sgf"),),
        size=5,
        run_dir=str(tmp_path / "run"),
        max_steps=30,
        eval_every=10,
        **TINY,
    )
    steps, reading = [], []

    def status(row):
        (steps if "step" in row else reading).append(row.get("step", row.get("read")))

    first = train_supervised(cfg, status=status, stop=lambda: len(steps) >= 12)
    assert reading == [1, 2, 3, 4, 5, 6]  # the files read, one by one
    assert first["interrupted"] and first["steps"] == 12
    with pytest.raises(RunError, match="already holds a run"):
        train_supervised(cfg)
    second = train_supervised(
        SupervisedConfig(run_dir=str(tmp_path / "run"), resume=True, max_steps=30, **TINY)
    )
    assert second["steps"] == 30 and not second["interrupted"]
    assert second["read"]["games"] == 6  # the games read at the start, not read again
    logged = [
        json.loads(line)["step"] for line in (tmp_path / "run" / "metrics.jsonl").read_text().splitlines()
    ]
    assert logged == sorted(logged) and logged[-1] == 30


def test_cli_trains_and_reports_errors(tmp_path, capsys):
    write_games(tmp_path / "sgf", 4, result="W+1.5")
    argv = ["train", "sl", "--sgf", str(tmp_path / "sgf"), "--size", "5", "--run-dir", str(tmp_path / "run")]
    argv += ["--blocks", "1", "--channels", "8", "--batch-size", "8", "--max-steps", "3", "--device", "cpu"]
    assert main([*argv, "--no-progress", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["steps"] == 3 and summary["read"]["games"] == 4 and "holdout_accuracy" in summary

    for args, message in [
        (["--sgf", str(tmp_path / "missing")], "missing: no such file or folder"),
        (["--sgf", str(tmp_path / "sgf"), "--size", "9"], "none of the 4 SGF files gives 9x9 games"),
        ([], "--sgf must name SGF files"),
        (["--sgf", str(tmp_path / "sgf"), "--holdout", "1"], "--holdout must be in [0, 1)"),
    ]:
        code = main(["train", "sl", "--run-dir", str(tmp_path / "other"), "--no-progress", *args])
        assert code == 2
        assert message in capsys.readouterr().err
    assert main(["train", "sl", "--resume", "--run-dir", str(tmp_path / "nothing"), "--no-progress"]) == 2
    assert "no supervised stage to resume" in capsys.readouterr().err
