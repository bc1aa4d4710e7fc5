"""Perfect solvers for tic-tac-toe and Connect Four, the oracles of the search-strength tests.

Plain Python, written apart from seigen: nothing here imports seigen, so a bug in the
native games or the search cannot hide behind a shared helper.

Positions are given as move lists from the empty board, in PettingZoo's action numbering:

* tic-tac-toe: action ``a`` is cell ``a`` of PettingZoo's ``Board.squares``, drawn as
  ``(a // 3, a % 3)`` in the observation (row, column). The eight winning lines are the
  same set of cells whichever way the grid is drawn.
* Connect Four: action ``c`` drops a piece into column ``c`` (0..6); row 0 is the top, so
  a piece lands on the largest empty row of its column.

Values are from the view of the side to move: +1 win, 0 draw, -1 loss.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

# ---------------------------------------------------------------- tic-tac-toe

TTT_CELLS = 9
TTT_LINES = ((0, 1, 2), (3, 4, 5), (6, 7, 8), (0, 3, 6), (1, 4, 7), (2, 5, 8), (0, 4, 8), (2, 4, 6))

TttBoard = tuple[int, ...]  # 9 cells: 0 empty, 1 the first player's mark, 2 the second player's


@dataclass(frozen=True)
class Solution:
    """A solved position: its value for the side to move and every move that keeps it."""

    value: int
    optimal: frozenset[int]


def ttt_board(moves: Sequence[int]) -> TttBoard:
    """The board after ``moves``; ValueError for a taken cell or a move after the game ended."""
    cells = [0] * TTT_CELLS
    for ply, move in enumerate(moves):
        if not 0 <= move < TTT_CELLS or cells[move]:
            raise ValueError(f"illegal move {move} at ply {ply} of {list(moves)}")
        if ttt_winner(tuple(cells)):
            raise ValueError(f"move {move} at ply {ply} of {list(moves)} comes after the game ended")
        cells[move] = 1 + ply % 2
    return tuple(cells)


def ttt_to_play(board: TttBoard) -> int:
    """0 when the first player is to move, 1 for the second."""
    return sum(1 for cell in board if cell) % 2


def ttt_winner(board: TttBoard) -> int:
    """1 or 2 for the player with three in a row, 0 for none."""
    for a, b, c in TTT_LINES:
        if board[a] and board[a] == board[b] == board[c]:
            return board[a]
    return 0


def ttt_is_terminal(board: TttBoard) -> bool:
    return bool(ttt_winner(board)) or all(board)


def ttt_result(board: TttBoard) -> int:
    """A finished game's result from the first player's view: +1, 0 or -1."""
    if not ttt_is_terminal(board):
        raise ValueError("the game is not over")
    return {0: 0, 1: 1, 2: -1}[ttt_winner(board)]


def ttt_legal(board: TttBoard) -> list[int]:
    return [] if ttt_is_terminal(board) else [a for a in range(TTT_CELLS) if not board[a]]


def ttt_after(board: TttBoard, move: int) -> TttBoard:
    mark = 1 + ttt_to_play(board)
    return (*board[:move], mark, *board[move + 1 :])


def ttt_winning_cells(board: TttBoard, player: int) -> set[int]:
    """Empty cells that would complete a line for ``player`` (0 first, 1 second) at once."""
    mark = player + 1
    cells = set()
    for line in TTT_LINES:
        marks = [board[i] for i in line]
        if marks.count(mark) == 2 and marks.count(0) == 1:
            cells.add(line[marks.index(0)])
    return cells


@cache
def _ttt_value(board: TttBoard) -> int:
    if ttt_winner(board):
        return -1  # the previous move won
    if all(board):
        return 0
    return max(-_ttt_value(ttt_after(board, a)) for a in ttt_legal(board))


def ttt_solve(moves: Sequence[int]) -> Solution:
    """Full minimax: the value for the side to move and its set of optimal moves."""
    board = ttt_board(moves)
    if ttt_is_terminal(board):
        return Solution(_ttt_value(board), frozenset())
    scores = {a: -_ttt_value(ttt_after(board, a)) for a in ttt_legal(board)}
    best = max(scores.values())
    return Solution(best, frozenset(a for a, s in scores.items() if s == best))


def ttt_positions() -> dict[TttBoard, tuple[int, ...]]:
    """Every reachable unfinished position, each with one move list that reaches it."""
    found: dict[TttBoard, tuple[int, ...]] = {}
    stack: list[tuple[int, ...]] = [()]
    while stack:
        moves = stack.pop()
        board = ttt_board(moves)
        if board in found or ttt_is_terminal(board):
            continue
        found[board] = moves
        stack.extend((*moves, a) for a in ttt_legal(board))
    return found


def ttt_diagram(board: TttBoard) -> str:
    """Rows of ``X`` (first player), ``O`` and ``.``, cell ``a`` at (a // 3, a % 3)."""
    marks = ".XO"
    return "\n".join(" ".join(marks[board[3 * r + c]] for c in range(3)) for r in range(3))


# ---------------------------------------------------------------- Connect Four

C4_ROWS, C4_COLS = 6, 7
_C4_ORDER = (3, 2, 4, 1, 5, 0, 6)  # centre first: alpha-beta cuts sooner
_C4_DIRECTIONS = ((0, 1), (1, 0), (1, 1), (1, -1))


class ConnectFourBoard:
    """A 6x7 array of cells (0 empty, 1 first player, 2 second), row 0 at the top."""

    def __init__(self, moves: Iterable[int] = ()):
        self.cells = [[0] * C4_COLS for _ in range(C4_ROWS)]
        self.heights = [0] * C4_COLS  # pieces in each column
        self.plies = 0
        self.winner = 0
        for move in moves:
            if self.winner or not self.is_legal(move):
                raise ValueError(f"illegal move {move} at ply {self.plies}")
            self.play(move)

    @property
    def to_play(self) -> int:
        return self.plies % 2

    def is_legal(self, col: int) -> bool:
        return 0 <= col < C4_COLS and self.heights[col] < C4_ROWS

    def legal(self) -> list[int]:
        if self.winner:
            return []
        return [c for c in range(C4_COLS) if self.heights[c] < C4_ROWS]

    def is_full(self) -> bool:
        return self.plies == C4_ROWS * C4_COLS

    def play(self, col: int) -> bool:
        """Drop the side to move's piece in ``col``; True when it makes four in a row."""
        mark = 1 + self.to_play
        row = C4_ROWS - 1 - self.heights[col]
        self.cells[row][col] = mark
        self.heights[col] += 1
        self.plies += 1
        won = self._four_through(row, col, mark)
        if won:
            self.winner = mark
        return won

    def undo(self, col: int) -> None:
        self.heights[col] -= 1
        self.cells[C4_ROWS - 1 - self.heights[col]][col] = 0
        self.plies -= 1
        self.winner = 0

    def _four_through(self, row: int, col: int, mark: int) -> bool:
        cells = self.cells
        for dr, dc in _C4_DIRECTIONS:
            run = 1
            for sign in (1, -1):
                r, c = row + sign * dr, col + sign * dc
                while 0 <= r < C4_ROWS and 0 <= c < C4_COLS and cells[r][c] == mark:
                    run += 1
                    r, c = r + sign * dr, c + sign * dc
            if run >= 4:
                return True
        return False

    def key(self) -> tuple[int, ...]:
        return tuple(cell for row in self.cells for cell in row)

    def diagram(self) -> str:
        marks = ".XO"
        return "\n".join(" ".join(marks[cell] for cell in row) for row in self.cells)


def _c4_negamax(board: ConnectFourBoard, depth: int, alpha: int, beta: int, memo: dict[tuple, int]) -> int:
    """Depth-limited negamax with alpha-beta for an unfinished position.

    +1: the side to move wins within ``depth`` plies whatever the opponent does; -1: it
    loses within ``depth`` plies whatever it does; 0: neither (a draw, or not decided
    within the horizon). The result is exact within the window (alpha, beta) and a bound
    outside it, so the memo is keyed by the window too.
    """
    if depth <= 0 or board.is_full():
        return 0
    key = (board.key(), depth, alpha, beta)
    if key in memo:
        return memo[key]
    best = -1
    for col in _C4_ORDER:
        if not board.is_legal(col):
            continue
        won = board.play(col)
        score = 1 if won else -_c4_negamax(board, depth - 1, -beta, -alpha, memo)
        board.undo(col)
        if score > best:
            best = score
        alpha = max(alpha, best)
        if alpha >= beta:
            break
    memo[key] = best
    return best


def c4_value(moves: Sequence[int], plies: int) -> int:
    """The side to move's result within ``plies`` plies: +1 forced win, -1 forced loss, else 0."""
    board = ConnectFourBoard(moves)
    if board.winner:
        return -1
    return _c4_negamax(board, plies, -1, 1, {})


def c4_wins_within(moves: Sequence[int], plies: int) -> set[int]:
    """Every first move that forces a win within ``plies`` plies (counting that move)."""
    board = ConnectFourBoard(moves)
    memo: dict[tuple, int] = {}
    winning = set()
    for col in board.legal():
        won = board.play(col)
        # a null window around "the opponent loses": is its value -1?
        if won or _c4_negamax(board, plies - 1, -1, 0, memo) == -1:
            winning.add(col)
        board.undo(col)
    return winning


def c4_winning_cells(moves: Sequence[int], player: int) -> set[int]:
    """Columns where ``player`` (0 or 1) would complete four at once if it were to move."""
    board = ConnectFourBoard(moves)
    mark = player + 1
    cols = set()
    for col in board.legal():
        row = C4_ROWS - 1 - board.heights[col]
        board.cells[row][col] = mark
        if board._four_through(row, col, mark):
            cols.add(col)
        board.cells[row][col] = 0
    return cols
