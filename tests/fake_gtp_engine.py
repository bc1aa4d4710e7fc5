"""A tiny GTP engine for the tests: uniformly random sensible moves on seigen's Board, and scripted faults.

    python tests/fake_gtp_engine.py [--seed S] [--name NAME] [--rules chinese]
        [--crash-at N] [--hang-at N] [--illegal-at N] [--malformed-at N] [--resign-at N] [--reject-at N]
        [--no-final-score] [--score-offset X] [--max-size N]

Each genmove picks uniformly among the legal points that do not fill the mover's own
single-point eye (``Board.sensible_moves``), and passes when there are none, so games
end by two passes. The ``--*-at N`` faults happen at the process's Nth ``genmove``
(counted over its whole life, across games): exit with status 3 without answering,
sleep (practically) forever, answer an occupied point (or one off the board when no
point is occupied), answer a word that is no move, or resign; ``--reject-at N`` answers
``? illegal move`` to its Nth ``play``, whatever the move. ``final_score`` answers
seigen's own area count of the board as it stands, plus ``--score-offset`` (to make two
engines disagree); ``--no-final-score`` makes it an unknown command. ``kgs-rules`` is
unknown too, as in GNU Go. ``boardsize`` above ``--max-size`` is refused.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

from seigen.engine import Board

COMMANDS = (
    "protocol_version",
    "name",
    "version",
    "known_command",
    "list_commands",
    "boardsize",
    "clear_board",
    "komi",
    "play",
    "genmove",
    "final_score",
    "quit",
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--name", default="fake-random")
    parser.add_argument("--rules", default="chinese")
    for fault in ("crash", "hang", "illegal", "malformed", "resign", "reject"):
        parser.add_argument(f"--{fault}-at", type=int, default=0, metavar="N")
    parser.add_argument("--no-final-score", action="store_true")
    parser.add_argument("--score-offset", type=float, default=0.0)
    parser.add_argument("--max-size", type=int, default=25, help="answer '? unacceptable size' above it")
    args = parser.parse_args(argv)

    rng = np.random.default_rng(args.seed)
    commands = [c for c in COMMANDS if not (c == "final_score" and args.no_final_score)]
    size, komi = 19, 7.5
    board = Board(size, rules=args.rules, komi=komi)
    genmoves = plays = 0

    def reply(cid: str, text: str = "", ok: bool = True) -> None:
        sys.stdout.write(f"{'=' if ok else '?'}{cid} {text}".rstrip() + "\n\n")
        sys.stdout.flush()

    for line in sys.stdin:
        parts = line.split("#", 1)[0].split()
        if not parts:
            continue
        cid = parts.pop(0) if parts[0].isdigit() else ""
        if not parts:
            continue
        cmd, rest = parts[0], parts[1:]
        if cmd not in commands:
            reply(cid, "unknown command", ok=False)
        elif cmd == "quit":
            reply(cid)
            return 0
        elif cmd == "protocol_version":
            reply(cid, "2")
        elif cmd == "name":
            reply(cid, args.name)
        elif cmd == "version":
            reply(cid, "0.1")
        elif cmd == "known_command":
            reply(cid, "true" if rest and rest[0] in commands else "false")
        elif cmd == "list_commands":
            reply(cid, "\n".join(commands))
        elif cmd == "boardsize":
            if int(rest[0]) > args.max_size:
                reply(cid, "unacceptable size", ok=False)
                continue
            size = int(rest[0])
            board = Board(size, rules=args.rules, komi=komi)
            reply(cid)
        elif cmd == "clear_board":
            board = Board(size, rules=args.rules, komi=komi)
            reply(cid)
        elif cmd == "komi":
            komi = float(rest[0])
            board.komi = komi
            reply(cid)
        elif cmd == "play":
            plays += 1
            if plays == args.reject_at:
                reply(cid, "illegal move", ok=False)
                continue
            try:
                board.play(rest[1], rest[0])
            except (ValueError, IndexError) as e:
                reply(cid, f"illegal move ({e})", ok=False)
            else:
                reply(cid)
        elif cmd == "final_score":
            reply(cid, _result(board.score() + args.score_offset))
        elif cmd == "genmove":
            color = rest[0]
            genmoves += 1
            if genmoves == args.crash_at:
                print(f"fake engine: crashing at genmove {genmoves}", file=sys.stderr, flush=True)
                return 3
            if genmoves == args.hang_at:
                time.sleep(3600)
            if genmoves == args.illegal_at:
                occupied = np.flatnonzero(board.colors().reshape(-1))
                reply(cid, board.vertex(int(occupied[0])) if occupied.size else "Z25")
                continue
            if genmoves == args.malformed_at:
                reply(cid, "xyzzy")
                continue
            if genmoves == args.resign_at:
                reply(cid, "resign")
                continue
            moves = board.sensible_moves(color)
            move = int(rng.choice(moves)) if moves.size else board.pass_move
            board.play(move, color)
            reply(cid, board.vertex(move))
    return 0


def _result(score: float) -> str:
    if score == 0:
        return "0"
    return f"B+{score:g}" if score > 0 else f"W+{-score:g}"


if __name__ == "__main__":
    raise SystemExit(main())
