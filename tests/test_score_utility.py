"""KataGo's static score utility: a Go net's value blended with its predicted margin in the search."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from seigen.agents.pvnet import NetSpec, PolicyValueNet
from seigen.engine.games import make_game
from seigen.engine.search import NetEvaluator, net_forward
from seigen.selfplay.actor import SelfPlay
from seigen.selfplay.config import SelfPlayConfig, resolve

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def go_net(ownership: bool = True) -> PolicyValueNet:
    torch.manual_seed(1)
    g = make_game("go", size=5)
    return PolicyValueNet(
        NetSpec(*g.feature_shape, g.num_actions, blocks=1, channels=8, ownership=ownership)
    ).eval()


def test_the_value_blends_in_the_predicted_margin():
    net = go_net()
    with torch.no_grad():  # make the score head predict clear margins
        net.score_fc[-1].bias.fill_(0.3)
    game = make_game("go", size=5)
    features = np.stack([game.features(), game.features()])
    mask = np.stack([game.legal_mask(), game.legal_mask()])
    with torch.no_grad():
        out = net(torch.from_numpy(features), all_heads=True)
    value, points = out["value"].numpy(), out["score"].numpy() * 25
    _, plain = NetEvaluator(net)(features, mask)
    _, blended = NetEvaluator(net, score_utility=0.25)(features, mask)
    np.testing.assert_allclose(plain, value, rtol=1e-5)
    expected = 0.75 * value + 0.25 * (2 / math.pi) * np.arctan(points / 5.0)  # scale: sqrt(25 points)
    np.testing.assert_allclose(blended, expected, rtol=1e-5, atol=1e-6)
    assert np.all(np.abs(blended) <= 1)
    _, scaled = net_forward(net, torch.from_numpy(features), 0.25, score_scale=50.0)
    assert not np.allclose(scaled.detach().numpy(), blended)


def test_score_utility_needs_a_score_head_and_go(tmp_path):
    with pytest.raises(ValueError, match="needs a net with a score head"):
        NetEvaluator(go_net(ownership=False), score_utility=0.1)
    with pytest.raises(ValueError, match="--score-utility needs Go"):
        SelfPlayConfig(game="connect4", score_utility=0.1)
    cfg = resolve(
        SelfPlayConfig(
            game="go", size=5, score_utility=0.1, games_in_flight=2, visits=8, run_dir=str(tmp_path)
        )
    )
    play = SelfPlay(cfg, go_net(), seed=0)
    assert play.net_evaluator.score_utility == 0.1
    play.step()
