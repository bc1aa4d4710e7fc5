"""The Python face of seigen's C core: the Go board and rules, SGF."""

from seigen.engine.board import Board, IllegalMoveError, fixed_handicap_points
from seigen.engine.rules import Rules

__all__ = ["Board", "IllegalMoveError", "Rules", "fixed_handicap_points"]
