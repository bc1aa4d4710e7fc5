"""Teacher games (``seigen selfplay --game go --teacher mcts``): the classic player's games as
training data, its end when a net beats it, and a whole run that starts with the teacher."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import numpy as np
import pytest
import torch

from seigen.agents.pvnet import NetSpec, PolicyValueNet, net_state
from seigen.engine.games import make_game
from seigen.selfplay.config import SelfPlayConfig, resolve
from seigen.selfplay.evaluator import read_eval, run_evaluator
from seigen.selfplay.run import run_selfplay
from seigen.selfplay.shards import list_shards, read_shard
from seigen.selfplay.teacher import TEACHER_FILE, TeacherPlay, teacher_active

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def config(tmp_path: Path, **kw) -> SelfPlayConfig:
    kw = {"size": 5, "teacher": "mcts", "teacher_visits": 64, "temperature_moves": 4, **kw}
    return resolve(SelfPlayConfig(game="go", run_dir=str(tmp_path / "run"), **kw))


def test_teacher_games_are_recorded_position_by_position(tmp_path):
    cfg = config(tmp_path, resign_off_fraction=1.0)  # played out: the result is the count
    play = TeacherPlay(cfg, seed=3)
    done = []
    while not done:
        done = play.step()
    (record,) = done
    assert len(record.features) == len(record.policy) == len(record.movers) == len(record.moves) > 4
    replay = make_game("go", size=5, komi=cfg.komi, max_moves=cfg.max_moves)
    for features, policy, mover, move in zip(
        record.features, record.policy, record.movers, record.moves, strict=True
    ):
        assert np.array_equal(features, replay.features().astype(np.uint8))
        assert mover == replay.to_play
        assert policy.sum() == pytest.approx(1.0, abs=1e-5)
        assert np.all(policy[replay.legal_mask() == 0] == 0)  # visits only on legal moves
        replay.play(move)
    assert replay.is_terminal() and record.result == replay.returns()
    assert record.ownership is not None and record.score == replay.board.score()
    assert "PB[seigen mcts]" in record.sgf
    assert any(np.count_nonzero(p) > 1 for p in record.policy)  # visit shares, not one-hot moves


def test_teacher_openings_differ_and_it_can_resign(tmp_path):
    openings = set()
    for seed in range(3):
        play = TeacherPlay(config(tmp_path, size=9, teacher_visits=32, resign_threshold=-0.5), seed=seed)
        for _ in range(4):
            assert play.step() == []
        openings.add(tuple(play.record.moves))
        assert 0.0 < play.player.resign_threshold < 0.5 or play.player.resign_threshold == 0.0
    assert len(openings) >= 2  # the first moves are drawn from the visits


def test_the_teacher_ends_when_a_net_beats_it(tmp_path):
    cfg = config(tmp_path)
    run = Path(cfg.run_dir)
    assert teacher_active(run, cfg) and not teacher_active(run, resolve(SelfPlayConfig(game="go")))
    torch.manual_seed(0)
    game = make_game("go", size=5)
    net = PolicyValueNet(NetSpec(*game.feature_shape, game.num_actions, blocks=1, channels=8))
    checkpoint = run / "checkpoints" / "step-000000007.pt"
    checkpoint.parent.mkdir(parents=True)
    torch.save({**net_state(net, {"name": "go", "size": 5, "komi": 7.0}), "step": 7}, checkpoint)
    (run / "checkpoints" / "latest").write_text(checkpoint.name + "\n")
    kwargs = {"games": 2, "visits": 4, "threads": None, "max_evaluations": 1}

    # an untrained net does not win every game against the teacher: it goes on
    assert run_evaluator(run, stop=threading.Event(), teacher=("mcts", 64, 1.0), **kwargs) == 1
    (row,) = read_eval(run)
    assert row["vs"]["mcts-64"]["games"] == 2 and "mcts-64" in row["ladder"]
    assert teacher_active(run, cfg)
    # a bar of 0 is cleared by any net: teacher.json ends the teacher's games
    (run / "eval.jsonl").unlink()
    assert run_evaluator(run, stop=threading.Event(), teacher=("mcts", 64, 0.0), **kwargs) == 1
    note = json.loads((run / TEACHER_FILE).read_text())
    assert note["beaten_by"] == "step-7" and note["teacher"] == "mcts-64" and "wdl" in note
    assert not teacher_active(run, cfg)


def test_a_run_starts_with_teacher_games(tmp_path):
    cfg = config(
        tmp_path, max_minutes=0.25, eval_every=0, blocks=1, channels=8, min_positions=50, batch_size=16,
        checkpoint_every=20, shard_seconds=1.0, threads=1, progress=False, final_eval=False,
    )  # fmt: skip
    summary = run_selfplay(cfg)
    assert summary["games"] > 0 and summary["failure"] is None
    shards = [read_shard(p) for p in list_shards(Path(cfg.run_dir) / "games")]
    assert shards and sum(s.games for s in shards) == summary["games"]
    policies = np.concatenate([s.arrays["policy"] for s in shards]).astype(np.float32)
    assert (np.count_nonzero(policies, axis=1) > 1).mean() > 0.5  # the teacher's visit shares
    sgf = sorted((Path(cfg.run_dir) / "sgf").glob("*.sgf"))
    assert sgf and "seigen mcts" in sgf[0].read_text()


def test_teacher_settings_are_checked():
    with pytest.raises(ValueError, match="plays Go only"):
        SelfPlayConfig(game="connect4", teacher="mcts")
    with pytest.raises(ValueError, match="--teacher-until must be a win rate"):
        SelfPlayConfig(game="go", teacher="mcts", teacher_until=1.5)
    with pytest.raises(ValueError, match="--eval-gnugo-level must be 1 to 10"):
        SelfPlayConfig(game="go", eval_gnugo_level=11)
    with pytest.raises(ValueError, match="--backend local only"):
        SelfPlayConfig(game="go", teacher="mcts", backend="ray")
