"""The random and rollout players: legal, sensible moves; captures; passing; resigning."""

import time

import numpy as np
import pytest

from seigen.agents.players import make_player
from seigen.engine import Board
from seigen.engine.players import (
    Analysis,
    MCTSPlayer,
    RandomPlayer,
    RolloutPlayer,
    SearchLimits,
    run_in_chunks,
)
from seigen.engine.uct import UctPlayer

ATARI = """
. . . . . . .
. X X X X . .
X O O O O . .
. X X X X . .
. . . . . . .
. . . . . . .
. . . . . . .
"""


def test_random_player_plays_sensible_legal_moves_and_passes_when_none():
    board = Board(7)
    player = RandomPlayer(seed=1)
    for _ in range(300):
        if board.is_over:
            break
        sensible = set(board.sensible_moves().tolist())
        move = player.genmove(board, board.to_play, SearchLimits()).move
        assert move in sensible or (move == board.pass_move and not sensible)
        board.play(move)
    assert board.is_over


def test_rollout_player_captures_a_big_group_in_atari():
    board = Board.from_diagram(ATARI, rules="chinese", to_play="black")
    decision = RolloutPlayer(playouts=3000, seed=0).genmove(board, "black", SearchLimits(playouts=3000))
    assert board.vertex(decision.move) == "F5"  # the last liberty of the four white stones
    assert decision.analysis.playouts == 3000
    visits = sum(m.visits for m in decision.analysis.moves)
    assert visits == 3000


def test_rollout_player_saves_its_group_in_atari_as_white():
    board = Board.from_diagram(ATARI, rules="chinese", to_play="white")
    decision = RolloutPlayer(seed=0).genmove(board, "white", SearchLimits(playouts=3000))
    assert board.vertex(decision.move) == "F5"


def test_rollout_player_resigns_a_hopeless_game_and_not_a_close_one():
    hopeless = Board.from_diagram(
        """
        . X . X . X .
        X X X X X X X
        . X . X . X .
        X X X X X X X
        . X . X . X .
        X X X X X X X
        . X . X . X .
        """,
        to_play="white",
    )
    player = RolloutPlayer(seed=0)
    assert (
        player.genmove(hopeless, "white", SearchLimits(playouts=500)).move == hopeless.pass_move
    )  # nothing sensible
    board = Board(7, komi=0.5)
    for move in ["D4", "C3", "E5", "C5", "E3", "pass"]:
        board.play(move)
    decision = player.genmove(board, "white", SearchLimits(playouts=1000))
    assert not decision.resign
    lost = Board(9, komi=0.5)
    lost.setup(
        black=[r * 9 + c for r in range(9) for c in range(9) if c in (2, 6) or r in (2, 6)], to_play="white"
    )
    lost.play("E5", "white")
    decision = player.genmove(lost, "black", SearchLimits(playouts=1000))
    assert not decision.resign
    decision = player.genmove(lost, "white", SearchLimits(playouts=1000))
    assert decision.resign


def test_rollout_player_passes_after_the_opponent_when_it_wins_only():
    wall = ["B1", "pass", "B2", "pass", "B3", "pass", "B4", "pass", "B5"]
    board = Board(5, komi=0.5)
    for move in wall:
        board.play(move)
    board.play("pass")  # white passes; black's wall owns the board
    player = RolloutPlayer(seed=0)
    assert player.genmove(board, "black", SearchLimits(playouts=500)).move == board.pass_move
    behind = Board(5, komi=0.5)
    for move in wall:
        behind.play(move)
    behind.play("E3", "white")
    behind.play("pass", "black")  # black passes; white, far behind, plays on (or resigns)
    decision = player.genmove(behind, "white", SearchLimits(playouts=500))
    assert decision.resign or decision.move != behind.pass_move


def test_threads_share_the_work():
    board = Board(9)
    player = RolloutPlayer(threads=2, seed=3)
    analysis = player.search(board, SearchLimits(playouts=2000))
    assert analysis.playouts >= 2000
    assert sum(m.visits for m in analysis.moves) == analysis.playouts
    player.close()


