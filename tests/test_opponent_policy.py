"""KataGo's auxiliary target: the opponent's reply to each move, recorded by self-play and the
teacher, kept in shards and the window, learned by a second policy head."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from seigen.agents.pvnet import Augmenter, NetSpec, PolicyValueNet, policy_value_loss
from seigen.engine.games import make_game, symmetries
from seigen.selfplay.actor import SelfPlay
from seigen.selfplay.config import SelfPlayConfig, resolve
from seigen.selfplay.shards import Window, encode, read_shard
from seigen.selfplay.teacher import TeacherPlay
from seigen.selfplay.trainer import batch_shapes, net_spec

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def tiny_net(game: str, opponent: bool = True) -> PolicyValueNet:
    torch.manual_seed(0)
    g = make_game(game, size=5)
    return PolicyValueNet(
        NetSpec(*g.feature_shape, g.num_actions, blocks=1, channels=8, opponent_policy=opponent)
    )


def finished_games(cfg: SelfPlayConfig, steps: int = 30) -> list:
    sp = SelfPlay(cfg, tiny_net(cfg.game), seed=4)
    done = []
    for _ in range(steps):
        done.extend(sp.step())
    assert done
    return done


def test_each_recorded_position_knows_the_reply_to_its_move(tmp_path):
    cfg = resolve(SelfPlayConfig(game="tictactoe", games_in_flight=8, visits=8, run_dir=str(tmp_path)))
    for g in finished_games(cfg):
        assert len(g.replies) == len(g)
        assert g.replies[:-1] == g.moves[1:] and g.replies[-1] == -1


def test_replies_are_the_next_moves_also_when_positions_are_skipped(tmp_path):
    """Go with playout cap randomization: a recorded position's reply is the game's next move
    (its SGF replayed), whether or not that next position was recorded."""
    from seigen.engine.games import GoGame
    from seigen.engine.sgf import read_sgf

    cfg = resolve(
        SelfPlayConfig(
            game="go", size=5, games_in_flight=4, visits=8, full_search_prob=0.5, cheap_visits=2,
            max_moves=30, run_dir=str(tmp_path),
        )
    )  # fmt: skip
    for g in finished_games(cfg, 40):
        board, _ = read_sgf(g.sgf.encode())
        played = [move for _, move in board.moves]
        while board.move_number:
            board.undo()
        replay = GoGame(board, max_moves=100)
        positions = []
        for move in played:
            positions.append(replay.features().astype(np.uint8))
            replay.play(move)
        at = 0
        for features, move, reply in zip(g.features, g.moves, g.replies, strict=True):
            while not np.array_equal(positions[at], features):
                at += 1
            expected = played[at + 1] if move >= 0 and at + 1 < len(played) else -1
            assert reply == expected
            at += 1


def test_the_teacher_records_replies_too(tmp_path):
    cfg = resolve(SelfPlayConfig(game="go", size=5, teacher="mcts", teacher_visits=32, run_dir=str(tmp_path)))
    play = TeacherPlay(cfg, seed=1)
    done = []
    while not done:
        done = play.step()
    (g,) = done
    moves = [m for m in g.moves]
    assert g.replies[:-1] == moves[1:] and g.replies[-1] == -1


def test_shards_and_the_window_carry_replies_as_one_hot_targets(tmp_path):
    cfg = resolve(SelfPlayConfig(game="tictactoe", games_in_flight=4, visits=8, run_dir=str(tmp_path)))
    games = finished_games(cfg, 12)
    path = tmp_path / "s.npz"
    path.write_bytes(encode(games))
    shard = read_shard(path)
    assert shard.arrays["replies"].tolist() == [r for g in games for r in g.replies]
    window = Window(100, (2, 3, 3), 9, ownership=False, replies=True)
    window.add(shard)
    batch = window.sample(64, np.random.default_rng(0))
    known = batch["opp_weight"] > 0
    assert known.any() and not known.all()  # last positions have no reply
    assert np.all(batch["opp_policy"][known].sum(axis=1) == 1) and np.all(batch["opp_policy"][~known] == 0)
    spec = net_spec(resolve(SelfPlayConfig(game="tictactoe", opponent_policy=True)), (2, 3, 3), 9)
    assert set(batch_shapes(spec)) == set(batch)


def test_the_second_head_learns_from_weighted_replies_and_turns_with_the_board():
    net = tiny_net("tictactoe")
    x = torch.rand(6, 2, 3, 3)
    policy = torch.eye(9)[:6]
    batch = {"features": x, "policy": policy, "value": torch.zeros(6)}
    batch |= {"opp_policy": policy.roll(1, dims=1), "opp_weight": torch.tensor([1.0, 1, 1, 0, 0, 0])}
    net.eval()
    loss, stats = policy_value_loss(net, batch)
    _, without = policy_value_loss(net, {k: batch[k] for k in ("features", "policy", "value")})
    assert "opp_policy_loss" in stats and "opp_policy_loss" not in without
    assert float(loss.detach()) == pytest.approx(
        without["policy_loss"] + without["value_loss"] + 0.15 * stats["opp_policy_loss"], rel=1e-4
    )
    same = dict(batch, opp_policy=policy.clone())
    turned = Augmenter(symmetries("tictactoe"))(same, torch.Generator().manual_seed(3))
    assert torch.equal(turned["policy"], turned["opp_policy"])  # permuted the same way
    old = PolicyValueNet(NetSpec(2, 3, 3, 9, blocks=1, channels=8))
    assert "opp_policy" not in old(x, all_heads=True)


def test_a_resumed_run_keeps_its_net(tmp_path):
    from seigen.selfplay.config import resume_config

    saved = {
        k: v for k, v in vars(resolve(SelfPlayConfig(game="tictactoe"))).items() if k != "opponent_policy"
    }
    assert resume_config(SelfPlayConfig(run_dir=str(tmp_path)), saved).opponent_policy is False
    with pytest.raises(ValueError, match="--opponent-policy True does not match"):
        resume_config(SelfPlayConfig(run_dir=str(tmp_path), opponent_policy=True), saved)
