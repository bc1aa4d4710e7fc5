"""Tactical test suite: Go problems written as diagrams, each with its known answers, that
a player must solve within a stated number of simulations; prints the count solved.

Each ``Problem`` is a settled 9x9 position (living groups and closed territories around
one local fight), the side to move, a target chain (one of its stones) and a goal for the
side to move: ``capture`` or ``kill`` the target, ``save`` it or make it ``live``.

- The answers are every move that reaches the goal by GNU Go's own reading (``defend``/
  ``attack`` for the tactical goals, ``owl_defend``/``owl_attack`` for life and death),
  and a pass does not reach it: ``--check`` verifies both with GNU Go installed.
- The komi makes the fight decide the game in a Monte Carlo player's own terms: it is
  ``playout_komi``, halfway between the mean area scores of heavy playouts after the
  first answer and after a pass. (GNU Go's ``estimate_score`` gives a second opinion,
  ``gnugo_komi``, printed by ``--check``.)
- The stated number of simulations is ``Problem.sims``: the smallest of 1,000, 3,000,
  10,000 and 30,000 at which the mcts player with heavy playouts plays an answer with
  seeds 0, 1 and 2. ``--sims 0`` searches each problem with its own budget.

Usage: ``python -m seigen.scripts.tactics [--sims 10000 | --sims 0] [--check] [--json]``.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from seigen.engine.board import Board
from seigen.engine.players import Player, SearchLimits


@dataclass(frozen=True)
class Problem:
    """One position: ``to_play`` moves, and ``answers`` reach ``goal`` for ``target``'s chain."""

    name: str
    kind: str  # capture, escape, cut, ladder, net, snapback, tesuji, life, death, semeai
    diagram: str  # rows of X (black), O (white) and . from row 9 down
    to_play: str
    target: str  # a stone of the chain the problem is about (GTP vertex)
    goal: str  # capture, kill, save or live
    answers: tuple[str, ...]
    komi: float = 7.0
    sims: int = 3000  # the budget within which the mcts player (heavy playouts) solves it

    def board(self) -> Board:
        return Board.from_diagram(self.diagram, komi=self.komi, to_play=self.to_play)


_FIVE_ON_THE_FIRST_LINE = """
. O . O X . X . .
O O O O X X X X X
. O . O X . X . .
O O O O X X X X X
. O . O X . X . .
O O O O X X X X X
O O O X X X X X X
. . O X O O O O O
. . O X . . . . .
"""
"""White's five points on the first line, to kill (black to play) or to live (white)."""


