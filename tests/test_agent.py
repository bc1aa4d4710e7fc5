"""Trained agents: ``load_agent`` on run directories and checkpoint files, the native game
rebuilt from PettingZoo observations alone, and whole games in the PettingZoo envs.

The nets are tiny and untrained (one block, eight channels): these tests are about the
plumbing (files, observations, legality), not strength.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pettingzoo.classic import connect_four_v3, go_v5, tictactoe_v3

from seigen.agents import load_agent
from seigen.agents.agent import AlphaZeroAgent, DQNAgent
from seigen.agents.pvnet import NetSpec, PolicyValueNet, net_state
from seigen.agents.runs import CheckpointError, RunDir
from seigen.engine import Board, Rules
from seigen.engine.games import ConnectFour, TicTacToe
from seigen.envs.observations import (
    connect4_from_observation,
    go_from_observation,
    go_observation_features,
    tictactoe_from_observation,
)

GO5 = {"name": "go", "size": 5, "komi": 7.5, "rules": "chinese", "max_moves": 75}
SPECS = {
    "tictactoe": (NetSpec(2, 3, 3, 9, blocks=1, channels=8), {"name": "tictactoe"}),
    "connect4": (NetSpec(2, 6, 7, 7, blocks=1, channels=8), {"name": "connect4"}),
    "go": (NetSpec(17, 5, 5, 26, blocks=1, channels=8), GO5),
}
SIMPLE_KO = Rules(ko="simple", suicide=False, scoring="area", komi=7.5)  # go_v5's rules


def tiny_net(game: str, seed: int = 0) -> PolicyValueNet:
    torch.manual_seed(seed)
    return PolicyValueNet(SPECS[game][0]).eval()


def save_net(path: Path, game: str, net: PolicyValueNet | None = None, step: int = 0) -> Path:
    net = net or tiny_net(game)
    torch.save({**net_state(net, SPECS[game][1]), "step": step}, path)
    return path


@pytest.fixture(scope="module")
def nets(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("nets")
    return {game: save_net(folder / f"{game}.pt", game) for game in SPECS}


def agent_for(
    game: str, visits: int = 16, seed: int = 0, net: PolicyValueNet | None = None
) -> AlphaZeroAgent:
    return AlphaZeroAgent(net or tiny_net(game), SPECS[game][1], visits, device="cpu", seed=seed)


# ---------------------------------------------------------------- loading


def test_load_agent_from_a_run_directory_and_from_a_checkpoint_file(tmp_path):
    with RunDir(tmp_path / "run", {"game": "go"}) as run:
        run.save_checkpoint(net_state(tiny_net("go"), GO5), 3)
        last = run.save_checkpoint(net_state(tiny_net("go", seed=1), GO5), 7)
    from_dir = load_agent(tmp_path / "run", visits=8, device="cpu")
    assert isinstance(from_dir, AlphaZeroAgent) and from_dir.meta["step"] == 7
    assert from_dir.game == GO5 and from_dir.size == 5 and from_dir.observation_shape == (5, 5, 17)
    from_file = load_agent(str(last), visits=8, device="cpu")
    assert from_file.meta["path"] == str(last)
    for a, b in zip(from_dir.net.state_dict().values(), from_file.net.state_dict().values(), strict=True):
        assert torch.equal(a, b)
    ttt = load_agent(save_net(tmp_path / "ttt.pt", "tictactoe"), visits=8, device="cpu", c_puct=2.0)
    assert ttt.game_name == "tictactoe" and ttt.config.c_puct == 2.0 and ttt.config.visits == 8


def test_bad_files_are_a_checkpoint_error_naming_the_file(tmp_path):
    corrupt = tmp_path / "corrupt.pt"
    corrupt.write_bytes(b"not a checkpoint at all")
    with pytest.raises(CheckpointError, match=r"corrupt\.pt"):
        load_agent(corrupt)
    with pytest.raises(CheckpointError, match=r"missing\.pt"):
        load_agent(tmp_path / "missing.pt")
    (tmp_path / "empty-run").mkdir()
    with pytest.raises(CheckpointError, match="empty-run"):
        load_agent(tmp_path / "empty-run")
    other = tmp_path / "other.pt"
    torch.save({"step": 0, "kind": "ppo", "weights": torch.zeros(2)}, other)
    with pytest.raises(CheckpointError, match=r"other\.pt.*not an agent checkpoint"):
        load_agent(other)
    truncated = tmp_path / "truncated.pt"
    truncated.write_bytes(save_net(tmp_path / "whole.pt", "go").read_bytes()[:500])
    with pytest.raises(CheckpointError, match=r"truncated\.pt"):
        load_agent(truncated)


def test_a_dqn_run_loads_as_a_greedy_agent_within_the_mask(tmp_path):
    from seigen.agents.dqn import DQN
    from seigen.agents.dqn_config import DQNConfig, resolve

    cfg = resolve(DQNConfig(env="seigen/TicTacToe-v0", run_dir=str(tmp_path / "dqn"), device="cpu"))
    with RunDir(cfg.run_dir, cfg) as run:
        path = run.save_checkpoint(DQN(cfg, (3, 3, 2), 9).state_dict(), 100)
    assert "env" in json.loads((tmp_path / "dqn" / "config.json").read_text())
    for source in (tmp_path / "dqn", path):
        agent = load_agent(source, device="cpu")
        assert isinstance(agent, DQNAgent) and agent.game == {"name": "tictactoe"}
    env = tictactoe_v3.env()
    env.reset(seed=0)
    for _ in env.agent_iter():
        obs, _, term, trunc, _ = env.last()
        action = None if term or trunc else agent.act(obs)
        assert action is None or obs["action_mask"][action]
        env.step(action)
    game = TicTacToe([4, 0])
    assert game.legal_mask()[agent.select([game])[0]]
    with pytest.raises(ValueError, match="shape"):
        agent.act({"observation": np.zeros((6, 7, 2)), "action_mask": np.ones(7, np.int8)})


# ---------------------------------------------------------------- observations -> native games


def moves_from(choices: list[int], legal: np.ndarray, pass_move: int | None = None) -> int:
    """A move picked by a drawn integer (for Go, a pass now and then)."""
    pick = choices.pop(0)
    if pass_move is not None:
        if pick % 11 == 0 and legal[pass_move]:
            return pass_move
        legal = legal.copy()
        legal[pass_move] = 0
        if not legal.any():
            return pass_move
    options = np.flatnonzero(legal)
    return int(options[pick % options.size])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.integers(0, 10**6), min_size=9, max_size=9))
def test_tictactoe_rebuilt_from_any_observation(choices):
    env = tictactoe_v3.env()
    env.reset(seed=0)
    played: list[int] = []
    while choices:
        obs, _, term, trunc, _ = env.last()
        if term or trunc:
            break
        game = tictactoe_from_observation(obs)
        assert np.array_equal(game.features(), np.moveaxis(obs["observation"], -1, 0))
        assert np.array_equal(game.features(), TicTacToe(played).features())
        assert np.array_equal(game.legal_mask(), obs["action_mask"])
        assert not game.is_terminal()
        move = moves_from(choices, obs["action_mask"])
        played.append(move)
        env.step(move)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.integers(0, 10**6), min_size=42, max_size=42))
def test_connect_four_rebuilt_from_any_observation(choices):
    env = connect_four_v3.env()
    env.reset(seed=0)
    played: list[int] = []
    while choices:
        obs, _, term, trunc, _ = env.last()
        if term or trunc:
            break
        game = connect4_from_observation(obs)
        assert np.array_equal(game.features(), np.moveaxis(obs["observation"], -1, 0))
        assert np.array_equal(game.features(), ConnectFour(played).features())
        assert np.array_equal(game.legal_mask(), obs["action_mask"])
        move = moves_from(choices, obs["action_mask"])
        played.append(move)
        env.step(move)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.integers(0, 10**6), min_size=60, max_size=60))
def test_go_rebuilt_from_go_v5_observations_has_the_true_games_features_and_moves(choices):
    """Against the true game (every move replayed on our board under go_v5's rules): the
    rebuilt game's features (8 positions of history), side to move and legal moves (ko
    included) are the same, and they are the go_v5 planes rearranged."""
    env = go_v5.env(board_size=5)
    env.reset(seed=0)
    truth = Board(5, rules=SIMPLE_KO)
    while choices:
        obs, _, term, trunc, _ = env.last()
        if term or trunc:
            break
        game = go_from_observation(obs, komi=7.5)
        assert game.board.to_play == truth.to_play
        assert np.array_equal(game.features(), truth.features())
        assert np.array_equal(go_observation_features(obs), truth.features())
        assert np.array_equal(game.legal_mask(), obs["action_mask"].astype(np.uint8))
        assert np.array_equal(game.legal_mask(), truth.legal_mask())
        move = moves_from(choices, obs["action_mask"], pass_move=25)
        truth.play(move)
        env.step(move)


def test_go_rebuilt_from_seigens_own_go_env_observations():
    from seigen.envs import go_env

    rng = np.random.default_rng(0)
    env = go_env.env(size=5)
    env.reset(seed=0)
    for _ in env.agent_iter(60):
        obs, _, term, trunc, _ = env.last()
        if term or trunc:
            break
        game = go_from_observation(obs)
        assert np.array_equal(game.features(), np.moveaxis(obs["observation"], -1, 0))
        assert np.array_equal(game.legal_mask(), obs["action_mask"].astype(np.uint8))
        env.step(int(rng.choice(np.flatnonzero(obs["action_mask"][:-1]))))


def test_observations_of_the_wrong_shape_or_game_are_clear_errors():
    ttt, c4, go = agent_for("tictactoe"), agent_for("connect4"), agent_for("go")
    c4_obs = {"observation": np.zeros((6, 7, 2), np.int8), "action_mask": np.ones(7, np.int8)}
    with pytest.raises(ValueError, match=r"tictactoe_v3 observation of shape \(3, 3, 2\)"):
        ttt.act(c4_obs)
    with pytest.raises(ValueError, match="board_size=5"):
        go.act({"observation": np.zeros((9, 9, 17), bool), "action_mask": np.ones(82, np.int8)})
    with pytest.raises(ValueError, match="dict with 'observation' and 'action_mask'"):
        c4.act(np.zeros((6, 7, 2)))
    with pytest.raises(ValueError, match="allows no move"):
        c4.act({**c4_obs, "action_mask": np.zeros(7, np.int8)})
    two_x = np.zeros((3, 3, 2), np.int8)
    two_x[0, 0, 0] = two_x[1, 1, 0] = 1  # the mover has two marks more than the other
    with pytest.raises(ValueError, match="observer to move"):
        ttt.act({"observation": two_x, "action_mask": np.ones(9, np.int8)})
    floating = np.zeros((6, 7, 2), np.int8)
    floating[0, 3, 1] = 1  # a piece in the top row of an empty column
    with pytest.raises(ValueError, match="gap"):
        c4.act({"observation": floating, "action_mask": np.ones(7, np.int8)})
    jump = np.zeros((5, 5, 17), bool)
    jump[:, :, 0][0, :3] = True  # black to move: three white stones appear in one move
    with pytest.raises(ValueError, match="3 white stones appear in one move"):
        go.act({"observation": jump, "action_mask": np.ones(26, np.int8)})


# ---------------------------------------------------------------- whole games in the PettingZoo envs


@pytest.mark.parametrize("game", ["tictactoe", "connect4"])
@pytest.mark.parametrize("side", [0, 1])
def test_agent_plays_whole_games_in_the_pettingzoo_env(game, side):
    module = tictactoe_v3 if game == "tictactoe" else connect_four_v3
    agent = agent_for(game, visits=16)
    rng = np.random.default_rng(side)
    env = module.env()
    env.reset(seed=side)
    plies = 0
    for name in env.agent_iter():
        obs, _, term, trunc, _ = env.last()
        if term or trunc:
            env.step(None)
            continue
        mover = env.possible_agents.index(name)
        action = agent(obs) if mover == side else int(rng.choice(np.flatnonzero(obs["action_mask"])))
        assert obs["action_mask"][action], f"illegal move {action}"
        env.step(action)
        plies += 1
    assert not env.agents and plies >= 5


@pytest.mark.parametrize("side", [0, 1])
def test_agent_plays_whole_go_games_in_go_v5(side):
    """The opponent plays 10 random moves, then passes: the agent ends the game by passing
    when passing wins, and no move it makes is illegal."""
    agent = agent_for("go", visits=16, seed=side)
    rng = np.random.default_rng(side)
    env = go_v5.env(board_size=5)
    env.reset(seed=0)
    opponent_moves = 0
    for name in env.agent_iter(400):
        obs, _, term, trunc, _ = env.last()
        if term or trunc:
            env.step(None)
            continue
        if env.possible_agents.index(name) == side:
            action = agent.act(obs)
        else:
            opponent_moves += 1
            points = np.flatnonzero(obs["action_mask"][:-1])
            action = int(rng.choice(points)) if opponent_moves <= 10 and points.size else 25
        assert obs["action_mask"][action], f"illegal move {action}"
        env.step(action)
    assert not env.agents, "the game did not end"


def ko_observation(moves: list[int]) -> dict:
    env = go_v5.env(board_size=5)
    env.reset(seed=0)
    for m in moves:
        env.step(m)
    return env.observe(env.agent_selection)


def biased_net(action: int) -> PolicyValueNet:
    """A net whose policy is all on ``action``."""
    net = tiny_net("go")
    with torch.no_grad():
        net.policy_fc.weight.zero_()
        net.policy_fc.bias.zero_()
        net.policy_fc.bias[action] = 30.0
    return net


# . X O . .      white's 6 (B4) has just taken black's 7 (C4): black may not take back at once
# X o X O .
# . X O . .
KO = [1, 2, 5, 8, 11, 12, 7, 6]


def test_the_go_agent_respects_a_ko_ban_and_retakes_after_a_threat():
    obs = ko_observation(KO)
    assert obs["action_mask"][7] == 0
    game = go_from_observation(obs, komi=7.5)
    assert game.legal_mask()[7] == 0  # the rebuilt history knows the ko
    agent = agent_for("go", visits=32, net=biased_net(7))
    for seed in range(3):
        agent.config.seed = seed
        assert agent.act(obs) != 7
    later = ko_observation([*KO, 20, 24])  # a threat elsewhere and its answer: the ko may be taken
    assert later["action_mask"][7] == 1
    assert agent.act(later) == 7


def test_the_agent_never_plays_what_the_mask_forbids():
    agent = agent_for("go", visits=32, net=biased_net(12))
    env = go_v5.env(board_size=5)
    env.reset(seed=0)
    obs = env.observe(env.agent_selection)
    assert agent.act(obs) == 12  # the net's choice when it is allowed
    masked = {**obs, "action_mask": obs["action_mask"].copy()}
    masked["action_mask"][12] = 0
    assert agent.act(masked) != 12
    only_pass = {**obs, "action_mask": np.eye(26, dtype=np.int8)[25]}
    assert agent.act(only_pass) == 25


def test_select_and_act_game_on_native_games():
    agent = agent_for("connect4", visits=16)
    games = [ConnectFour(), ConnectFour([3, 3, 3])]
    moves = agent.select(games)
    assert len(moves) == 2 and all(g.legal_mask()[m] for g, m in zip(games, moves, strict=True))
    assert games[1].history == [3, 3, 3]  # the games are not changed
    assert ConnectFour([0] * 6).legal_mask()[agent.act_game(ConnectFour([0] * 6))]
    go = agent_for("go").new_game()
    assert go.size == 5 and go.board.komi == 7.5 and go.max_moves == 75
