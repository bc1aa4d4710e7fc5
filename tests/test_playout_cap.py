"""KataGo's playout cap randomization: searches of different sizes in one batched step, and
self-play that records only the positions of its full searches."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from seigen.agents.pvnet import NetSpec, PolicyValueNet
from seigen.engine.games import ConnectFour, TicTacToe, make_game
from seigen.engine.search import BatchedSearch, RolloutEvaluator, SearchConfig
from seigen.selfplay.actor import SelfPlay
from seigen.selfplay.config import SelfPlayConfig, resolve

pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.mark.parametrize("gumbel", [False, True])
def test_each_game_gets_its_own_number_of_visits(gumbel):
    games = [ConnectFour(), ConnectFour([3]), ConnectFour([3, 4])]
    cfg = SearchConfig(visits=64, leaves_per_tree=8, gumbel=gumbel, gumbel_considered=4)
    search = BatchedSearch(games, RolloutEvaluator(), cfg)
    results = search.run(visits=[64, 8, 20])
    assert [r.simulations for r in results] == [64, 8, 20]
    assert [int(r.visits.sum()) for r in results] == [64, 8, 20]
    for i in range(3):
        search.trees.check(i)
    again = BatchedSearch(games, RolloutEvaluator(), cfg)
    assert [r.simulations for r in again.run(visits=5)] == [5, 5, 5]  # one count for all
    with pytest.raises(ValueError, match="at least 1 visit"):
        search.run(visits=[4, 0, 4])


def tiny_net(game: str) -> PolicyValueNet:
    torch.manual_seed(0)
    g = make_game(game, size=5)
    return PolicyValueNet(NetSpec(*g.feature_shape, g.num_actions, blocks=1, channels=8))


def play(cfg: SelfPlayConfig, steps: int) -> tuple[SelfPlay, list]:
    sp = SelfPlay(cfg, tiny_net(cfg.game), seed=5)
    done = []
    for _ in range(steps):
        done.extend(sp.step())
    return sp, done


def test_self_play_records_only_its_full_searches(tmp_path):
    base = dict(game="tictactoe", games_in_flight=16, visits=16, run_dir=str(tmp_path), resign_threshold=-1.0)
    _, every = play(resolve(SelfPlayConfig(**base)), 30)
    assert every and all(len(g) == len(TicTacToe(g.moves).history) for g in every)
    sp, some = play(resolve(SelfPlayConfig(**base, full_search_prob=0.4, cheap_visits=2)), 30)
    assert some and all(len(g) > 0 for g in some)
    recorded = sum(len(g) for g in some)
    played = sum(len(g.features) for g in every)
    assert recorded / len(some) < 0.8 * played / len(every)  # about 40% of the positions
    for g in some:
        assert len(g.features) == len(g.policy) == len(g.movers) == len(g.moves)
        assert all(abs(p.sum() - 1) < 1e-5 for p in g.policy)
    assert sp.evaluations > 0


def test_presets_and_checks():
    cfg = resolve(SelfPlayConfig(game="connect4"))
    assert cfg.full_search_prob == 1.0 and cfg.cheap_visits == cfg.visits // 4
    assert resolve(SelfPlayConfig(game="go", visits=100, full_search_prob=0.25)).cheap_visits == 25
    with pytest.raises(ValueError, match="--full-search-prob must be in"):
        SelfPlayConfig(full_search_prob=0.0)
    with pytest.raises(ValueError, match="--cheap-visits must be at least 1"):
        SelfPlayConfig(cheap_visits=0)


def test_recorded_positions_are_the_games_own_in_order(tmp_path):
    """Go: each recorded position and move is one of the game's (its SGF replayed), in order."""
    from seigen.engine.games import GoGame
    from seigen.engine.sgf import read_sgf

    cfg = resolve(
        SelfPlayConfig(
            game="go", size=5, games_in_flight=4, visits=8, full_search_prob=0.5, cheap_visits=2,
            max_moves=30, run_dir=str(tmp_path),
        )
    )  # fmt: skip
    _, done = play(cfg, 40)
    assert done
    for g in done:
        board, _ = read_sgf(g.sgf.encode())
        played = list(board.moves)
        while board.move_number:
            board.undo()
        replay = GoGame(board, max_moves=100)
        positions = []
        for _, move in played:
            positions.append((replay.features().astype(np.uint8), move))
            replay.play(move)
        at = 0
        for features, move in zip(g.features, g.moves, strict=True):
            while at < len(positions) and not np.array_equal(positions[at][0], features):
                at += 1
            assert at < len(positions), "a recorded position that the game never had"
            assert move == -1 or move == positions[at][1]
            at += 1
        assert len(g) < len(played) + 1


def test_decided_games_get_cheap_unrecorded_searches(tmp_path):
    """With decided_value, a game whose root value is beyond it is moved on by cheap searches."""
    base = dict(game="tictactoe", games_in_flight=8, visits=16, cheap_visits=2, run_dir=str(tmp_path))
    base |= dict(resign_threshold=-1.0, temperature_moves=0)
    sp = SelfPlay(resolve(SelfPlayConfig(**base, decided_value=0.05)), tiny_net("tictactoe"), seed=2)
    recorded = played = 0
    for _ in range(40):
        before = [len(g.history) for g in sp.search.games]
        decided = np.abs(sp.last_value) >= 0.05
        records = [len(r) for r in sp.records]
        finished = sp.step()
        for i, g in enumerate(sp.search.games):
            if len(g.history) == before[i] + 1:  # the game went on: one move played
                played += 1
                grew = len(sp.records[i]) - records[i]
                recorded += grew
                assert grew == (0 if decided[i] else 1)
        del finished
    assert played > 0 and recorded < played  # an untrained net is rarely exactly even


def test_played_out_games_measure_false_resignations(tmp_path):
    """Games where resigning is off record whether the side that would have resigned won."""
    base = dict(game="tictactoe", games_in_flight=8, visits=8, run_dir=str(tmp_path))
    cfg = resolve(SelfPlayConfig(**base, resign_threshold=0.99, resign_off_fraction=1.0))  # every root "lost"
    sp, done = play(cfg, 30)
    checked, false = sp.resign_checks
    assert checked >= len(done) > 0  # every finished game was checked
    assert 0 <= false <= checked
    from seigen.selfplay.shards import encode, read_shard

    path = tmp_path / "s.npz"
    path.write_bytes(encode(done, (1.0, 2.0, checked, false)))
    assert read_shard(path).arrays["stats"].tolist() == [1.0, 2.0, checked, false]