def test_search_stops_when_asked_and_reports():
    board = Board(9)
    reports = []
    calls = {"n": 0}

    def stop() -> bool:
        calls["n"] += 1
        return calls["n"] > 5

    RolloutPlayer(seed=0).analyze(board, "black", stop, 0.0, reports.append)
    assert reports and all(r.moves for r in reports)
    assert reports[-1].playouts >= reports[0].playouts


def test_make_player_names(monkeypatch):
    assert isinstance(make_player("random"), RandomPlayer)
    assert isinstance(make_player("rollout", playouts=10), RolloutPlayer)
    mcts = make_player("mcts", playouts=10, threads=2)
    assert isinstance(mcts, UctPlayer) and mcts.name == "mcts" and mcts.threads == 2
    assert mcts.config.playout == "heavy" and make_player("mcts", playout="light").config.playout == "light"
    shared = make_player("mcts", threads=2, parallel="shared", uct=["rave_b=0.02"], priors=["pattern=off"])
    assert shared.parallel == "shared" and shared.config.rave_b == 0.02 and shared.priors.pattern[0] == 0
    with pytest.raises(ValueError, match="parallel"):
        make_player("mcts", parallel="both")
    puct = make_player("puct", playouts=10)
    assert isinstance(puct, MCTSPlayer) and puct.name == "puct" and puct.playout == "light"
    monkeypatch.setattr("seigen.agents.players.shipped_net", lambda size=9: None)  # an install without one
    with pytest.raises(ValueError, match="needs a trained network and this install ships none"):
        make_player("net")
    with pytest.raises(ValueError, match="unknown player"):
        make_player("alphago")


def test_winrates_are_probabilities():
    board = Board(7)
    analysis = RolloutPlayer(seed=1).search(board, SearchLimits(playouts=800))
    rates = np.array([m.winrate for m in analysis.moves])
    assert np.all((rates >= 0) & (rates <= 1))
    assert all(m.lcb <= m.winrate for m in analysis.moves)


def test_cleanup_captures_dead_stones_then_passes():
    board = Board(5, komi=0.5)
    for move in ["B1", "pass", "B2", "pass", "B3", "A3", "B4", "pass", "B5", "pass"]:
        board.play(move)
    player = RolloutPlayer(seed=0)
    # the game is won: a plain genmove passes, the clean-up genmove captures A3 first
    assert player.genmove(board, "black", SearchLimits(playouts=300)).move == board.pass_move
    for _ in range(4):
        move = player.genmove(board, "black", SearchLimits(playouts=300), cleanup=True).move
        if move == board.pass_move:
            break
        assert board.vertex(move) in ("A2", "A4")
        board.play(move)
        board.play("pass")
    assert (2, 0) not in board.stones("white")
    assert player.genmove(board, "black", SearchLimits(playouts=300), cleanup=True).move == board.pass_move


# ---------------------------------------------------------------------- MCTSPlayer


@pytest.mark.parametrize("seed", [0, 1])
def test_mcts_captures_a_big_group_in_atari(seed):
    board = Board.from_diagram(ATARI, rules="chinese", to_play="black")
    decision = MCTSPlayer(visits=1500, seed=seed).genmove(board, "black", SearchLimits())
    assert board.vertex(decision.move) == "F5"  # the last liberty of the four white stones
    assert decision.analysis.moves[0].pv[0] == decision.move
    assert decision.analysis.playouts == 1500


