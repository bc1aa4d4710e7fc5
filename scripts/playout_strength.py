"""Strength of a playout kind: flat Monte Carlo with one kind against flat MC with another.

Each player runs ``CBoard.flat_mc`` from the position to move with the same number of
playouts per move over the sensible moves (legal, no own-eye filling), UCB1 over the
root moves' win rates (blended with their all-moves-as-first win rates when
``rave_k`` > 0; by default not, so that only the playouts' own judgement counts), and
plays the most visited move; it passes only when no sensible move is
left, so every game is played out and Tromp-Taylor area scoring (komi ``komi``) is
exact. Colours alternate game by game. Only the playouts differ, so the match measures
how well each kind evaluates positions at equal playout count.

Usage: ``python -m seigen.scripts.playout_strength [--games 100] [--playouts 1000]
[--size 9] [--komi 7.5] [--rave-k 0] [--seed 0]`` prints the heavy player's record against light with
a 95% Wilson interval and Elo.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

import numpy as np

from seigen.engine.board import Board, PlayoutKind
from seigen.engine.ratings import head_to_head
from seigen.engine.rules import Rules


def flat_mc_move(board: Board, playouts: int, kind: PlayoutKind, seed: int, rave_k: float = 0.0) -> int:
    """The most visited root move of ``playouts`` flat-MC playouts of ``kind``; pass when no sensible move."""
    moves = board.sensible_moves()
    if moves.size == 0:
        return board.pass_move
    a = board.size * board.size + 1
    candidates = np.zeros(a, dtype=np.uint8)
    candidates[moves] = 1
    stats = np.zeros((4, a))
    board._c.flat_mc(candidates, playouts, seed, board.komi, *stats, 0.5, rave_k, kind=kind)
    return int(np.argmax(stats[0]))


def play_game(
    size: int,
    komi: float,
    playouts: int,
    black: PlayoutKind,
    white: PlayoutKind,
    seed: int,
    rave_k: float = 0.0,
) -> float:
    """One game between two flat-MC players; black's final area score minus komi."""
    board = Board(size, rules=Rules(ko="simple", komi=komi))
    kinds = {"black": black, "white": white}
    for ply in range(3 * size * size):
        if board.is_over:
            break
        board.play(flat_mc_move(board, playouts, kinds[board.to_play], seed * 100_003 + ply, rave_k))
    return board.score()


def match(
    size: int = 9,
    playouts: int = 1000,
    games: int = 20,
    komi: float = 7.5,
    kind: PlayoutKind = "heavy",
    against: PlayoutKind = "light",
    rave_k: float = 0.0,
    seed: int = 0,
) -> dict[str, Any]:
    """``games`` games of flat MC with ``kind`` against flat MC with ``against``, colours
    alternated; ``kind``'s record as ``seigen.engine.ratings.head_to_head`` gives it."""
    wins = losses = draws = 0
    for g in range(games):
        first_black = g % 2 == 0
        black, white = (kind, against) if first_black else (against, kind)
        score = play_game(size, komi, playouts, black, white, seed + g, rave_k)
        mine = score if first_black else -score
        wins += mine > 0
        losses += mine < 0
        draws += mine == 0
    return head_to_head(wins, draws, losses)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--games", type=int, default=100)
    parser.add_argument("--playouts", type=int, default=1000)
    parser.add_argument("--size", type=int, default=9)
    parser.add_argument("--komi", type=float, default=7.5)
    parser.add_argument("--rave-k", type=float, default=0.0, help="AMAF blend (the rollout player's is 300)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    result = match(args.size, args.playouts, args.games, args.komi, rave_k=args.rave_k, seed=args.seed)
    settings = {"size": args.size, "playouts": args.playouts, "komi": args.komi, "rave_k": args.rave_k}
    print(json.dumps({"kind": "heavy", "against": "light", **settings, **result}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
