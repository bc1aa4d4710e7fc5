"""AlphaGo's mixed evaluation (a net's value mixed with a playout's result) wherever a Go net
searches: ``seigen gtp --player net --mix``, self-play actors and the evaluator."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from seigen.agents.players import make_player
from seigen.agents.pvnet import NetSpec, PolicyValueNet, net_state
from seigen.engine.board import Board
from seigen.engine.games import make_game
from seigen.engine.players import SearchLimits
from seigen.engine.search import MixedEvaluator, NetEvaluator, with_mix
from seigen.engine.uct import UctPlayer
from seigen.scripts.cli import main
from seigen.selfplay.actor import SelfPlay
from seigen.selfplay.config import SelfPlayConfig, resolve
from seigen.selfplay.evaluation import evaluate_net

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def tiny_net(size: int = 5) -> PolicyValueNet:
    torch.manual_seed(0)
    game = make_game("go", size=size)
    return PolicyValueNet(NetSpec(*game.feature_shape, game.num_actions, blocks=1, channels=8))


def checkpoint(tmp_path, size: int = 5) -> str:
    path = tmp_path / "net.pt"
    torch.save({**net_state(tiny_net(size), {"name": "go", "size": size, "komi": 7.0}), "step": 3}, path)
    return str(path)


def test_with_mix_is_the_net_alone_at_zero_and_mixes_heavy_playouts_above():
    net = NetEvaluator(tiny_net())
    assert with_mix(net, 0.0) is net
    mixed = with_mix(net, 0.25)
    assert isinstance(mixed, MixedEvaluator) and mixed.net is net
    assert (mixed.lam, mixed.rollouts, mixed.playout) == (0.25, 1, "heavy")
    game = make_game("go", size=5)
    features = game.features()[None]
    mask = game.legal_mask()[None]
    _, alone = net(features, mask)
    _, value = mixed(features, mask, np.array([1.0], dtype=np.float32))
    assert value[0] == pytest.approx(0.75 * alone[0] + 0.25)


def test_the_net_player_mixes_half_playouts_unless_told_otherwise(tmp_path):
    from seigen.agents.players import NET_MIX

    path = checkpoint(tmp_path)
    default = make_player("net", model=path, playouts=8).evaluator
    assert (
        isinstance(default, MixedEvaluator) and default.lam == NET_MIX == 0.5 and default.playout == "heavy"
    )
    assert isinstance(make_player("net", model=path, playouts=8, mix=0).evaluator, NetEvaluator)
    assert isinstance(make_player("hybrid", model=path, playouts=8), UctPlayer)  # no mix to refuse
    player = make_player("net", model=path, playouts=16, mix=0.5, playout="light")
    assert isinstance(player.evaluator, MixedEvaluator) and player.evaluator.playout == "light"
    board = Board(5)
    decision = player.genmove(board, "black", SearchLimits(playouts=16))
    assert decision.move is not None and board.is_legal(decision.move)
    with pytest.raises(ValueError, match="goes with --player net, not mcts"):
        make_player("mcts", mix=0.5)
    with pytest.raises(ValueError, match="mix must be in"):
        make_player("net", model=path, mix=1.5)


def test_gtp_net_player_with_mix(tmp_path, capsys):
    import subprocess
    import sys

    args = ["gtp", "--player", "net", "--model", checkpoint(tmp_path), "--mix", "0.5", "--visits", "16"]
    p = subprocess.run(
        [sys.executable, "-m", "seigen.scripts.cli", *args],
        input="genmove b\nquit\n",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert p.returncode == 0 and p.stdout.startswith("= "), p.stderr
    assert main(["gtp", "--mix", "2"]) == 2
    assert "--mix must be in [0, 1]" in capsys.readouterr().err


def test_self_play_and_evaluation_search_with_the_mix(tmp_path):
    cfg = resolve(
        SelfPlayConfig(game="go", size=5, mix=0.5, games_in_flight=2, visits=8, run_dir=str(tmp_path))
    )
    play = SelfPlay(cfg, tiny_net(), seed=1)
    assert isinstance(play.evaluator, MixedEvaluator) and play.search.evaluator is play.evaluator
    for _ in range(3):
        play.step()
    play.set_weights(tiny_net().state_dict())  # the net inside the mix follows new checkpoints
    meta = {"game": {"name": "go", "size": 5, "komi": 7.0}, "step": 3, "path": "net.pt"}
    row = evaluate_net(tiny_net(), meta, games=2, visits=4, mix=0.5)
    assert row["vs"]["random"]["games"] == 2 and row["elo"] is not None
    with pytest.raises(ValueError, match="Go only"):
        SelfPlayConfig(game="connect4", mix=0.5)