PROBLEMS: tuple[Problem, ...] = (
    Problem(
        "capture three stones that would connect",
        "capture",
        """
        . O . O X . X . .
        O O O O X X X X X
        . O . O X . X . .
        O O O O X X X X X
        . O . O X . X . .
        O O O O X X X X X
        O . O X X X X . X
        O O O . O O O X X
        . O O X X X X X .
        """,
        "black",
        "E2",
        "capture",
        ("D2",),
        komi=11.5,
    ),
    Problem(
        "connect three stones in atari",
        "escape",
        """
        . X . X O . O . .
        X X X X O O O O O
        . X . X O . O . .
        X X X X O O O O O
        . X . X O . O . .
        X X X X O O O O O
        X . X O O O O . O
        X X X . X X X O O
        . X X O O O O O .
        """,
        "black",
        "E2",
        "save",
        ("D2",),
        komi=-7.5,
    ),
    Problem(
        "straight three in the corner: live",
        "life",
        """
        . O . O X . X . .
        O O O O X X X X X
        . O . O X . . . .
        O O O O X . . . .
        . O . O X X X X X
        O O O O X . . . .
        O O O O O X X X X
        X X X X O X . . .
        . . . X O X . . .
        """,
        "black",
        "A2",
        "live",
        ("B1",),
        komi=15.5,
    ),
    Problem(
        "straight three in the corner: kill",
        "death",
        """
        . . O . O X . X .
        O O O O O X X X X
        . . . . O X . X .
        . . . . O X X X X
        O O O O O X . X .
        . . . . O X X X X
        O O O O X X X X X
        . . . O X O O O O
        . . . O X O . . .
        """,
        "black",
        "J2",
        "kill",
        ("H1",),
        komi=-6.5,
    ),
    Problem(
        "capturing race, two liberties each",
        "semeai",
        """
        . O . O X . X . .
        O O O O X X X X X
        . O . O X . X . .
        O O O O X X X X X
        . O . O X . X . .
        O O O O O X X X X
        X X X X O O X . .
        O O O X . O X . .
        . . O X . O X . .
        """,
        "black",
        "C2",
        "capture",
        ("A1", "B1"),
        komi=6.5,
    ),
    Problem(
        "bulky five in the corner: live",
        "life",
        """
        . O . O X . X . .
        O O O O X X X X X
        . O . O X . X . .
        O O O O X X X X X
        . O . O O X . . .
        O O O O O X X X X
        X X X X O X . . .
        . . . X O X . . .
        . . X X O X . . .
        """,
        "black",
        "A3",
        "live",
        ("B2", "A2", "B1"),
        komi=19.5,
    ),
    Problem(
        "bulky five in the corner: kill",
        "death",
        """
        . . O . O X . X .
        O O O O O X X X X
        . . O . O X . X .
        O O O O O X X X X
        . . . O X X . X .
        O O O O X X X X X
        . . . O X O O O O
        . . . O X O . . .
        . . . O X O O . .
        """,
        "black",
        "J3",
        "kill",
        ("H2",),
        komi=-15.5,
    ),
    Problem(
        "capturing race with a shared liberty",
        "semeai",
        """
        . O . O X . X . .
        O O O O X X X X X
        . O . O X . X . .
        O O O O X X X X X
        . O . O X . X . .
        O O O O O X X X X
        X X X X O O X . .
        O O O X . O X . .
        . . . X . O X . .
        """,
        "black",
        "C2",
        "capture",
        ("A1", "B1", "C1"),
        komi=-0.5,
    ),
    Problem(
        "cut a stone off from its group",
        "cut",
        """
        . O . O X . X . .
        O O O O X X X X X
        . O . O X . X . .
        O O O O X X X X X
        . O . O X . X . .
        O O O O O X X X X
        O . O . O X . . .
        O O O O O . O . .
        . O . O O X X . .
        """,
        "black",
        "G2",
        "capture",
        ("F2",),
        komi=-1.5,
    ),
    Problem(
        "snapback on the first line",
        "snapback",
        """
        . X . X O . O . .
        X X X X O O O O O
        . X . X O . O . .
        X X X X O O O O O
        . X . X O . O . .
        X X X X O O O O O
        . X X X X X O . .
        . X O O O X O . .
        . X O . . O O . .
        """,
        "black",
        "C2",
        "capture",
        ("E1",),
        komi=-2.5,
    ),
    Problem(
        "ladder into the corner, atari from the right side",
        "ladder",
        """
        . X . X O . O . .
        X X X X O O O O O
        . X . X O . O . .
        X X X X O O O O O
        . X . X O . O . .
        . . . . . O O O O
        . X . . . O . . .
        . X O . . O . . .
        . X X . . O . . .
        """,
        "black",
        "C2",
        "capture",
        ("D2",),
        komi=-10.5,
    ),
    Problem(
        "five on the first line: kill",
        "death",
        _FIVE_ON_THE_FIRST_LINE,
        "black",
        "J2",
        "kill",
        ("E1", "H1"),
        komi=5.5,
    ),
    Problem(
        "five on the first line: live",
        "life",
        _FIVE_ON_THE_FIRST_LINE,
        "white",
        "J2",
        "live",
        ("E1", "H1"),
        komi=1.5,
    ),
    Problem(
        "cut that makes the corner eye false",
        "tesuji",
        """
        . O . O X . X . .
        O O O O X X X X X
        . O . O X . X . .
        O O O O X X X X X
        . O . O X . X . .
        O O O O X X X X X
        O O O X X X X X X
        . . O X O O O . O
        . . O X . O . O .
        """,
        "black",
        "J2",
        "kill",
        ("H2",),
        komi=10.5,
    ),
    Problem(
        "net when the ladder runs into white's wall",
        "net",
        """
        . X . X O . O . .
        X X X X O O O O O
        . X . X O . O . .
        X X X X O O O O O
        . . X X . . O . .
        . X O . . . O O O
        . . . . . . O . .
        . . . . . . O . .
        . . . . . . O . .
        """,
        "black",
        "C4",
        "capture",
        ("D3", "D2"),
        komi=-10.5,
        sims=3000,
    ),
    Problem(
        "capturing race, four liberties each with a shared one",
        "semeai",
        """
        . O . O X . X . .
        O O O O X X X X X
        . O . O X . X . .
        O O O O X X X X X
        . O . O X . X . .
        O O O O X X X X X
        O . X X O . X . .
        O . X O O . X . .
        O . X . O . X . .
        """,
        "black",
        "E2",
        "capture",
        ("F1", "F2", "F3"),
        komi=10.5,
        sims=30000,
    ),
    Problem(
        "rabbity six: kill",
        "death",
        """
        . O . O X . X . .
        O O O O X X X X X
        . O . O X . X . .
        O O O O X X X X X
        . O . O X X X X X
        O O O O X O O O O
        . O . O X O O . O
        O O O O X O . . .
        . O . O X O O . .
        """,
        "black",
        "F4",
        "kill",
        ("H2",),
        komi=-14.5,
        sims=1000,
    ),
)
"""The suite: each answer set is every move that reaches the goal by GNU Go's reading
(``check``), each komi is ``playout_komi`` and each ``sims`` the mcts player's budget."""