def test_mcts_keeps_its_tree_when_the_game_follows_on():
    board = Board(7)
    player = MCTSPlayer(visits=400, seed=0)
    first = player.genmove(board, "black", SearchLimits())
    board.play(first.move)
    reply = first.analysis.moves[0].pv[1] if len(first.analysis.moves[0].pv) > 1 else None
    if reply is None:
        pytest.skip("the search saw no reply")
    board.play(reply)
    search = player._search
    kept = int(search.trees.node_children(0, [first.move, reply])[1].sum())
    assert kept > 0
    player.search(board, SearchLimits(playouts=1))
    assert player._search is search  # same search, moved along the two moves
    assert search.result(0).visits.sum() == kept + 1
    # a position that does not follow gets a new search
    other = Board(7)
    other.play("A1")
    player.search(other, SearchLimits(playouts=10))
    assert player._search is not search


def test_mcts_genmove_for_the_side_not_to_move_and_time_limits():
    board = Board(9)
    player = MCTSPlayer(visits=100_000, seed=1)
    d = player.genmove(board, "white", SearchLimits(seconds=0.3))
    assert board.to_play == "black"  # the caller's board is untouched
    assert d.move is not None and d.analysis.playouts < 100_000


def test_mcts_passes_when_the_opponent_passed_and_it_wins_by_area():
    board = Board.from_diagram(
        """
        . X O . .
        X X O . .
        . X O . .
        X X O O O
        . X O . .
        """,
        komi=0.5,
        to_play="white",
    )
    board.play("pass", "white")
    # black's 10 points against white's 15: passing loses, so black plays on
    d = MCTSPlayer(visits=400, seed=0).genmove(board, "black", SearchLimits())
    assert d.move != board.pass_move or d.resign


def test_mcts_analysis_reports_until_stopped():
    board = Board(9)
    reports = []
    calls = {"n": 0}

    def stop() -> bool:
        calls["n"] += 1
        return calls["n"] > 6

    MCTSPlayer(seed=0).analyze(board, "black", stop, 0.0, reports.append)
    assert reports and all(r.moves for r in reports)
    assert reports[-1].playouts > reports[0].playouts
    m = reports[-1].moves[0]
    assert 0 <= m.winrate <= 1 and m.lcb <= m.winrate and m.pv[0] == m.move


def test_mcts_resigns_a_hopeless_position():
    board = Board.from_diagram(
        """
        . O . O X
        O O O O X
        X X X X X
        . X . X .
        X X X X X
        """,
        komi=0.5,
        to_play="white",
    )
    # white lives with two eyes but has 8 points against black's 17: white is lost
    player = MCTSPlayer(visits=1500, seed=0, min_visits_to_resign=1000)
    d = player.genmove(board, "white", SearchLimits())
    assert d.resign


# ---------------------------------------------------------------- the net player


def tiny_go_net(size: int = 5, pass_bias: float = 0.0):
    import torch

    from seigen.agents.pvnet import NetSpec, PolicyValueNet

    torch.manual_seed(0)
    net = PolicyValueNet(NetSpec(17, size, size, size * size + 1, blocks=1, channels=8)).eval()
    with torch.no_grad():
        net.policy_fc.bias[-1] += pass_bias
    return net


def test_make_player_net_loads_a_go_net_and_refuses_the_rest(tmp_path, monkeypatch):
    import torch

    from seigen.agents.pvnet import NetSpec, PolicyValueNet, net_state
    from seigen.engine.players import NetPlayer

    game = {"name": "go", "size": 5, "komi": 6.5, "rules": "chinese", "max_moves": 75}
    torch.save({**net_state(tiny_go_net(), game), "step": 0}, tmp_path / "go.pt")
    player = make_player("net", model=str(tmp_path / "go.pt"), playouts=50, seed=3, device="cpu", c_puct=2.0)
    assert isinstance(player, NetPlayer) and player.name == "net" and player.board_size == 5
    assert player.visits == 50 and player.c_puct == 2.0 and player.game["komi"] == 6.5
    monkeypatch.setattr("seigen.agents.players.shipped_net", lambda size=9: None)
    with pytest.raises(ValueError, match="needs a trained network"):
        make_player("net")
    monkeypatch.undo()
    (tmp_path / "bad.pt").write_bytes(b"junk")
    with pytest.raises(ValueError, match=r"bad\.pt"):
        make_player("net", model=str(tmp_path / "bad.pt"))
    ttt = PolicyValueNet(NetSpec(2, 3, 3, 9, blocks=1, channels=8))
    torch.save({**net_state(ttt, {"name": "tictactoe"}), "step": 0}, tmp_path / "ttt.pt")
    with pytest.raises(ValueError, match="tictactoe net, not a Go one"):
        make_player("net", model=str(tmp_path / "ttt.pt"))
    with pytest.raises(ValueError, match="the net plays 5x5 only"):
        player.genmove(Board(9), "black", SearchLimits())


