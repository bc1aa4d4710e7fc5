"""The Python face of seigen's C core: the Go board and rules, SGF."""

from seigen.engine.board import Board, IllegalMoveError, fixed_handicap_points
from seigen.engine.rules import Rules
from seigen.engine.sgf import GameInfo, SGFError, read_sgf, write_sgf

__all__ = [
    "Board",
    "GameInfo",
    "IllegalMoveError",
    "Rules",
    "SGFError",
    "fixed_handicap_points",
    "read_sgf",
    "write_sgf",
]