# ------------------------------------------------------------------ solving


def solve(player: Player, problem: Problem, sims: int) -> str:
    """The player's move (a GTP vertex, or ``resign``) in the problem's position."""
    board = problem.board()
    decision = player.genmove(board, problem.to_play, SearchLimits(playouts=sims))
    if decision.resign:
        return "resign"
    return board.vertex(decision.move)


def run(player: Player, sims: int, problems: tuple[Problem, ...] = PROBLEMS) -> list[dict[str, Any]]:
    """One row per problem: its name and kind, the answers, the simulations searched
    (``sims``, or with ``sims`` 0 the problem's own budget ``Problem.sims``), the move
    and ``solved``."""
    if sims < 0:
        raise ValueError(f"sims must be >= 0 (0: each problem's own budget), got {sims}")
    rows = []
    for p in problems:
        budget = sims or p.sims
        player.forget()
        t0 = time.perf_counter()
        move = solve(player, p, budget)
        rows.append(
            {
                "problem": p.name,
                "kind": p.kind,
                "answers": " ".join(p.answers),
                "sims": budget,
                "move": move,
                "solved": move.upper() in p.answers,
                "seconds": round(time.perf_counter() - t0, 2),
            }
        )
    return rows


# ------------------------------------------------------------------ GNU Go as the oracle


def gnugo_command() -> list[str] | None:
    """GNU Go's GTP command line, or None where it is not installed."""
    from seigen.selfplay.gnugo import find_gnugo

    exe = find_gnugo()
    return None if exe is None else [exe, "--mode", "gtp", "--chinese-rules"]


def _setup(engine: Any, problem: Problem) -> None:
    board = problem.board()
    engine.send(f"boardsize {board.size}")
    engine.send("clear_board")
    for color in ("black", "white"):
        for r, c in board.stones(color):
            engine.send(f"play {color} {board.vertex(r * board.size + c)}")


def _reached(engine: Any, problem: Problem) -> bool:
    """GNU Go's reading says the goal holds in the engine's position (the other side to move)."""
    owl = problem.goal in ("kill", "live")
    take = problem.goal in ("capture", "kill")
    if engine.send(f"color {problem.target}") == "empty":  # taken off the board already
        return take
    if take:
        answer = engine.send(f"{'owl_defend' if owl else 'defend'} {problem.target}")
    else:
        answer = engine.send(f"{'owl_attack' if owl else 'attack'} {problem.target}")
    return answer.split()[0] == "0"


def solutions(problem: Problem, command: list[str]) -> list[str] | None:
    """Every legal move that reaches the goal by GNU Go's reading, or None when the goal is
    reached without a move (a pass): the problem is not one."""
    from seigen.engine.gtp_client import GTPClient

    board = problem.board()
    found = []
    with GTPClient(command, timeout=60) as engine:
        _setup(engine, problem)
        if _reached(engine, problem):
            return None
        for move in board.legal_moves():
            if move == board.pass_move:
                continue
            vertex = board.vertex(int(move))
            _setup(engine, problem)
            engine.send(f"play {problem.to_play} {vertex}")
            if _reached(engine, problem):
                found.append(vertex)
    return found