def test_make_player_hybrid_guides_the_mcts_tree_with_a_go_net(tmp_path, monkeypatch):
    import torch

    from seigen.agents.pvnet import NetSpec, PolicyValueNet, net_state
    from seigen.engine.uct import UctPlayer

    game = {"name": "go", "size": 5, "komi": 6.5, "rules": "chinese", "max_moves": 75}
    torch.save({**net_state(tiny_go_net(), game), "step": 0}, tmp_path / "go.pt")
    player = make_player(
        "hybrid", model=str(tmp_path / "go.pt"), playouts=300, device="cpu", guide=["eqex=20"]
    )
    assert isinstance(player, UctPlayer) and player.name == "hybrid" and player.board_size == 5
    assert player.guide.eqex == 20 and player.game["komi"] == 6.5
    board = Board(5, komi=6.5)
    d = player.genmove(board, "black", SearchLimits())
    assert board.is_legal(d.move) and player.guide_stats["nodes"] >= 1
    with pytest.raises(ValueError, match="plays 5x5 only"):
        player.genmove(Board(9), "black", SearchLimits())
    with pytest.raises(ValueError, match="--player hybrid"):
        make_player("mcts", guide=["eqex=1"])
    with pytest.raises(ValueError, match="guide setting"):
        make_player("hybrid", model=str(tmp_path / "go.pt"), guide=["bogus=1"])
    ttt = PolicyValueNet(NetSpec(2, 3, 3, 9, blocks=1, channels=8))
    torch.save({**net_state(ttt, {"name": "tictactoe"}), "step": 0}, tmp_path / "ttt.pt")
    with pytest.raises(ValueError, match="not a Go one"):
        make_player("hybrid", model=str(tmp_path / "ttt.pt"))
    (tmp_path / "bad.pt").write_bytes(b"junk")
    with pytest.raises(ValueError, match=r"bad\.pt"):
        make_player("hybrid", model=str(tmp_path / "bad.pt"))
    assert make_player("hybrid", playouts=10).board_size == 9  # the shipped net
    monkeypatch.setattr("seigen.agents.players.shipped_net", lambda size=9: None)
    with pytest.raises(ValueError, match="needs a trained network"):
        make_player("hybrid")


def test_net_players_run_their_net_in_the_precision_asked(tmp_path):
    import torch

    from seigen.agents.pvnet import net_state

    game = {"name": "go", "size": 5, "komi": 6.5, "rules": "chinese", "max_moves": 75}
    torch.save({**net_state(tiny_go_net(), game), "step": 0}, tmp_path / "go.pt")
    model = str(tmp_path / "go.pt")
    net32 = make_player("net", model=model, device="cpu")
    net16 = make_player("net", model=model, device="cpu", precision="bf16")
    hybrid = make_player("hybrid", model=model, device="cpu", precision="bf16")
    assert net32.net_evaluator.precision == "fp32" and net16.net_evaluator.precision == "bf16"
    assert hybrid.net.precision == "bf16"
    board = Board(5)
    for _ in range(6):
        board.play(int(np.flatnonzero(board.legal_mask()[:-1])[3]))
    feats = board.features()[None]
    legal = board.legal_mask()[None].astype(np.float32)
    (l32, v32), (l16, v16) = net32.net_evaluator(feats, legal), net16.net_evaluator(feats, legal)
    assert l16.dtype == v16.dtype == np.float32  # bfloat16 inside, float32 out
    p32, p16 = (np.exp(x - x.max()) / np.exp(x - x.max()).sum() for x in (l32, l16))
    assert np.abs(p32 - p16).max() < 0.02 and abs(float(v32[0] - v16[0])) < 0.05
    assert not np.array_equal(l32, l16)  # it did run in another precision
    d = hybrid.genmove(board, "black", SearchLimits(playouts=200))
    assert board.is_legal(d.move) and hybrid.guide_stats["nodes"] >= 1
    with pytest.raises(ValueError, match="precision must be one of"):
        make_player("net", model=model, precision="half")


