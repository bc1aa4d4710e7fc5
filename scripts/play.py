"""``seigen play``: a game in the terminal against a trained agent (tic-tac-toe, Connect Four or Go).

The board is printed before every move; the human's moves are read from stdin one
line at a time (bad input is refused with a message and asked again, never a crash);
the agent's moves are announced; the result closes the game. ``quit`` or the end of
input leaves at once (exit status 0).
"""

from __future__ import annotations

import re
import sys
from typing import Any, TextIO

from seigen.scripts.configs import PlayConfig

SIDES = {"tictactoe": ("X", "O"), "connect4": ("X", "O"), "go": ("black (X)", "white (O)")}
HELP = {
    "tictactoe": "a square 0-8 (row by row from the top left) or 'row col' (0-2 each)",
    "connect4": "a column 0-6",
    "go": "a vertex like D4, or pass",
}


def parse_move(game: Any, name: str, text: str) -> tuple[int | None, str]:
    """The action a human typed, or ``(None, why not)``."""
    from seigen.engine.board import IllegalMoveError

    text = text.strip()
    if name == "tictactoe":
        numbers = re.fullmatch(r"(\d+)(?:\s*[\s,/]\s*(\d+))?", text)
        if not numbers:
            return None, f"{text!r} is not a move; type {HELP[name]}"
        if numbers.group(2) is None:
            square = int(numbers.group(1))
            if not 0 <= square <= 8:
                return None, f"there is no square {square}; squares are 0-8"
        else:
            row, col = int(numbers.group(1)), int(numbers.group(2))
            if not (0 <= row <= 2 and 0 <= col <= 2):
                return None, f"there is no row {row}, column {col}; both are 0-2"
            square = row * 3 + col
        if not game.legal_mask()[square]:
            return None, f"square {square} is taken"
        return square, ""
    if name == "connect4":
        if not re.fullmatch(r"\d+", text):
            return None, f"{text!r} is not a move; type {HELP[name]}"
        column = int(text)
        if not 0 <= column <= 6:
            return None, f"there is no column {column}; columns are 0-6"
        if not game.legal_mask()[column]:
            return None, f"column {column} is full"
        return column, ""
    board = game.board
    try:
        move = board.parse_move(text)
    except IllegalMoveError:
        return None, f"{text} is off the {board.size}x{board.size} board"
    except ValueError:
        return None, f"{text!r} is not a move; type {HELP[name]}"
    if not game.legal_mask()[move]:
        why = "illegal"
        try:
            board.copy().play(move)
        except IllegalMoveError as e:
            why = f"illegal ({e.reason})"
        return None, f"{board.vertex(move)} is {why}"
    return move, ""


def describe(game: Any, name: str, move: int) -> str:
    if name == "tictactoe":
        return f"square {move} (row {move // 3}, column {move % 3})"
    if name == "connect4":
        return f"column {move}"
    return game.board.vertex(move)


def render(game: Any, name: str) -> str:
    return str(game.board) if name == "go" else str(game)


def result_text(game: Any, name: str, human: int) -> str:
    r = game.returns()
    won = (r > 0) == (human == 0)
    outcome = "A draw." if r == 0 else "You win." if won else "The agent wins."
    if name == "go":
        board = game.board
        if board.rules.scoring == "area":
            outcome += f" Result {board.result()} (area, komi {board.rules.komi:g})."
        if not board.is_over:
            outcome += f" The game reached its {game.max_moves}-move cap."
    return outcome


def play(cfg: PlayConfig, agent: Any, stdin: TextIO, out: TextIO) -> int:
    """The game loop: ``agent`` (``new_game``, ``act_game``, ``game``) against lines of ``stdin``."""
    name = agent.game["name"]
    game = agent.new_game()
    human = 0 if cfg.color == "first" else 1
    you, it = SIDES[name][human], SIDES[name][1 - human]
    print(f"You play {you}, the agent {it}. Moves: {HELP[name]}; 'quit' leaves.", file=out)
    if name == "tictactoe":
        print("Squares:\n0 1 2\n3 4 5\n6 7 8", file=out)
    while not game.is_terminal():
        print("", file=out)
        print(render(game, name), file=out)
        if game.to_play == human:
            while True:
                print("Your move: ", end="", file=out, flush=True)
                line = stdin.readline()
                if not line:
                    print("\nEnd of input: the game is left unfinished.", file=out)
                    return 0
                if line.strip().lower() in ("quit", "exit", "q"):
                    print("Game left unfinished.", file=out)
                    return 0
                move, why = parse_move(game, name, line)
                if move is not None:
                    break
                print(why, file=out)
        else:
            move = agent.act_game(game)
            print(f"The agent plays {describe(game, name, move)}.", file=out)
        game.play(move)
    print("", file=out)
    print(render(game, name), file=out)
    print(result_text(game, name, human), file=out, flush=True)
    return 0


def main(cfg: PlayConfig) -> int:
    from seigen.agents.agent import load_agent
    from seigen.agents.runs import CheckpointError
    from seigen.scripts.gtp import one_line

    try:
        agent = load_agent(cfg.model, visits=cfg.visits, device=cfg.device, seed=cfg.seed)
        if getattr(agent, "game", None) is None:
            raise ValueError(f"{cfg.model}: the agent plays {agent.config.env}, not a board game")
    except (CheckpointError, ValueError) as e:
        print(f"seigen play: error: {one_line(e)}", file=sys.stderr)
        return 2
    return play(cfg, agent, sys.stdin, sys.stdout)