def playout_komi(problem: Problem, n: int = 4000) -> float:
    """The komi halfway between the mean area scores (black's view, no komi) of ``n``
    heavy playouts after the first answer and after a pass instead, to the next half
    point: the problem's komi, so that the fight decides the game."""
    means = []
    for move in (problem.answers[0], "pass"):
        board = replace(problem, komi=0.0).board()
        board.play(board.parse_move(move), problem.to_play)
        means.append(float(np.mean(board.playouts(n, seed=1, kind="heavy"))))
    return round(sum(means) / 2) + 0.5


def gnugo_komi(problem: Problem, command: list[str]) -> float:
    """``playout_komi`` by GNU Go's score estimates (``estimate_score``) instead of playouts."""
    from seigen.engine.gtp_client import GTPClient

    scores = []
    with GTPClient(command, timeout=60) as engine:
        for move in (problem.answers[0], "pass"):
            _setup(engine, problem)
            engine.send("komi 0")
            engine.send(f"play {problem.to_play} {move}")
            text = engine.send("estimate_score").split()[0]  # e.g. B+12.0 or W+3.0
            value = float(text[2:]) if len(text) > 2 else 0.0
            scores.append(value if text.startswith("B") else -value)
    return round(sum(scores) / 2) + 0.5


def check(problem: Problem, command: list[str]) -> list[str]:
    """What is wrong with the problem's answers by GNU Go's reading: a goal reached without
    a move, an answer that does not reach it, a move that does but is not an answer."""
    found = solutions(problem, command)
    if found is None:
        return [f"{problem.target} is {problem.goal}d without a move"]
    errors = [f"{m} does not {problem.goal} {problem.target}" for m in problem.answers if m not in found]
    errors += [f"{m} also {problem.goal}s {problem.target}" for m in found if m not in problem.answers]
    return errors


@dataclass
class TacticsConfig:
    """The tactical suite: how many problems the mcts player solves at --sims simulations,
    or with ``--sims 0`` each within its own budget (``Problem.sims``: the simulations within
    which the mcts player with heavy playouts solves it)."""

    sims: int = 10_000
    """Simulations per problem; 0: each problem's own budget (``Problem.sims``)."""
    player: str = "mcts"
    """The player (seigen gtp --player names)."""
    playout: str | None = None
    """light or heavy playouts (default: the player's)."""
    check: bool = False
    """Also verify every problem with GNU Go's reading (needs gnugo)."""
    json: bool = False
    """Print the rows as JSON."""


def main(cfg: TacticsConfig) -> int:
    from seigen.agents.players import make_player

    if cfg.sims < 0:
        print(f"tactics: --sims must be >= 0 (0: each problem's own budget), got {cfg.sims}", file=sys.stderr)
        return 2
    budget = cfg.sims or max(p.sims for p in PROBLEMS)
    player = make_player(cfg.player, playouts=budget, playout=cfg.playout)
    rows = run(player, cfg.sims)
    if cfg.check:
        command = gnugo_command()
        if command is None:
            print("tactics: --check needs GNU Go (apt-get install gnugo)", file=sys.stderr)
            return 2
        for p, row in zip(PROBLEMS, rows, strict=True):
            row["gnugo"] = "; ".join(check(p, command)) or "sound"
            row["komi"] = p.komi
            row["gnugo komi"] = gnugo_komi(p, command)
    solved = sum(r["solved"] for r in rows)
    if cfg.json:
        print(json.dumps({"solved": solved, "problems": len(rows), "sims": cfg.sims, "rows": rows}))
        return 0
    keys = list(rows[0])
    print(" | ".join(keys))
    for r in rows:
        print(" | ".join(str(r[k]) for k in keys))
    at = f"{cfg.sims} simulations" if cfg.sims else "each problem's own budget of simulations"
    print(f"solved {solved} of {len(rows)} at {at} ({cfg.player})")
    return 0


if __name__ == "__main__":
    import tyro

    raise SystemExit(main(tyro.cli(TacticsConfig)))