def test_the_shipped_net_plays_9x9_without_model(tmp_path):
    from seigen.agents.players import shipped_net
    from seigen.engine.players import NetPlayer

    path = shipped_net(9)
    assert path is not None and path.stat().st_size <= 10 * 2**20  # package data, at most 10 MB
    assert shipped_net(19) is None
    player = make_player("net", playouts=16, seed=0, device="cpu")
    assert isinstance(player, NetPlayer) and player.board_size == 9 and player.game["name"] == "go"
    board = Board(9)
    d = player.genmove(board, "black", SearchLimits())
    assert d.move is not None and board.is_legal(d.move)


def test_ship_net_keeps_the_weights_not_the_optimizer_and_refuses_other_games(tmp_path, capsys):
    import torch

    from seigen.agents.pvnet import NetSpec, PolicyValueNet, net_state
    from seigen.agents.runs import load_checkpoint
    from seigen.scripts import ship_net

    game = {"name": "go", "size": 5, "komi": 6.5, "rules": "chinese", "max_moves": 75}
    net = tiny_go_net()
    heavy = {**net_state(net, game), "step": 12, "optimizer": {"state": torch.zeros(100_000)}}
    torch.save(heavy, tmp_path / "ckpt.pt")
    assert ship_net.main([str(tmp_path / "ckpt.pt"), "--out", str(tmp_path / "out" / "go.pt")]) == 0
    assert "5x5 Go net at step 12" in capsys.readouterr().out
    saved = load_checkpoint(tmp_path / "out" / "go.pt")
    assert "optimizer" not in saved and saved["step"] == 12 and saved["game"] == game
    assert all(torch.equal(saved["model"][k], v) for k, v in net.state_dict().items())
    ttt = PolicyValueNet(NetSpec(2, 3, 3, 9, blocks=1, channels=8))
    torch.save({**net_state(ttt, {"name": "tictactoe"}), "step": 0}, tmp_path / "ttt.pt")
    assert ship_net.main([str(tmp_path / "ttt.pt"), "--out", str(tmp_path / "t.pt")]) == 2
    assert "not a Go one" in capsys.readouterr().err and not (tmp_path / "t.pt").exists()


def test_net_player_keeps_its_tree_and_reports_analysis():
    from seigen.engine.players import NetPlayer

    board = Board(5)
    player = NetPlayer(net=tiny_go_net(), visits=200, seed=0, device="cpu", resign_threshold=0.0)
    first = player.genmove(board, "black", SearchLimits())
    assert first.move is not None and board.is_legal(first.move)
    assert first.analysis.playouts == 200 and first.analysis.moves[0].move == first.move
    board.play(first.move)
    pv = first.analysis.moves[0].pv
    if len(pv) < 2:
        pytest.skip("the search saw no reply")
    board.play(pv[1])
    search = player._search
    player.search(board, SearchLimits(playouts=1))
    assert player._search is search  # moved along, not rebuilt
    reports = []
    calls = {"n": 0}

    def stop() -> bool:
        calls["n"] += 1
        return calls["n"] > 4

    player.analyze(board, "black", stop, 0.0, reports.append)
    assert reports and all(0 <= m.winrate <= 1 for r in reports for m in r.moves)


