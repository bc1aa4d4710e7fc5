"""Every player is an arena agent: the GTP players, the search player and GTP engines play
lock-step matches of native games (``seigen.engine.arena.play_match``)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from seigen.engine.arena import play_match
from seigen.engine.board import Board
from seigen.engine.games import ConnectFour, GoGame
from seigen.engine.gtp_client import GTPAgent, GTPClient
from seigen.engine.players import (
    MCTSPlayer,
    RandomPlayer,
    RolloutPlayer,
    SearchLimits,
    SearchPlayer,
)
from seigen.engine.search import RolloutEvaluator, UniformEvaluator

GO5 = {"size": 5, "komi": 0.5, "max_moves": 60}


@pytest.mark.parametrize(
    "player",
    [
        RandomPlayer(seed=3),
        RolloutPlayer(playouts=200, seed=0),
        MCTSPlayer(visits=32, seed=0),
        SearchPlayer(UniformEvaluator(), visits=16, name="uniform"),
    ],
    ids=lambda p: p.name,
)
def test_every_go_player_plays_lock_step_arena_games_to_the_end(player):
    outcome = play_match(player, RandomPlayer(seed=9), "go", 4, opening_moves=2, **GO5)
    assert outcome.games == 4 and not outcome.interrupted
    assert all(r is not None for r in outcome.results)
    for moves in outcome.moves:  # every move was legal where it was played
        board = Board(5, komi=0.5)
        for move in moves:
            board.play(move)


def test_the_search_player_plays_any_registered_game_in_the_arena():
    search = SearchPlayer(RolloutEvaluator(1), visits=64, seed=1, name="mcts-rollout-64")
    outcome = play_match(search, RandomPlayer(seed=5), "connect4", 10, opening_moves=2)
    assert outcome.games == 10 and outcome.wins >= 7


def test_go_only_players_refuse_other_games_by_name():
    with pytest.raises(ValueError, match="rollout plays Go only, not ConnectFour"):
        RolloutPlayer(playouts=10).select([ConnectFour()])


def test_one_search_player_serves_the_arena_and_gtp_without_mixing_trees():
    player = MCTSPlayer(visits=64, seed=0)
    board = Board(5, komi=0.5)
    board.play("C3")
    before = player.genmove(board, "white", SearchLimits()).move
    arena_moves = player.select([GoGame(Board(5, komi=0.5)), GoGame(board.copy())])
    assert len(arena_moves) == 2 and all(0 <= m <= 25 for m in arena_moves)
    board.play(before)
    after = player.genmove(board, "black", SearchLimits())
    assert board.is_legal(after.move)
    # the GTP face still searches the position it was given, its tree moved along
    assert player._search.games[0].board.hash == board.hash


def test_a_resigning_player_plays_its_best_candidate_in_the_arena():
    class Resigner(RolloutPlayer):
        def genmove(self, board, color, limits, cleanup=False):
            d = super().genmove(board, color, SearchLimits(playouts=100))
            from seigen.engine.players import Decision

            return Decision(None, resign=True, analysis=d.analysis)

    game = GoGame(Board(5, komi=0.5))
    (move,) = Resigner(seed=0).select([game])
    assert game.board.is_legal(move) and move != game.board.pass_move


def test_a_gtp_engine_is_an_arena_agent(gnugo_path):
    argv = [gnugo_path, "--mode", "gtp", "--level", "0", "--chinese-rules", "--positional-superko"]
    with GTPAgent(argv, "gnugo") as gnugo:
        outcome = play_match(gnugo, RandomPlayer(seed=2), "go", 4, size=7, komi=0.5, max_moves=120)
    assert outcome.player == "gnugo" and outcome.games == 4
    assert outcome.wins >= 3  # GNU Go beats a random player
    assert np.all([len(m) > 4 for m in outcome.moves])


def test_a_gtp_agent_replays_only_new_moves_and_resyncs_on_a_new_game():
    sent: list[str] = []

    class Recorder(GTPClient):
        def __init__(self):
            self.argv = ["fake"]

        def send(self, command, timeout=None):
            sent.append(command)
            return "pass" if command.startswith("genmove") else ""

        def send_many(self, commands, timeout=None):
            sent.extend(commands)
            return ["" for _ in commands]

        def close(self):
            pass

    agent = GTPAgent(Recorder())
    assert agent.name == "fake"
    game = GoGame(Board(5, komi=0.5))
    game.play(12)
    assert agent.select([game]) == [25]
    assert sent == ["boardsize 5", "komi 0.5", "clear_board", "play black C3", "genmove white"]
    sent.clear()
    game.play(25)
    game.play(0)
    agent.select([game])
    assert sent == ["play black A5", "genmove white"]  # white's pass is already held
    sent.clear()
    other = GoGame(Board(5, komi=0.5))
    agent.select([other])
    assert sent == ["komi 0.5", "clear_board", "genmove black"]


def test_bench_agents_rates_seigens_go_players_and_a_gtp_engine(gnugo_path, capsys):
    from seigen.scripts.cli import main

    gnugo = f"gtp:{gnugo_path} --mode gtp --level 0 --chinese-rules"
    argv = ["bench", "agents", "--players", "mcts-16", "rollout-100", gnugo, "random"]
    assert main([*argv, "--game", "go", "--size", "5", "--games", "2", "--json"]) == 0
    rows = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    pairs = [r for r in rows if "a" in r]
    assert len(pairs) == 6 and all(r["games"] == 2 for r in pairs)
    assert {r["player"] for r in rows if "player" in r} == {"mcts-16", "rollout-100", "gtp:gnugo", "random"}
    # Go players refuse other games, by name
    assert main(["bench", "agents", "--players", "mcts-16", "random", "--game", "connect4"]) == 2
    assert "mcts-16 plays Go only" in capsys.readouterr().err