def test_net_player_resigns_when_its_net_says_the_game_is_lost():
    import torch

    from seigen.engine.players import NetPlayer

    class BlackLoses(torch.nn.Module):
        """Uniform policy; value -1 with black to move, +1 with white to move (plane 16)."""

        def forward(self, x):
            return torch.zeros(x.shape[0], 26), 1.0 - 2.0 * x[:, 16, 0, 0]

    player = NetPlayer(
        net=BlackLoses(), game={"size": 5}, visits=64, seed=0, device="cpu", min_visits_to_resign=32
    )
    assert player.board_size == 5
    assert player.genmove(Board(5), "black", SearchLimits()).resign
    assert not player.genmove(Board(5), "white", SearchLimits()).resign


# ------------------------------------------------------------------ the clock of a search


def _counting_search(limits: SearchLimits, **clock) -> tuple[float, int]:
    """``run_in_chunks`` over a step that sleeps 10 ms a chunk: (seconds, simulations)."""
    import time

    from seigen.engine.players import Analysis, run_in_chunks

    def step(per_thread: int, done: int) -> None:
        time.sleep(0.01)

    t0 = time.perf_counter()
    analysis = run_in_chunks(step, limits, 1000, lambda done, s: Analysis([], done, s), **clock)
    return time.perf_counter() - t0, analysis.playouts


def test_search_stops_early_once_decided() -> None:
    """``decided(left)`` is asked with the simulations the cap still allows."""
    asked: list[float] = []

    def decided(left: float) -> bool:
        asked.append(left)
        return left < 5000

    _, done = _counting_search(SearchLimits(playouts=20_000), decided=decided, first=1000, largest=1000)
    assert done == 16_000 and asked == [19_000 - 1000 * i for i in range(len(asked))]
    _, done = _counting_search(SearchLimits(playouts=20_000), first=1000, largest=1000)
    assert done == 20_000


def test_search_thinks_longer_while_in_doubt() -> None:
    seconds, _ = _counting_search(SearchLimits(seconds=0.1, max_seconds=0.4), in_doubt=lambda: True)
    assert 0.4 <= seconds < 0.6
    seconds, _ = _counting_search(SearchLimits(seconds=0.1, max_seconds=0.4), in_doubt=lambda: False)
    assert 0.1 <= seconds < 0.3
    seconds, _ = _counting_search(SearchLimits(seconds=0.1), in_doubt=lambda: True)
    assert 0.1 <= seconds < 0.3  # no max_seconds: not past the budget


def test_mcts_stops_when_the_best_move_cannot_be_overtaken() -> None:
    """The capture of three stones leads by more than the rest of a 20k search: the player
    stops early with the same move; without ``early_stop`` it runs the whole cap."""
    capture = Board.from_diagram(
        """
        . . . . .
        . X X X .
        X O O O .
        . X X X .
        . . . . .
        """,
        komi=0.5,
    )
    early = UctPlayer(playouts=20_000).genmove(capture, "black", SearchLimits())
    full = UctPlayer(playouts=20_000, early_stop=False).genmove(capture, "black", SearchLimits())
    assert early.move == full.move == 2 * 5 + 4
    assert early.analysis.playouts < 20_000 and full.analysis.playouts == 20_000


def test_a_search_bounded_by_simulations_alone_is_chunked_the_same_on_any_machine():
    """The chunks (and so the seeds of a seeded search) do not depend on how fast it runs."""

    def chunks(delay: float) -> list[tuple[int, int]]:
        seen: list[tuple[int, int]] = []

        def step(per_thread: int, done: int) -> None:
            seen.append((per_thread, done))
            time.sleep(delay * per_thread / 256)

        run_in_chunks(step, SearchLimits(playouts=3000), 10_000, lambda done, s: Analysis([], done, s))
        return seen

    fast, slow = chunks(0.0), chunks(0.02)
    assert fast == slow and sum(n for n, _ in fast) == 3000
